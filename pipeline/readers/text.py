"""Plain text and markdown (as exported from Word or converted from HTML portals)."""

from __future__ import annotations

import hashlib

from pipeline.clean import clean
from pipeline.metadata import infer_metadata
from pipeline.readers.safety import check_lines
from pipeline.types import Document


def decode(data: bytes) -> str:
    """Bytes → text: UTF-8 (with or without BOM) or UTF-16 with a BOM. Raises ValueError otherwise."""
    if not data.strip():
        raise ValueError("the file is empty (tệp rỗng) — nothing to ingest")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    head = data[:8192]
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) * 0.01:
        raise ValueError("binary data, not text (dữ liệu nhị phân) — is this the right file?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"not UTF-8 text (byte {e.start}: {data[e.start:e.start + 1]!r}) — re-save it as UTF-8 "
            "(không phải mã UTF-8: hãy lưu lại với mã hóa UTF-8)"
        ) from None


def read_text_file(data: bytes, path: str, name: str) -> Document:
    text = decode(data)
    check_lines(text)
    paragraphs, notes, dropped = clean(text)
    if not paragraphs:
        raise ValueError("no readable text after cleaning (không có nội dung đọc được)")
    return Document(
        name=name,
        path=path,
        content_hash=hashlib.sha256(data).hexdigest(),
        paragraphs=tuple(paragraphs),
        footnotes=notes,
        meta=infer_metadata(paragraphs),
        dropped_garbled=dropped,
    )

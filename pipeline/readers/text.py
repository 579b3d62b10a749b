"""Plain text and markdown (as exported from Word or converted from HTML portals)."""

from __future__ import annotations

import contextlib

from pipeline.readers.common import text_document
from pipeline.readers.legacy import candidates, fix_legacy_text, vietnamese_score
from pipeline.readers.safety import check_lines
from pipeline.types import Document


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: every other byte of Latin text is zero."""
    head = data[:4096]
    if len(head) < 8 or len(head) % 2:
        return None
    for enc, zeros, other in (("utf-16-le", head[1::2], head[0::2]), ("utf-16-be", head[0::2], head[1::2])):
        if zeros.count(0) > 0.3 * len(zeros) and other.count(0) < 0.02 * len(other):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                return None
            printable = sum(c.isprintable() or c in "\r\n\t" for c in text[:2000])
            return text if printable >= 0.98 * min(len(text), 2000) else None
    return None


def _mixed_lines(data: bytes) -> str | None:
    """A file whose lines are in UTF-8 and in a legacy encoding by turns (pasted together from two sources):
    each line read in its own; the legacy one is whichever reads the other lines as Vietnamese. None when no
    line is UTF-8 beyond ASCII (the whole file is legacy) or the other lines read as no Vietnamese."""
    lines = data.split(b"\n")
    read: dict[int, str] = {}
    for i, line in enumerate(lines):
        with contextlib.suppress(UnicodeDecodeError):
            read[i] = line.decode("utf-8-sig" if i == 0 else "utf-8")
    if all(t.isascii() for t in read.values()):
        return None
    rest = [i for i in range(len(lines)) if i not in read]
    score, text = max(((vietnamese_score(t), t) for t in candidates(b"\n".join(lines[i] for i in rest)).values()),
                      key=lambda x: x[0])
    decoded = text.split("\n")
    if score < 0.1 or len(decoded) != len(rest):
        return None
    read.update(zip(rest, decoded, strict=True))
    return "\n".join(read[i] for i in range(len(lines)))


def decode(data: bytes) -> str:
    """Bytes → text: UTF-8 (with or without BOM), UTF-16, or a legacy Vietnamese encoding (Windows-1258,
    TCVN3, VNI — whichever reads as Vietnamese), line by line when lines of both are mixed. NUL characters
    are removed wherever they are. Raises ValueError otherwise."""
    return _decode(data).replace("\x00", "")


def _decode(data: bytes) -> str:
    """`decode` before the NUL characters are removed."""
    if not data.strip():
        raise ValueError("the file is empty (tệp rỗng) — nothing to ingest")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if (text := _utf16_without_bom(data)) is not None:
        return text
    head = data[:8192]
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) * 0.01:
        raise ValueError("binary data, not text (dữ liệu nhị phân) — is this the right file?")
    try:
        return fix_legacy_text(data.decode("utf-8-sig"))[0]
    except UnicodeDecodeError as e:
        if (mixed := _mixed_lines(data)) is not None:
            return fix_legacy_text(mixed)[0]
        scored = [(vietnamese_score(t), t) for t in candidates(data).values()]
        score, text = max(scored, key=lambda x: x[0])
        if score >= 0.1:
            return text
        raise ValueError(
            f"not UTF-8 text (byte {e.start}: {data[e.start:e.start + 1]!r}) and not Vietnamese in Windows-1258, "
            "TCVN3 or VNI either — re-save it as UTF-8 (không phải mã UTF-8: hãy lưu lại với mã hóa UTF-8)"
        ) from None


def read_text_file(data: bytes, path: str, name: str) -> Document:
    """A .txt or .md file → Document: UTF-8 or a legacy Vietnamese encoding, no line over the length limit."""
    text = decode(data)
    check_lines(text)
    return text_document(text, data, path, name)

"""What every structured reader (docx, pdf, html) does last: the paragraphs it found → a cleaned `Document`.

The text reader runs `clean.clean` on a whole file; a structured reader already knows its paragraphs, pages and
footnotes, so each paragraph gets the same normalization one by one (NFC, one tone placement, document numbers
repaired, garbled lines dropped) and keeps its page.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence

from pipeline.readers import safety
from pipeline.text.clean import clean, is_garbled, normalize_unicode, repair_codes, strip_marks
from pipeline.text.metadata import infer_metadata
from pipeline.text.tables import Cell
from pipeline.types import DocMeta, Document, Paragraph


def text_document(text: str, data: bytes, path: str, name: str,
                  tables: Sequence[Sequence[Sequence[Cell]]] = ()) -> Document:
    """A whole text (a .txt/.md file, an HTML page's main content) cleaned by `clean.clean` → Document.
    `tables`: the tables a reader found itself, each standing in `text` as its `placeholder`."""
    safety.check_count("characters of text", len(text), safety.limits().max_chars)
    paragraphs, notes, dropped = clean(text, tables)
    if not paragraphs:
        raise ValueError("no readable text after cleaning (không có nội dung đọc được)")
    return Document(name=name, path=path, content_hash=hashlib.sha256(data).hexdigest(),
                    paragraphs=tuple(paragraphs), footnotes=notes, meta=infer_metadata(paragraphs),
                    dropped_garbled=dropped)


def normalize(text: str) -> str:
    """One paragraph's text as cleaning leaves it: NFC, the new tone placement, white space collapsed."""
    text = normalize_unicode(text.replace("\u00a0", " ").replace("\u00ad", ""))
    return repair_codes(" ".join(text.split()))


def build_document(
    blocks: Iterable[Paragraph],
    notes: dict[int, str],
    data: bytes,
    path: str,
    name: str,
    extra_meta: Sequence[str] = (),
) -> Document:
    """Paragraphs as read (text with footnote marks, page, heading level) → Document. `extra_meta` are lines that
    are not body text but may state the number, issuer or date (page headers and footers)."""
    paragraphs: list[Paragraph] = []
    dropped, chars, most = 0, 0, safety.limits().max_chars
    for block in blocks:
        chars += len(block.text)
        safety.check_count("characters of text", chars, most)
        text = normalize(block.text)
        if not strip_marks(text):
            continue
        if is_garbled(text):
            dropped += 1
            continue
        paragraphs.append(dataclasses.replace(block, text=text))
    if not paragraphs:
        raise ValueError("no readable text after cleaning (không có nội dung đọc được)")
    meta = infer_metadata(paragraphs)
    if extra_meta and not (meta.number and meta.issuer and meta.date):
        more = infer_metadata([Paragraph(normalize(t)) for t in extra_meta] + paragraphs)
        meta = DocMeta(title=meta.title, number=meta.number or more.number, issuer=meta.issuer or more.issuer,
                       date=meta.date or more.date, years=meta.years or more.years)
    return Document(
        name=name,
        path=path,
        content_hash=hashlib.sha256(data).hexdigest(),
        paragraphs=tuple(paragraphs),
        footnotes={n: normalize(b) for n, b in notes.items() if b.strip()},
        meta=meta,
        dropped_garbled=dropped,
    )

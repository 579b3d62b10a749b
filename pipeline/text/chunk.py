"""Section-aware chunks: each chunk lies inside one section, carries its breadcrumb, the bodies of the
footnotes it cites, and a readable id ``<doc>#<section labels>:<n>``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.text.clean import footnote_refs, strip_marks
from pipeline.text.sections import build_sections, section_year
from pipeline.text.segment import split_sentences
from pipeline.types import Chunk, Document, Heading, HeadingKind, RowKind, Section, TableRow

MAX_CHARS = 1000  # body characters of a chunk (e5 reads 512 tokens ≈ 1,800 characters of Vietnamese)
OVERLAP_MAX = 300  # the last sentence of a chunk opens the next one when it is at most this long

_PART_NUMBERS = {"nhất": "1", "một": "1", "hai": "2", "ba": "3", "bốn": "4", "tư": "4", "năm": "5", "sáu": "6",
                 "bảy": "7", "tám": "8", "chín": "9", "mười": "10"}


def heading_key(h: Heading) -> str:
    """A short, readable key for one heading: P1, C2, M1, D5, I, 1.4, a, end."""
    last = h.label.rstrip(".)").split()[-1] if h.label else ""
    K = HeadingKind
    match h.kind:
        case K.PHAN:
            return "P" + _PART_NUMBERS.get(last.lower(), last)
        case K.CHUONG:
            return "C" + last
        case K.MUC:
            return "M" + last
        case K.DIEU:
            return "D" + last
        case K.CLOSING:
            return "end"
        case K.CAPS | K.H1 | K.H2 | K.H3 | K.H4 | K.H5:
            return re.sub(r"\W+", "-", h.title.lower())[:24].strip("-") or "h"
        case _:
            return last


def section_key(path: tuple[Heading, ...]) -> str:
    """The section part of a chunk id: the headings' keys joined by ``/`` (``P1/I/1/1.4``), ``front`` for none."""
    return "/".join(heading_key(h) for h in path) or "front"


@dataclass(frozen=True)
class _Piece:
    """A run of text a chunk is packed from: a whole paragraph, a sentence of a long one, or a table row."""

    text: str
    page: int | None
    row: TableRow | None = None


def _pieces(section: Section) -> list[_Piece]:
    """The section's text as pieces no longer than MAX_CHARS: whole paragraphs, or sentences of long ones,
    each with the page its paragraph starts on. A table row stays whole."""
    out = []
    for p in section.paragraphs:
        if p.row is not None or len(strip_marks(p.text)) <= MAX_CHARS:
            out.append(_Piece(p.text, p.page, p.row))
        else:
            out.extend(_Piece(s, p.page) for s in split_sentences(p.text))
    return out


def _opening(prev: list[_Piece], piece: _Piece, n: int) -> list[_Piece]:
    """What a new chunk opens with before `piece`: inside a table, the table's header row and the group label the
    row is under (so every chunk of a table reads its rows under their headers and group: "1 Cà phê" over
    "- Diện tích Ha …"); else the previous chunk's last sentence when it is short."""
    if piece.row is not None and piece.row.kind is not RowKind.HEADER:
        row = piece.row
        same = [(x, x.row) for x in reversed(prev) if x.row is not None and x.row.table == row.table]
        head = next((x for x, r in same if r.kind is RowKind.HEADER), None)
        group = next((x for x, r in same if r.kind is RowKind.GROUP and r.text in row.context), None)
        carry = [x for x in (head, group) if x is not None]
        while carry and sum(len(x.text) + 1 for x in carry) + n > MAX_CHARS:
            carry.pop()  # the group goes first, then the header
        return carry
    if prev[-1].row is not None:
        return []
    last = split_sentences(prev[-1].text)[-1]
    if len(last) <= OVERLAP_MAX and len(last) + n <= MAX_CHARS:
        return [_Piece(strip_marks(last), prev[-1].page)]  # its footnote belongs to the chunk that cites it first
    return []


def _group(pieces: list[_Piece]) -> list[tuple[str, int | None, tuple[TableRow, ...]]]:
    """Pack pieces into chunks under MAX_CHARS, each chunk after the first opening with the previous
    chunk's last sentence when that is short (a little overlap, within the section only), or, inside a table,
    with the table's header row. A chunk's page is the page its first piece (carried one included) starts on."""
    chunks: list[list[_Piece]] = []
    seen: list[_Piece] = []
    size = 0
    for piece in pieces:
        n = len(strip_marks(piece.text))
        if chunks and size + n <= MAX_CHARS:
            chunks[-1].append(piece)
            size += n + 1
        else:
            carry = _opening(seen, piece, n) if chunks else []
            chunks.append([*carry, piece])
            size = sum(len(strip_marks(x.text)) + 1 for x in chunks[-1])
        seen.append(piece)
    return [("\n".join(x.text for x in c), c[0].page, tuple(x.row for x in c if x.row is not None)) for c in chunks]


def chunk_document(doc: Document) -> list[Chunk]:
    """A cleaned document → its chunks, in order, each with its heading path and the footnotes it cites."""
    chunks: list[Chunk] = []
    used: dict[str, int] = {}
    default_year = doc.meta.years[0] if doc.meta.years else None
    for section in build_sections(doc.paragraphs):
        key = section_key(section.path)
        if key in used:  # the same labels twice (a numbering slip in the source): keep ids unique
            used[key] += 1
            key = f"{key}~{used[key]}"
        else:
            used[key] = 0
        year = section_year(section.path) or default_year
        for n, (raw, page, rows) in enumerate(_group(_pieces(section))):
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.name}#{key}:{n}",
                    doc=doc.name,
                    section=section.breadcrumb,
                    text=strip_marks(raw),
                    year=year,
                    ordinal=len(chunks),
                    page=page,
                    headings=section.path,
                    footnotes=tuple((k, doc.footnotes[k]) for k in footnote_refs(raw) if k in doc.footnotes),
                    rows=rows,
                )
            )
    return chunks

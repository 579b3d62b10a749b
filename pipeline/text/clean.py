"""Cleaning: raw text of a report → paragraphs of normalized text, with footnotes pulled out.

Keeps the meaning of the text and nothing else: Unicode NFC, one tone-placement convention (the new one:
``hoá``→``hóa``, ``thuỷ``→``thủy``), no ``[bookmark: …]`` tags or markdown decoration, hard-wrapped lines
re-joined, lines garbled into ``?`` dropped (and counted), ``[footnoteRef:N]`` markers turned into references
to footnote bodies ``[N: …]`` wherever in the file those sit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from pipeline.text.tables import (
    PLACEHOLDER_RE,
    Cell,
    is_layout,
    layout_paragraphs,
    markdown_tables,
    table_paragraphs,
)
from pipeline.text.vocab import WRAP_MIN_LETTERS, is_upper
from pipeline.types import Paragraph

_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền, sắc, hỏi, ngã, nặng


def _tone_table() -> dict[str, str]:
    table = {}
    for v1, v2 in (("o", "a"), ("o", "e"), ("u", "y")):
        for a, b in ((v1, v2), (v1.upper(), v2.upper()), (v1.upper(), v2)):
            for t in _TONES:
                old = a + unicodedata.normalize("NFC", b + t)
                new = unicodedata.normalize("NFC", a + t) + b
                table[old] = new
    return table


_TONE_TABLE = _tone_table()
# old placement only at the end of a syllable ("hoá", not "hoàng"), and never after q ("quý" is q-u-ý)
_TONE_RE = re.compile(r"(?<![qQ])(" + "|".join(map(re.escape, _TONE_TABLE)) + r")(?![\w\u0300-\u036f])")


_CODE_SPACE_RE = re.compile(r"(\d/(?:\d{4}/)?[A-ZĐ][A-Za-zĐđ.]*)(?:-\s+| -\s*)([A-ZĐ])")


def repair_codes(text: str) -> str:
    """A document number with a stray space at its dash is one number: ``128/NQ- CP`` → ``128/NQ-CP``."""
    return _CODE_SPACE_RE.sub(r"\1-\2", text)


def normalize_unicode(text: str) -> str:
    """NFC, with the new tone placement: ``Uỷ ban … hoá`` → ``Ủy ban … hóa``. Idempotent.

    >>> normalize_unicode("thuỷ sản, văn hoá")
    'thủy sản, văn hóa'
    """
    text = unicodedata.normalize("NFC", text)
    return _TONE_RE.sub(lambda m: _TONE_TABLE[m.group(1)], text)


def fold(text: str) -> str:
    """Lower case without diacritics (đ→d), white space collapsed: how unaccented queries are typed.

    >>> fold("Tăng trưởng  KINH TẾ đạt")
    'tang truong kinh te dat'
    """
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


# --- footnotes -------------------------------------------------------------------------------------------

_FOOTREF_RE = re.compile(r"\[footnoteRef:\s*(\d+)\]")
_FOOTBODY_START = re.compile(r"\[(\d+):")
FOOTMARK = "\ue000{}\ue001"  # a footnote reference as it travels through cleaning
FOOTMARK_RE = re.compile("\ue000(\\d+)\ue001")


def _closing_brackets(text: str) -> dict[int, int]:
    """Where each ``[`` of `text` is closed by its ``]`` (brackets nest); one pass, so linear in the text
    however many ``[`` are left open.

    >>> _closing_brackets("[1: a [b] c] ] [")
    {6: 8, 0: 11}
    """
    closing: dict[int, int] = {}
    open_at: list[int] = []
    for m in re.finditer(r"[\[\]]", text):
        if m.group() == "[":
            open_at.append(m.start())
        elif open_at:
            closing[open_at.pop()] = m.start()
    return closing


def extract_footnotes(text: str) -> tuple[str, dict[int, str]]:
    """Remove footnote bodies ``[N: …]`` (which may span lines and hold brackets) and return them by number.

    ``[footnoteRef:N]`` markers become private-use marks that paragraphs turn into footnote numbers.
    """
    bodies: dict[int, str] = {}
    out: list[str] = []
    pos = 0
    closing = _closing_brackets(text)
    for m in _FOOTBODY_START.finditer(text):
        if m.start() < pos:
            continue
        if (end := closing.get(m.start())) is None:  # unbalanced: not a footnote body
            continue
        i = end + 1
        n = int(m.group(1))
        body = " ".join(text[m.end() : i - 1].split())
        if n in bodies or not body:
            continue
        bodies[n] = body
        out.append(text[pos : m.start()])
        pos = i
    out.append(text[pos:])
    text = "".join(out)
    return _FOOTREF_RE.sub(lambda m: FOOTMARK.format(m.group(1)), text), bodies


# --- lines ----------------------------------------------------------------------------------------------

_BOOKMARK_RE = re.compile(r"\[bookmark:[^\]]*\]")
_MD_LINK_RE = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")  # no bracket inside: linear on "[[[["
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_EMPH_RE = re.compile(r"(\*\*|__|\*(?=\S)|(?<=\S)\*)")
_MD_RULE_RE = re.compile(r"^\s*([-=_*]\s*){3,}$")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_HTML_TAG_RE = re.compile(r"</?(br|p|div|span|sup|sub|b|i|u|strong|em|font)\b[^>]*>", re.I)


def strip_markup(line: str) -> str:
    """One line without markdown/HTML decoration or Word bookmarks; table cells joined by ' | '."""
    line = _BOOKMARK_RE.sub("", line)
    if _MD_RULE_RE.match(line):
        return ""
    line = _MD_HEADING_RE.sub("", line)
    line = _MD_LINK_RE.sub(r"\1", line)
    line = _HTML_TAG_RE.sub(" ", line)
    line = _MD_EMPH_RE.sub("", line)
    line = _MD_ESCAPE_RE.sub(r"\1", line)
    if "|" in line and line.strip().startswith("|"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        line = " | ".join(c for c in cells if c and not _MD_RULE_RE.match(c))
    return " ".join(line.split())


def is_garbled(line: str) -> bool:
    """A line where '?' stands in for many letters (a broken encoding), not a line that asks a question."""
    q = line.count("?")
    if q < 4:
        return False
    words = line.split()
    bad = sum(1 for w in words if "?" in w)
    return bad >= 0.15 * len(words)


# --- paragraphs -----------------------------------------------------------------------------------------

# a line that opens a heading or a list item (the heading grammar itself lives in sections.py)
_MARKER_RE = re.compile(
    r"^(phần\s+(thứ\s+)?\w+|chương\s+[ivxlc\d]+|mục\s+\d+|điều\s+\d+|[IVXLC]+\s*[.)]\s|\d+(\.\d+)*\s*[.)]\s?"
    r"|[a-zđ]\s*\)\s|[-+•–]\s)",
    re.IGNORECASE,
)
_PART_RE = re.compile(r"^(phần|chương|mục)\s+[\w ]{1,12}$", re.IGNORECASE)
_TERMINAL_RE = re.compile(r"[.!?;:…][\"”’»)\]]*$")


def _continues(prev: str, line: str, wrapped: bool) -> bool:
    """Is `line` the continuation of `prev`? In a hard-wrapped file (`wrapped`: paragraphs separated by
    blank lines) lines of one block join unless a marker opens a line after a finished sentence."""
    if prev.endswith(("Số:", "số:")):
        return True  # "Số:" with the number on the next line of the letterhead
    if wrapped:
        return not (_TERMINAL_RE.search(prev) and _MARKER_RE.match(line))
    if _TERMINAL_RE.search(prev):
        return False
    first = line[0]
    if first.islower():
        return True
    if prev.endswith((",", "-", "–", "và", "của")):
        return True
    if _MARKER_RE.match(line):
        return False
    if is_upper(prev, WRAP_MIN_LETTERS) or _PART_RE.match(prev):
        return is_upper(line, WRAP_MIN_LETTERS)  # an upper-case title wrapped over lines, or "Phần thứ nhất" + title
    if _MARKER_RE.match(prev) and len(prev) < 160:
        return False  # a heading line, then its first body paragraph
    return True


def is_hard_wrapped(lines: list[str]) -> bool:
    """Paragraphs separated by blank lines, their lines wrapped short (markdown from HTML, e-mail text)."""
    nonblank = [ln for ln in lines if ln.strip()]
    if len(nonblank) < 8:
        return False
    blank = len(lines) - len(nonblank)
    lengths = sorted(len(ln) for ln in nonblank)
    return blank >= 0.2 * len(nonblank) and lengths[int(len(lengths) * 0.9)] <= 120


def split_paragraphs(text: str, wrapped: bool | None = None) -> tuple[list[Paragraph], int]:
    """Cleaned text → paragraphs, and how many garbled lines were dropped. `wrapped`: whether the text is hard
    wrapped (`is_hard_wrapped`), when it was decided on a larger text this one was cut from.

    Blank lines always separate paragraphs; within a block, a line joins the previous one when it continues it.
    """
    paragraphs: list[str] = []
    dropped = 0
    cur: list[str] = []  # the lines of the paragraph being built, joined once it ends
    size = 0
    lines = text.splitlines()
    wrapped = is_hard_wrapped(lines) if wrapped is None else wrapped
    for raw in lines:
        garbled = is_garbled(raw)
        dropped += garbled
        line = "" if garbled else strip_markup(raw)
        if not line:
            if cur:
                paragraphs.append(" ".join(cur))
            cur, size = [], 0
            continue
        if cur and _continues(_view(cur, size), line, wrapped):
            cur.append(line)
            size += len(line) + 1
        else:
            if cur:
                paragraphs.append(" ".join(cur))
            cur, size = [line], len(line)
    if cur:
        paragraphs.append(" ".join(cur))
    return [Paragraph(p) for p in paragraphs if strip_marks(p)], dropped


def _view(lines: list[str], size: int) -> str:
    """The paragraph so far as `_continues` reads it: whole while short; past 4,000 characters its first and
    last lines (its start and its end are what the checks read), so a long paragraph is not rescanned per line."""
    if size <= 4000:
        return " ".join(lines)
    return f"{lines[0][:2000]} {lines[-1][-200:]}" if len(lines) > 1 else lines[0]


def footnote_refs(text: str) -> tuple[int, ...]:
    """The footnote numbers a text cites, in order, each once."""
    return tuple(dict.fromkeys(int(n) for n in FOOTMARK_RE.findall(text)))


def strip_marks(text: str) -> str:
    """The text without footnote marks, as a reader sees it."""
    if "\ue000" not in text:
        return text
    return re.sub(r"\s+([,.;:)])", r"\1", " ".join(FOOTMARK_RE.sub(" ", text).split()))


def _clean_cell(cell: Cell) -> Cell:
    return Cell(tuple(t for line in cell.lines if (t := strip_markup(line))), cell.bold)


def _with_tables(paragraphs: list[Paragraph], tables: Sequence[Sequence[Sequence[Cell]]]) -> list[Paragraph]:
    """Each table's placeholder paragraph replaced by the table: a data table's rows (`table_paragraphs`), a
    layout table's cells as plain paragraphs."""
    out: list[Paragraph] = []
    number = 0
    for p in paragraphs:
        m = PLACEHOLDER_RE.match(p.text)
        if m is None or int(m.group(1)) >= len(tables):
            out.append(p)
            continue
        rows = [[_clean_cell(c) for c in r] for r in tables[int(m.group(1))]]
        if is_layout(rows, len(out)):
            out.extend(Paragraph(t) for t in layout_paragraphs(rows) if strip_marks(t))
        else:
            out.extend(table_paragraphs(rows, number, [x.text for x in out[-2:]]))
            number += 1
    return out


def clean(raw: str, tables: Sequence[Sequence[Sequence[Cell]]] = ()) -> tuple[list[Paragraph], dict[int, str], int]:
    """Raw document text → (paragraphs, footnote bodies by number, garbled lines dropped). Tables in the
    markdown bar form are read as tables; `tables` are those a reader found itself (HTML), each standing in the
    text as its `placeholder`."""
    text = normalize_unicode(raw).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = repair_codes(text)
    text, notes = extract_footnotes(text)
    notes = {n: strip_markup(b) for n, b in notes.items()}
    wrapped = is_hard_wrapped(text.splitlines())
    text, found = markdown_tables(text, first=len(tables))
    paragraphs, dropped = split_paragraphs(text, wrapped)
    return _with_tables(paragraphs, [*tables, *found]), notes, dropped

"""Word .docx, read from its XML (no dependency): paragraphs with their list numbering, footnotes where they are
cited, tables kept as tables, the letterhead table and page headers/footers for the metadata, and runs set in
legacy fonts (``.VnTime``, ``VNI-Times``) converted to Unicode.

A numbered paragraph gets its number as printed (``1.1.``, ``a)``, ``II.``) in front of its text, so the heading
grammar of `pipeline.sections` finds the same section tree as in the text form of the report.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from pipeline.readers import safety
from pipeline.readers.common import build_document, normalize
from pipeline.readers.legacy import from_font
from pipeline.readers.tables import read_table
from pipeline.text.clean import FOOTMARK
from pipeline.types import Document, Paragraph

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"  # a text box said twice


def _attr(el: ET.Element | None, tag: str, name: str = "val") -> str | None:
    """The `w:val` (or another attribute) of the child `tag` of `el`."""
    if el is None:
        return None
    child = el.find(W + tag)
    return None if child is None else child.get(W + name)


def _font(rpr: ET.Element | None) -> str | None:
    fonts = rpr.find(W + "rFonts") if rpr is not None else None
    if fonts is None:
        return None
    return fonts.get(W + "ascii") or fonts.get(W + "hAnsi")


@dataclass
class _Style:
    name: str = ""
    font: str | None = None
    num: tuple[str, int] | None = None  # (numId, level) the style numbers its paragraphs with
    based_on: str | None = None
    level: int | None = None  # outline level of a heading style, 1 = top


def _paragraphs(el: ET.Element):
    """The paragraphs under `el` in reading order, through tables and content controls; a text box's paragraphs
    are read with the paragraph that anchors it."""
    for child in el:
        if child.tag == W + "p":
            yield child
        elif child.tag in (W + "tbl", W + "tr", W + "tc", W + "sdt", W + "sdtContent", W + "customXml"):
            yield from _paragraphs(child)


def _outline(ppr: ET.Element | None) -> int | None:
    """``<w:outlineLvl w:val="1"/>`` → 2 (Word counts from 0; 9 is body text)."""
    val = _attr(ppr, "outlineLvl")
    return int(val) + 1 if val and len(val) == 1 and val.isdigit() and int(val) < 9 else None


def _level(raw: str | None, default: int = 0) -> int:
    """A list level (``w:ilvl``): 0-8 in Word; anything else is read as `default`'s list, not an error."""
    level = safety.bounded_int(raw, default, safety.limits().max_list_number, "a list level")
    return level if 0 <= level < 9 else default


def _roman(n: int) -> str:
    """1994 → ``MCMXCIV``, in time linear in the letters written (thousands as that many ``M``).

    >>> _roman(1994), _roman(4000)
    ('MCMXCIV', 'MMMM')
    """
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        times, n = divmod(n, value)
        out.append(letters * times)
    return "".join(out)


def _format(n: int, fmt: str) -> str:
    match fmt:
        case "upperRoman":
            return _roman(n)
        case "lowerRoman":
            return _roman(n).lower()
        case "upperLetter":
            return chr(ord("A") + (n - 1) % 26)
        case "lowerLetter":
            return chr(ord("a") + (n - 1) % 26)
        case "none":
            return ""
        case _:
            return str(n)


@dataclass
class _Numbering:
    """List numbering: numId → abstract definition → per-level (format, text, start); counters as read."""

    levels: dict[str, dict[int, tuple[str, str, int]]] = field(default_factory=dict)
    counters: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def parse(cls, root: ET.Element | None) -> _Numbering:
        out = cls()
        if root is None:
            return out
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        most = safety.limits().max_list_number
        for a in root.iter(W + "abstractNum"):
            lvls = {}
            for lvl in a.iter(W + "lvl"):
                level = safety.bounded_int(lvl.get(W + "ilvl"), 0, most, "a list level")
                if 0 <= level < 9:
                    lvls[level] = (_attr(lvl, "numFmt") or "decimal", _attr(lvl, "lvlText") or "",
                                   safety.bounded_int(_attr(lvl, "start"), 1, most, "the start number of a list"))
            abstract[a.get(W + "abstractNumId", "")] = lvls
        for num in root.iter(W + "num"):
            out.levels[num.get(W + "numId", "")] = abstract.get(_attr(num, "abstractNumId") or "", {})
        return out

    def label(self, num_id: str, level: int) -> str:
        """The next label of list `num_id` at `level` (``1.2.``, ``a)``, ``-`` for bullets)."""
        lvls = self.levels.get(num_id)
        if not lvls or level not in lvls:
            return ""
        fmt, text, _ = lvls[level]
        counts = self.counters.setdefault(num_id, [lvls.get(i, ("", "", 1))[2] - 1 for i in range(9)])
        counts[level] += 1
        safety.check_count("a list number", counts[level], safety.limits().max_list_number)
        for deeper in range(level + 1, 9):
            counts[deeper] = lvls.get(deeper, ("", "", 1))[2] - 1
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""

        def one(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            return _format(max(counts[k], 1), lvls.get(k, ("decimal", "", 1))[0]) if 0 <= k < 9 else ""

        return re.sub(r"%(\d)", one, text).strip()


class _Reader:
    def __init__(self, parts: dict[str, ET.Element | None]) -> None:
        self.styles: dict[str, _Style] = {}
        self.default_font: str | None = None
        self.numbering = _Numbering.parse(parts.get("word/numbering.xml"))
        self.note_bodies: dict[str, ET.Element] = {}
        self.note_numbers: dict[str, int] = {}
        self.chars = 0  # characters of table text read, a merged cell's once per row it spans
        self._parse_styles(parts.get("word/styles.xml"))
        for part, tag, prefix in (("word/footnotes.xml", "footnote", ""), ("word/endnotes.xml", "endnote", "e")):
            notes = parts.get(part)
            for fn in notes.iter(W + tag) if notes is not None else ():
                if fn.get(W + "type") in (None, "normal"):
                    self.note_bodies[prefix + fn.get(W + "id", "")] = fn

    def _parse_styles(self, root: ET.Element | None) -> None:
        if root is None:
            return
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.default_font = _font(defaults)
        for s in root.iter(W + "style"):
            ppr = s.find(W + "pPr")
            numpr = ppr.find(W + "numPr") if ppr is not None else None
            num = None
            if numpr is not None and _attr(numpr, "numId") not in (None, "0"):
                num = (_attr(numpr, "numId") or "", _level(_attr(numpr, "ilvl")))
            name = (_attr(s, "name") or "").lower()
            heading = re.match(r"(heading|tiêu đề)\s*(\d)$", name)
            self.styles[s.get(W + "styleId", "")] = _Style(
                name=name, font=_font(s.find(W + "rPr")), num=num, based_on=_attr(s, "basedOn"),
                level=int(heading.group(2)) if heading else _outline(ppr))

    def _inherited(self, style_id: str | None, attr: str):
        """A style's own `attr` (level, font), else the one of the style it is based on, and so on."""
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            st = self.styles.get(style_id)
            if st is None:
                break
            if getattr(st, attr):
                return getattr(st, attr)
            style_id = st.based_on
        return None

    def _style_level(self, style_id: str | None) -> int | None:
        return self._inherited(style_id, "level")

    def _style_font(self, style_id: str | None) -> str | None:
        return self._inherited(style_id, "font") or self.default_font

    # --- text ---

    def text(self, el: ET.Element, para_font: str | None) -> str:
        """The text of a paragraph (or any element), footnote references as marks, legacy fonts converted."""
        out: list[str] = []
        self._walk(el, para_font, para_font, out)
        return "".join(out)

    def _walk(self, el: ET.Element, para_font: str | None, font: str | None, out: list[str]) -> None:
        for child in el:
            tag = child.tag
            if tag in (W + "del", W + "moveFrom", W + "instrText", W + "delText", W + "pPr", W + "rPr", MC_FALLBACK):
                continue
            if tag == W + "r":
                rpr = child.find(W + "rPr")
                run_font = _font(rpr)
                if run_font is None and (rstyle := _attr(rpr, "rStyle")):
                    run_font = (self.styles.get(rstyle) or _Style()).font
                self._walk(child, para_font, run_font or para_font, out)
            elif tag == W + "t":
                out.append(from_font(child.text or "", font))
            elif tag in (W + "tab", W + "br", W + "cr"):
                out.append(" ")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "p":  # a paragraph of a text box inside this one
                out.append(" ")
                self._walk(child, para_font, font, out)
                out.append(" ")
            elif tag in (W + "footnoteReference", W + "endnoteReference"):
                note_id = ("e" if tag == W + "endnoteReference" else "") + child.get(W + "id", "")
                if note_id in self.note_bodies:
                    n = self.note_numbers.setdefault(note_id, len(self.note_numbers) + 1)
                    out.append(FOOTMARK.format(n))
            else:
                self._walk(child, para_font, font, out)

    def block(self, p: ET.Element) -> Paragraph:
        """A body paragraph, with the outline level of its heading style (or its own outline level)."""
        ppr = p.find(W + "pPr")
        level = _outline(ppr) if ppr is not None and ppr.find(W + "outlineLvl") is not None else \
            self._style_level(_attr(ppr, "pStyle"))
        return Paragraph(self.paragraph(p), None, level)

    def paragraph(self, p: ET.Element) -> str:
        ppr = p.find(W + "pPr")
        style_id = _attr(ppr, "pStyle")
        style = self.styles.get(style_id or "", _Style())
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        num = style.num
        if numpr is not None:
            num_id = _attr(numpr, "numId")
            num = None if num_id in (None, "0") else (num_id, _level(_attr(numpr, "ilvl"), num[1] if num else 0))
        text = self.text(p, self._style_font(style_id))
        if num and text.strip():
            label = self.numbering.label(*num)
            if label and not text.lstrip().startswith(label):
                text = f"{label} {text.strip()}"
        return text

    def footnotes(self) -> dict[int, str]:
        out = {}
        for note_id, n in self.note_numbers.items():
            body = " ".join(self.text(p, self.default_font) for p in _paragraphs(self.note_bodies[note_id]))
            out[n] = body
        return out

    # --- tables ---

    def cells(self, tbl: ET.Element) -> list[list[list[str]]]:
        """A table → rows → cells → the cell's paragraphs. A cell spanning columns is followed by empty ones, so
        columns line up with the header; a cell merged with the one above repeats it, so every row reads whole."""
        lim = safety.limits()
        rows: list[list[list[str]]] = []
        for tr in tbl.findall(W + "tr"):
            row: list[list[str]] = []
            for tc in tr.findall(W + "tc"):
                tcpr = tc.find(W + "tcPr")
                span = max(1, safety.bounded_int(_attr(tcpr, "gridSpan"), 1, lim.max_span,
                                                 "columns spanned by one table cell"))
                safety.check_count("cells in one table row", len(row) + span, lim.max_row_cells)
                merge = tcpr.find(W + "vMerge") if tcpr is not None else None
                if merge is not None and merge.get(W + "val") in (None, "continue") and rows:
                    col = len(row)
                    above = rows[-1][col] if col < len(rows[-1]) else []
                    row.extend([above] * span)
                    self._spend(span * sum(len(t) for t in above))  # a merged cell is read again in every row
                    continue
                row.append([t for t in (self.paragraph(p).strip() for p in _paragraphs(tc)) if t])
                row.extend([] for _ in range(span - 1))
            rows.append(row)
        return rows

    def _spend(self, chars: int) -> None:
        """Count characters of table text read (repeats included): ValueError past the document limit."""
        self.chars += chars
        safety.check_count("characters of table text", self.chars, safety.limits().max_chars)


def _parse(z: zipfile.ZipFile, name: str) -> ET.Element | None:
    if name not in z.NameToInfo:
        return None
    try:
        root = ET.fromstring(safety.read_member(z, name))  # read in pieces, refused if it expands without end
    except ET.ParseError as e:
        raise ValueError(f"damaged .docx: {name} is not valid XML ({e}) — open and re-save it in Word") from None
    safety.check_count(f"levels of elements nested in {name} (tables in tables?)", _depth(root),
                       safety.limits().max_depth)
    return root


def _depth(root: ET.Element) -> int:
    """How deep elements nest under `root`, measured without recursion (so without a RecursionError)."""
    deepest, todo = 0, [(root, 1)]
    while todo:
        el, d = todo.pop()
        deepest = max(deepest, d)
        todo.extend((c, d + 1) for c in el)
    return deepest


def read_docx_file(data: bytes, path: str, name: str) -> Document:
    """A .docx file → Document: paragraphs with their numbering and headings, tables, footnotes and endnotes."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValueError("this is an old Word .doc file (or a password-protected .docx) named .docx — rename it "
                         ".doc, or open it in Word and save as .docx (tệp .doc cũ hoặc có mật khẩu)")
    try:
        zipfile.ZipFile(io.BytesIO(data)).close()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ValueError("not a valid .docx file (the zip container is broken) — open and re-save it in Word "
                         "(tệp .docx bị hỏng)") from None
    z = safety.open_zip(data)  # its directory checked for zip bombs before anything is unpacked
    with z:
        parts = {n: _parse(z, n) for n in ("word/document.xml", "word/styles.xml", "word/numbering.xml",
                                           "word/footnotes.xml", "word/endnotes.xml")}
        headers = [_parse(z, n) for n in z.namelist() if re.match(r"word/(header|footer)\d*\.xml$", n)]
    body = parts["word/document.xml"]
    if body is None:
        raise ValueError("not a Word document: word/document.xml is missing — is this a .docx file?")
    reader = _Reader(parts)
    blocks: list[Paragraph] = []
    n_tables = 0

    def walk(container: ET.Element) -> None:
        nonlocal n_tables
        for el in container:
            if el.tag == W + "p":
                blocks.append(reader.block(el))
            elif el.tag == W + "tbl":
                paragraphs, data = read_table(reader.cells(el), blocks, n_tables, normalize)
                n_tables += data
                blocks.extend(paragraphs)
            elif el.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "smartTag"):
                walk(el)

    inner = body.find(W + "body")
    walk(inner if inner is not None else body)
    extra = [reader.text(p, reader.default_font) for h in headers if h is not None for p in _paragraphs(h)]
    extra = [t for t in extra if t.strip() and not t.strip().isdigit()]
    return build_document(blocks, reader.footnotes(), data, path, name, extra_meta=extra)

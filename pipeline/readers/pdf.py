"""PDF with a text layer (pdfplumber): paragraphs with the page they start on, running headers and page numbers
removed, lines re-joined (codes broken at a hyphen re-glued), footnote numbers in the text (superscript, or
glued to a word: ``kế hoạch1``) turned into references to the footnote text at the page bottom.

A scanned PDF (no text layer) is detected and reported; with ``ocr=True`` its pages are read by Tesseract's
Vietnamese model instead (see `pipeline.readers.ocr`).

pdfplumber was chosen over pypdf on the seed report converted by LibreOffice: pypdf emits the glyphs that fall
back to another font out of order (``Y BAN NHÂN DÂNỦ``), pdfplumber places every glyph by its position
(see docs/benchmarks.md, "PDF text fidelity").
"""

from __future__ import annotations

import io
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.readers import safety
from pipeline.readers.common import build_document
from pipeline.readers.running import PAGE_NO_RE, shape
from pipeline.text.clean import FOOTMARK
from pipeline.text.metadata import DOC_TYPES
from pipeline.types import Document, Paragraph

if TYPE_CHECKING:
    from pdfplumber.page import Page

_TERMINAL = tuple(".!?;:…")
_NOTE_START_RE = re.compile(r"^(\d{1,3})\s*(?=\S)")
_GLUED_RE = re.compile(r"(?<=[^\W\d_])(\d{1,3})(?=[\s,.;:)”\"]|$)")
_SCANNED_MIN_CHARS = 20  # a page with fewer characters than this has no text layer
_OCR_HINT = ("ingest it with --ocr (needs Tesseract: apt-get install tesseract-ocr tesseract-ocr-vie) "
             "(PDF scan, không có lớp văn bản: dùng --ocr)")


def _pdfplumber():
    try:
        import pdfplumber
    except ImportError:
        raise ValueError("reading PDF needs pdfplumber: pip install pdfplumber (or `pip install -e .` in tracuu)") \
            from None
    return pdfplumber


@dataclass
class _Line:
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    text: str  # with printed footnote numbers as "\ue000{n}\ue001" until the notes are known
    refs: list[int] = field(default_factory=list)
    first_word: float = 0.0  # width of the first word: a line breaks early when that word does not fit


def _line_text(chars: list[dict], body_size: float) -> tuple[str, float, list[int], float]:
    """A line's characters → (text, main font size, superscript numbers). Spaces come from gaps between glyphs;
    a wide gap (two columns of a letterhead) becomes `` | ``. Rotated glyphs (a diagonal "DỰ THẢO" watermark)
    are not part of the line."""
    chars = sorted((c for c in chars if (c["text"].strip() or c["text"] == " ") and c.get("upright", True)),
                   key=lambda c: c["x0"])
    if not chars:
        return "", body_size, [], 0.0
    size = Counter(round(c["size"], 1) for c in chars if c["text"].strip()).most_common(1)[0][0]
    out: list[str] = []
    refs: list[int] = []
    prev_x1 = None
    sup = ""

    def flush_sup() -> None:
        nonlocal sup
        if sup:
            refs.append(int(sup))
            out.append(f"\ue000{sup}\ue001")
            sup = ""

    for c in chars:
        t = c["text"]
        if t == " ":
            flush_sup()
            out.append(" ")
            prev_x1 = c["x1"]
            continue
        gap = c["x0"] - prev_x1 if prev_x1 is not None else 0
        if t.isdigit() and c["size"] < 0.8 * size and out and out[-1] != " " and (sup or gap < 0.5 * size):
            sup += t  # a superscript number right after a word: a footnote reference
            prev_x1 = max(c["x1"], prev_x1 or c["x1"])
            continue
        flush_sup()
        if prev_x1 is not None and gap > 2.5 * size:
            out.append(" | ")
        elif prev_x1 is not None and gap > 0.12 * size and not unicodedata.combining(t[0]):
            out.append(" ")
        out.append(t)
        prev_x1 = max(c["x1"], prev_x1 or c["x1"])
    flush_sup()
    first_word = next((a["x1"] - chars[0]["x0"] for a, b in zip(chars, chars[1:], strict=False)
                       if b["text"] == " " or b["x0"] - a["x1"] > 0.12 * size), chars[-1]["x1"] - chars[0]["x0"])
    return re.sub(r" {2,}", " ", "".join(out)).strip(), size, refs, first_word


def _lines(page: Page, number: int, body_size: float) -> list[_Line]:
    out = []
    for ln in page.extract_text_lines(return_chars=True, strip=True):
        text, size, refs, first_word = _line_text(ln["chars"], body_size)
        if text:
            out.append(_Line(number, ln["x0"], ln["x1"], ln["top"], ln["bottom"], size, text, refs, first_word))
    return out


def _running(pages: list[list[_Line]]) -> set[tuple[int, int]]:
    """(page, line index) of running headers and footers: page numbers, and lines in the top or bottom two
    of a page whose shape (digits aside) repeats on at least half of the pages."""
    edge = [(p, i) for p, lines in enumerate(pages) for i in {0, 1, len(lines) - 2, len(lines) - 1}
            if 0 <= i < len(lines)]
    shapes = Counter(shape(pages[p][i].text) for p, i in set(edge))
    many = max(2, len(pages) // 2)
    out = set()
    for p, i in edge:
        text = pages[p][i].text
        if PAGE_NO_RE.match(text) or (len(pages) >= 3 and shapes[shape(text)] >= many):
            out.add((p, i))
    return out


def _split_notes(lines: list[_Line], body_size: float, open_note: bool) -> tuple[list[_Line], list[_Line]]:
    """A page's lines → (body, footnote area): the footnote area is the run of smaller lines at the bottom
    that opens with a number, or with the rest of a note the previous page left `open_note`."""
    k = len(lines)
    while k > 0 and lines[k - 1].size < 0.9 * body_size and " | " not in lines[k - 1].text:
        k -= 1  # (a table row in small print is not a note)
    area = lines[k:]
    while area and not open_note and not _NOTE_START_RE.match(area[0].text):
        area = area[1:]  # small body text (a table, a caption) above the notes stays in the body
    return lines[: len(lines) - len(area)], area


def read_pdf_file(data: bytes, path: str, name: str, ocr: bool = False) -> Document:
    """A PDF → Document from its text layer; scanned pages are read by Tesseract when `ocr` is set."""
    pdfplumber = _pdfplumber()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        n_pages = len(pdf.pages)
    except Exception as e:  # pdfminer raises many types for broken or encrypted files
        msg = str(e) or type(e).__name__
        if "password" in msg.lower() or "encrypt" in msg.lower():
            raise ValueError("the PDF is password-protected — save an unprotected copy (tệp PDF có mật khẩu)") \
                from None
        raise ValueError(f"not a readable PDF ({msg}) — is the file complete? (tệp PDF bị hỏng)") from None
    with pdf:
        if n_pages == 0:
            raise ValueError("the PDF has no pages (tệp PDF rỗng)")
        safety.check_count("pages in the PDF", n_pages, safety.limits().max_pages)
        try:
            counts = [len(p.chars) for p in pdf.pages]
        except Exception as e:
            raise ValueError(f"the PDF's pages could not be read ({str(e) or type(e).__name__}) — is it damaged?") \
                from None
        if sum(c >= _SCANNED_MIN_CHARS for c in counts) < max(1, n_pages / 2):
            if not ocr:
                raise ValueError(
                    f"scanned PDF: {sum(c < _SCANNED_MIN_CHARS for c in counts)} of {n_pages} pages have no text "
                    f"layer — {_OCR_HINT}")
            from pipeline.readers.ocr import ocr_pdf

            return ocr_pdf(pdf, data, path, name)
        # a few scanned pages (an image, no text) among text pages: read them too, or say which they are
        scanned = [i + 1 for i, (c, p) in enumerate(zip(counts, pdf.pages, strict=True))
                   if c < _SCANNED_MIN_CHARS and p.images]
        if scanned and not ocr:
            raise ValueError(f"page(s) {', '.join(map(str, scanned))} of {n_pages} are scanned images without a text "
                             f"layer — {_OCR_HINT}")
        ocr_blocks: dict[int, list[str]] = {}
        if scanned:
            from pipeline.readers.ocr import ocr_pages

            ocr_blocks = ocr_pages(pdf, scanned)
        try:
            sizes = Counter(round(c["size"], 1) for p in pdf.pages for c in p.chars if c["text"].strip())
            body_size = sizes.most_common(1)[0][0]
            pages = [_lines(p, i + 1, body_size) for i, p in enumerate(pdf.pages)]
        except Exception as e:  # a damaged content stream deep inside pdfminer
            raise ValueError(f"the PDF's text could not be read ({str(e) or type(e).__name__}) — is it damaged?") \
                from None
    return _assemble(pages, body_size, data, path, name, ocr_blocks)


def _assemble(pages: list[list[_Line]], body_size: float, data: bytes, path: str, name: str,
              ocr_blocks: dict[int, list[str]] | None = None) -> Document:
    """The document of the read pages: running headers and footers out (kept as metadata), footnotes
    numbered in order of their first mark, lines joined into paragraphs, unmarked notes and OCR text placed
    after the last paragraph of their page."""
    running = _running(pages)
    extra = list(dict.fromkeys(pages[p][i].text for p, i in running if not PAGE_NO_RE.match(pages[p][i].text)))
    bodies, page_notes = _bodies_and_notes(pages, running, body_size)
    notes: dict[int, str] = {}
    numbers: dict[tuple[int, int], int] = {}

    def mark(page: int, printed: int) -> str:
        key = (page, printed)
        if key not in page_notes:
            return ""
        numbers.setdefault(key, len(numbers) + 1)
        notes[numbers[key]] = page_notes[key]
        return FOOTMARK.format(numbers[key])

    blocks = _paragraphs(bodies, body_size, mark)
    _place_late(blocks, page_notes, numbers, ocr_blocks)
    return build_document([Paragraph(t, p) for t, p in blocks], notes, data, path, name, extra_meta=extra)


def _bodies_and_notes(pages: list[list[_Line]], running: set[tuple[int, int]], body_size: float
                      ) -> tuple[list[list[_Line]], dict[tuple[int, int], str]]:
    """Each page's body lines (running lines left out) and the footnotes below them, keyed by (page,
    printed number); a note unfinished at the foot of a page goes on at the top of the next one's notes."""
    bodies: list[list[_Line]] = []
    page_notes: dict[tuple[int, int], str] = {}  # (page, printed number) → note text
    last_note: tuple[int, int] | None = None
    for p, lines in enumerate(pages):
        kept = [ln for i, ln in enumerate(lines) if (p, i) not in running]
        unfinished = last_note is not None and last_note[0] == p and not page_notes[last_note].endswith(_TERMINAL)
        body, area = _split_notes(kept, body_size, unfinished)
        cited = {n for ln in body for n in ln.refs} | {int(n) for ln in body for n in _GLUED_RE.findall(ln.text)}
        for ln in area:
            m = _NOTE_START_RE.match(ln.text)
            number = _note_number(ln.text, cited) if m else None
            if number is not None and last_note is not None and last_note[0] == p + 1 and number <= last_note[1]:
                number = None  # notes on a page go up: "13.452 người" inside note 13 does not open it again
            if number is not None:
                last_note = (p + 1, number)
                page_notes[last_note] = ln.text[len(str(number)) :].strip()
            elif last_note is not None:  # a note continued on the next line, or on the next page
                page_notes[last_note] += " " + ln.text
        bodies.append(body)
    return bodies, page_notes


def _paragraphs(bodies: list[list[_Line]], body_size: float, mark: Callable[[int, int], str]
                ) -> list[tuple[str, int | None]]:
    """The body lines joined into (paragraph, page) blocks, a line continuing the one before it by its
    indent, width and spacing; note marks become footnote references through `mark`."""
    body_lines = [ln for b in bodies for ln in b]
    if not body_lines:
        raise ValueError("no readable text in the PDF (không có nội dung đọc được)")
    left = statistics.median(ln.x0 for ln in body_lines)
    rights = [ln.x1 for ln in body_lines]
    right = statistics.quantiles(rights, n=10, method="inclusive")[-1] if len(rights) > 1 else rights[0]
    gaps = [b.top - a.bottom for page in bodies for a, b in zip(page, page[1:], strict=False) if b.top > a.bottom]
    gap = statistics.median(gaps) if gaps else 0.0
    blocks: list[tuple[str, int | None]] = []
    prev: _Line | None = None
    for ln in body_lines:
        text = _marks_to_refs(ln.text, ln.page, mark)
        if prev is not None and _continues(prev, ln, left, right, gap, body_size) and blocks:
            blocks[-1] = (_join(blocks[-1][0], text), blocks[-1][1])
        else:
            blocks.append((text, ln.page))
        prev = ln
    return blocks


def _marks_to_refs(text: str, page: int, mark: Callable[[int, int], str]) -> str:
    """The note marks of a line of page `page` (superscripts, ``kế hoạch1``) as footnote references."""
    text = re.sub("\ue000(\\d+)\ue001", lambda m: mark(page, int(m.group(1))), text)
    return _GLUED_RE.sub(lambda m: _glued(m, page, mark), text)


def _place_late(blocks: list[tuple[str, int | None]], page_notes: dict[tuple[int, int], str],
                numbers: dict[tuple[int, int], int], ocr_blocks: dict[int, list[str]] | None) -> None:
    """A note no mark in the text was found for is kept as a paragraph after the last one of its page; so are
    the paragraphs OCR read on a scanned page (`blocks` is changed in place)."""
    late: dict[int, list[str]] = {}
    for (page, printed), note in sorted(page_notes.items()):
        if (page, printed) not in numbers:
            late.setdefault(page, []).append(f"[{printed}] {note}")
    for page, texts in (ocr_blocks or {}).items():
        late.setdefault(page, []).extend(texts)
    for page in sorted(late, reverse=True):
        at = max((i + 1 for i, (_, pg) in enumerate(blocks) if pg is not None and pg <= page), default=0)
        blocks[at:at] = [(t, page) for t in late[page]]


_LENGTH_UNITS = ("m", "km", "cm", "dm", "mm", "ha")  # "m2", "km2": a digit after them is a power, not a note


def _glued(m: re.Match[str], page: int, mark: Callable[[int, int], str]) -> str:
    """``kế hoạch1`` → a reference to note 1 when page `page` has that note; ``m2``, ``km2`` stay."""
    word = re.search(r"[^\W\d_]+$", m.string[: m.start()]).group()  # type: ignore[union-attr]  # _GLUED_RE follows a word
    if word.lower() in _LENGTH_UNITS:
        return m.group(1)
    return mark(page, int(m.group(1))) or m.group(1)


def _note_number(text: str, cited: set[int]) -> int | None:
    """The number opening a footnote line: the longest digit prefix the page's body cites (``112 chỉ tiêu``
    opens note 1 when the page cites 1 but not 11 or 112); the whole prefix when the body cites none."""
    digits = re.match(r"\d+", text).group()  # type: ignore[union-attr]  # a note line starts with its number
    if re.match(r"[.,/:]\d", text[len(digits) :]):
        return None  # "13.452/15.000 …": a figure, not a note number
    for k in range(len(digits), 0, -1):
        if int(digits[:k]) in cited:
            return int(digits[:k])
    return int(digits) if not cited else None


def _continues(prev: _Line, line: _Line, left: float, right: float, gap: float, size: float) -> bool:
    """Does `line` carry on the paragraph `prev` ends? Yes when `prev` runs to the right margin and `line`
    neither opens with a first-line indent after a finished sentence nor sits after a paragraph gap."""
    if " | " in prev.text or " | " in line.text:
        return False
    if _standalone(line.text) or _standalone(prev.text):
        return False  # "BÁO CÁO", "QUYẾT ĐỊNH", the national motto stand alone in the letterhead
    if prev.x1 + 0.3 * size + line.first_word < right - 0.5 * size:
        return False  # the first word would have fitted on the line above: that line ended its paragraph
    if line.page == prev.page and line.top - prev.bottom > gap + 0.4 * size:
        return False
    indented = line.x0 > left + 0.6 * size
    return not (indented and prev.text.rstrip("\ue001").endswith(_TERMINAL))


def _standalone(text: str) -> bool:
    text = text.strip()
    return text in DOC_TYPES or text.startswith(("CỘNG HÒA", "CỘNG HOÀ", "Độc lập -", "Độc lập –"))


def _join(a: str, b: str) -> str:
    """Two lines of one paragraph: a soft hyphen or a code broken at its hyphen (``27/NQ-`` + ``HĐND``) joins
    without a space; a spaced dash (``kinh tế -`` + ``xã hội``) and everything else with one."""
    if a.endswith("\u00ad"):
        return a[:-1] + b
    if re.search(r"[^\W_]-$", a) and b[:1].isalnum():
        return a + b
    return f"{a} {b}"

"""Tables as data: rows of cells → paragraphs that carry their `TableRow`, headers merged, groups and merged
cells carried down, and the layout tables of a letterhead or a signature block read as plain paragraphs.

Every reader hands its tables here as rows of cell texts: the .docx reader from its XML, the HTML reader
through the markdown form, and the markdown reader from the form HTML-to-markdown converters write for tables
whose cells hold several lines (`markdown_tables`)::

    |
    **Địa bàn**
    |
    **Mầm non**
    |
    |
    Đô thị
    |
    190
    |

one ``|`` line before each cell, two between rows, one after the last, and a blank line after the table.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.types import Paragraph, RowKind, TableRow

_LETTERHEAD_RE = re.compile(r"CỘNG HÒA|CỘNG HOÀ|Độc lập|Số\s*:|ngày\s.*tháng", re.IGNORECASE)
_MOTTO_RE = re.compile(r"CỘNG HÒA XÃ HỘI|CỘNG HOÀ XÃ HỘI|Độc lập - Tự do", re.IGNORECASE)
_SIGNATURE_RE = re.compile(r"^(Nơi nhận|TM\.|KT\.|T/M|Q\.|CHỦ TỊCH|GIÁM ĐỐC|BỘ TRƯỞNG)|\bCHỦ TỊCH\b", re.IGNORECASE)
_UNIT_RE = re.compile(r"\b(?:đơn vị tính|đvt|đơn vị)\s*[:：]\s*(.+?)\s*\)?$", re.IGNORECASE)
_NUMERIC_RE = re.compile(r"[-+]?[\d.,]+\s*%?|[-–—x]")
_CAPTION_MAX = 200
RUNNING_NUMBER_RE = re.compile(r"(?:\d+(?:\.\d+)*|[IVXLC]+|[a-zđ])[.)]?", re.IGNORECASE)  # "1", "II", "a)"


@dataclass(frozen=True)
class Cell:
    """A cell as a reader finds it: its paragraphs, and whether it is set in bold (a header's mark in the
    markdown and HTML forms; None where the reader cannot tell)."""

    lines: tuple[str, ...]
    bold: bool | None = None

    @property
    def text(self) -> str:
        """The cell's text on one line."""
        return " ".join(" ".join(self.lines).split())


def is_layout(rows: Sequence[Sequence[Cell]], before: int) -> bool:
    """A table used for layout, not data: the letterhead (issuer and number, motto, place and date) a document
    opens with (`before`: paragraphs above it), a signature or "Nơi nhận" block, a single column, or one or
    two cells a row for at most two rows."""
    texts = [c.text.replace("*", "") for r in rows for c in r]
    width = max((len(r) for r in rows), default=0)
    if width <= 1 or (width == 2 and len(rows) <= 2):
        return True
    if before < 3 and len(rows) <= 4 and any(_LETTERHEAD_RE.search(t) for t in texts):
        return True
    if len(rows) <= 2 and any(_MOTTO_RE.search(t) for t in texts):  # a form's letterhead, in an annex
        return True
    return len(rows) <= 3 and any(_SIGNATURE_RE.search(t) for t in texts)


def _is_group(row: Sequence[Cell], width: int) -> bool:
    """A label across the table ("I. Chỉ tiêu kinh tế"): one filled cell in a table wider than two columns,
    or a bold row of at most a running number and a label."""
    filled = [c for c in row if c.text]
    if len(filled) == 1:
        return width > 2 and not _numeric(filled[0].text)
    return (len(filled) == 2 and all(c.bold for c in filled) and bool(RUNNING_NUMBER_RE.fullmatch(filled[0].text))
            and not _numeric(filled[1].text))


def _numeric(text: str) -> bool:
    return bool(text) and bool(_NUMERIC_RE.fullmatch(text))


def _is_header(row: Sequence[Cell], first: bool) -> bool:
    """A header row: every filled cell in bold where the reader knows, else the first row holding no figure.
    A row after the first that opens with a running number ("I", "1") is a group or data row, bold or not."""
    filled = [c for c in row if c.text]
    if not filled or (not first and (RUNNING_NUMBER_RE.fullmatch(filled[0].text) or len(filled) == 1)):
        return False  # after the first row: a group ("A. Vi sinh vật", "I") or a data row, bold or not
    if any(c.bold is not None for c in filled):
        return all(c.bold for c in filled) and not all(_numeric(c.text) for c in filled)
    return first and not any(_numeric(c.text) for c in filled)


def merge_headers(rows: Sequence[Sequence[str]], width: int, first_value: int | None = None) -> tuple[str, ...]:
    """Header rows → one header per column. A row narrower than the table spans: some of its cells head groups
    of the next row's cells (``Năm 2025 › Kế hoạch``), split evenly when the counts allow. The groups start at
    `first_value`, the first column holding figures (the columns before it — running number, indicator, unit —
    span the header rows), else they are the row's last cells; when the counts do not allow it, a full-width
    next row replaces the headers it sits under.

    >>> merge_headers([["STT", "Nội dung", "Quản lý sử dụng"], ["Để lại", "Nộp ngân sách"]], 4)
    ('STT', 'Nội dung', 'Quản lý sử dụng › Để lại', 'Quản lý sử dụng › Nộp ngân sách')
    >>> merge_headers([["TT", "Chỉ tiêu", "Năm 2025", "Năm 2026"], ["Kế hoạch", "Thực hiện"]], 5, first_value=2)
    ('TT', 'Chỉ tiêu', 'Năm 2025 › Kế hoạch', 'Năm 2025 › Thực hiện', 'Năm 2026')

    Spans of unequal width are told apart by the years their cells name (`_spans`):

    >>> merge_headers([["STT", "Nội dung", "Năm 2025", "Dự kiến 03 năm"],
    ...                ["Dự toán", "Ước thực hiện", "Năm 2026", "Năm 2027", "Năm 2028"]], 7)[2:]
    ('Năm 2025 › Dự toán', 'Năm 2025 › Ước thực hiện', 'Dự kiến 03 năm › Năm 2026', 'Dự kiến 03 năm › Năm 2027', \
'Dự kiến 03 năm › Năm 2028')
    """
    cols = list(rows[0]) if rows else []
    for nxt in rows[1:]:
        groups = len(cols) + len(nxt) - width
        # unequal spans only where the years the cells name tell them apart
        if 0 < groups <= len(cols) and (len(nxt) % groups == 0 or len(nxt) > groups and any(map(_years, nxt))):
            at, runs = _group_start(cols, nxt, groups, first_value)
            heads = cols[at : at + groups]
            merged = [f"{g} › {c}" if g else c for g, run in zip(heads, runs, strict=True) for c in run]
            cols = cols[:at] + merged + cols[at + groups :]
        elif len(nxt) == width:
            cols = [f"{a} › {b}" if a and b and a != b else (b or a)
                    for a, b in zip(cols + [""] * width, nxt, strict=False)]
    return tuple((cols + [""] * width)[:width])


_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def _years(text: str) -> set[int]:
    """The years a header names; a range ("2026 - 2030") stands for every year in it."""
    found = [int(y) for y in _YEAR_RE.findall(text)]
    if len(found) == 2 and re.search(r"\d\s*[-–]\s*(?:19|20)\d\d", text) and 0 < found[1] - found[0] <= 30:
        return set(range(found[0], found[1] + 1))
    return set(found)


_MAX_SPLITS = 5000  # ways of cutting a header row into spans tried before falling back to the first ones


def _spans(heads: Sequence[str], nxt: Sequence[str]) -> tuple[float, list[Sequence[str]]]:
    """`nxt` cut into one run of consecutive cells per head, and how well the runs agree with their heads: a
    cell naming years within its head's years counts for, one naming other years against, and so does a run
    mixing cells that name a year with cells that do not (``Năm 2025`` over ``Dự toán · Ước thực hiện``,
    ``Dự kiến 03 năm`` over ``Năm 2026 · Năm 2027 · Năm 2028``). Among equal fits, equal runs, then the most
    even."""
    n, g = len(nxt), len(heads)
    years, owns = [_years(c) for c in nxt], [_years(h) for h in heads]

    def fit(cuts: tuple[int, ...]) -> tuple[float, bool, int]:
        bounds = list(itertools.pairwise((0, *cuts, n)))
        score = 0.0
        for own, (a, b) in zip(owns, bounds, strict=True):
            score -= len({bool(y) for y in years[a:b]}) - 1
            if own:
                score += sum(2.0 if y <= own else -1.0 for y in years[a:b] if y)
        sizes = [b - a for a, b in bounds]
        return score, len(set(sizes)) == 1, min(sizes) - max(sizes)

    best = max(itertools.islice(itertools.combinations(range(1, n), g - 1), _MAX_SPLITS), key=fit)
    return fit(best)[0], [nxt[a:b] for a, b in itertools.pairwise((0, *best, n))]


def _group_start(cols: Sequence[str], nxt: Sequence[str], groups: int,
                 first_value: int | None) -> tuple[int, list[Sequence[str]]]:
    """Where the `groups` cells that span the next header row start, and the run of that row under each: where
    the years they name hold their runs' years (``Giai đoạn 2026 - 2030`` over ``Năm 2026 … Năm 2030``), else at
    the first column of figures, else at the row's end."""
    last = len(cols) - groups
    placed = {at: _spans(cols[at : at + groups], nxt) for at in range(last + 1)}

    def fit(at: int) -> tuple[float, bool]:
        return placed[at][0] + (0.5 if at == first_value else 0.25 if at == last else 0.0), at == last

    at = max(placed, key=fit)
    return at, placed[at][1]


def _first_value_column(body: Sequence[Sequence[Cell]], width: int) -> int | None:
    """The first column after the first whose cells, in the full rows, are mostly figures."""
    full = [r for r in body if len(r) == width]
    for j in range(1, width):
        cells = [r[j].text for r in full if r[j].text]
        if cells and sum(_numeric(c) for c in cells) > 0.5 * len(cells):
            return j
    return None


def _numbering(row: Sequence[Cell]) -> bool:
    """A row that numbers the columns (``1 2 3 … 8``, ``(1) (2) …``, ``A B C``) under the headers."""
    texts = [c.text.strip("()*") for c in row]
    return len(texts) > 2 and (texts == [str(i) for i in range(1, len(texts) + 1)]
                               or texts == [chr(ord("A") + i) for i in range(len(texts))])


def _caption_and_unit(before: Sequence[str]) -> tuple[str, str]:
    """The short paragraph introducing a table and the unit ("Đơn vị tính: tỷ đồng") stated above it."""
    caption, unit = "", ""
    for text in reversed(before[-2:]):
        if not unit and (m := _UNIT_RE.search(text)):
            unit = m.group(1).strip(" .;")
            continue
        if not caption and len(text) <= _CAPTION_MAX:
            caption = text
    return caption, unit


def table_paragraphs(rows: Sequence[Sequence[Cell]], table: int, before: Sequence[str] = ()) -> list[Paragraph]:
    """A data table → one paragraph a row, each carrying its `TableRow`: the merged header row first, then
    group labels and data rows. `table`: its number in the document; `before`: the paragraphs above it (for its
    caption and unit). A row narrower than the table is aligned right: the cells it lacks on the left are
    merged cells of the rows above, carried down into its context."""
    rows = [r for r in rows if any(c.text for c in r) and not _numbering(r)]
    if not rows:
        return []
    if not any(c.bold for r in rows for c in r):  # no bold anywhere: boldness tells nothing
        rows = [[Cell(c.lines) for c in r] for r in rows]
    n_head = 0
    while n_head < len(rows) - 1 and _is_header(rows[n_head], n_head == 0):
        n_head += 1
    body = rows[n_head:]
    widths = Counter(len(r) for r in body if sum(bool(c.text) for c in r) > 1)
    width = max(widths.items(), key=lambda kv: (kv[1], kv[0]))[0] if widths else max(len(r) for r in rows)
    if n_head == 1 and len(rows[0]) > 1:
        width = len(rows[0])  # one header row: its cells are the columns
    head_rows = [[c.text for c in r] for r in rows[:n_head]]
    header = merge_headers(head_rows, width, _first_value_column(body, width)) if n_head else ("",) * width
    caption, unit = _caption_and_unit(before)
    unit = unit or next((m.group(1) for h in header if (m := _UNIT_RE.search(h))), "")
    out: list[Paragraph] = []
    if n_head:
        head = TableRow(RowKind.HEADER, table, header, header, (), caption, unit)
        out.append(Paragraph(head.printed, row=head))
    group = ""
    above: list[str] = [""] * width
    for r in body:
        cells = tuple(c.text for c in r)
        filled = [c for c in cells if c]
        if _is_group(r, width):
            group = " ".join(filled)
            row = TableRow(RowKind.GROUP, table, (group,), (), (), caption, unit)
            out.append(Paragraph(row.printed, row=row))
            continue
        if len(cells) > width and not cells[0] and RUNNING_NUMBER_RE.fullmatch(cells[1]):
            cells = cells[1:]  # the bar form's meeting bars read as an empty cell before the running number
        cells = cells[:width]
        shift = width - len(cells)
        carried = tuple(c for c in above[:shift] if c and not _numeric(c) and c != group)
        if shift == 0:
            above = list(cells)
        else:
            above = above[:shift] + list(cells)
        context = tuple(x for x in (group, *carried) if x)
        row = TableRow(RowKind.DATA, table, cells, header[shift:], context, caption, unit)
        out.append(Paragraph(row.printed, row=row))
    return out


def layout_paragraphs(rows: Sequence[Sequence[Cell]]) -> list[str]:
    """A layout table read cell by cell, left to right, each paragraph of each cell its own line."""
    return [line for r in rows for c in r for line in c.lines if line.strip()]


# --- the markdown form ------------------------------------------------------------------------------------

_BAR = "|"
_BOLD_RE = re.compile(r"(?:\s*\*\*[^*]+?\*\*\s*)+")  # ``**Tổng số** **(mẫu)**``: bold in every part
_FAR = 400  # lines: a cell runs to the next bar, never further (a lone bar in prose is not a table)


def _is_bar(line: str) -> bool:
    return line.strip() == _BAR


def _cell(lines: list[str]) -> Cell:
    """A cell's lines → its paragraphs as written (blank lines separate them; the lines of one join) and
    whether it is set in bold (``**…**``)."""
    raw = "\n".join(lines).strip()
    bold = bool(_BOLD_RE.fullmatch(raw))
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", raw)]
    return Cell(tuple(p for p in paras if p), bold if raw else None)


def _next_bar(lines: list[str], start: int) -> int | None:
    for j in range(start, min(len(lines), start + _FAR)):
        if _is_bar(lines[j]):
            return j
    return None


def _slots(lines: list[str], start: int) -> tuple[list[Cell | None], int]:
    """What lies between consecutive bars from `lines[start]` on: a cell, or None where two bars meet (a row
    boundary or an empty cell: the form does not tell them apart) → (the slots, the index after the table)."""
    slots: list[Cell | None] = []
    i = start
    while i < len(lines) and _is_bar(lines[i]):
        if i + 1 < len(lines) and _is_bar(lines[i + 1]):
            slots.append(None)
            i += 1
            continue
        after = i + 1
        if after >= len(lines) or not lines[after].strip():  # a bar then a blank line: the table ends
            break
        nxt = _next_bar(lines, after)
        if nxt is None:
            break
        slots.append(_cell(lines[after:nxt]))
        i = nxt
    return slots, i + 1


def _width(slots: Sequence[Cell | None]) -> int:
    """The table's width: the most common number of cells between meeting bars, or a larger one that a
    quarter of those runs reach (rows with an empty cell split in two and look narrower)."""
    runs, k = Counter[int](), 0
    for s in [*slots, None]:
        if s is None:
            if k:
                runs[k] += 1
            k = 0
        else:
            k += 1
    if not runs:
        return 0
    total = sum(runs.values())
    common = max(runs.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return max([common, *(w for w, n in runs.items() if n >= 0.25 * total)])


def parse_bar_table(lines: list[str], start: int) -> tuple[list[list[Cell]], int]:
    """The table whose first ``|`` line is `lines[start]` → (rows of cells, the index of the line after it).
    Where two bars meet, a row ends once it has the table's width of cells, or when it is a header row (set in
    bold, so it may span columns); anywhere else the meeting bars hold an empty cell."""
    slots, end = _slots(lines, start)
    width = _width(slots)
    lead = next((i for i, x in enumerate(slots) if x is None), len(slots))
    if 1 < lead < len(slots) - 1 and all(x.bold for x in slots[:lead] if x is not None) \
            and not all(x.bold for x in slots[lead + 1 : lead + 1 + lead] if x is not None):
        width = lead  # one bold header row, then rows that are not: the header's cells are the table's columns
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    i = 0
    while i < len(slots):
        if (s := slots[i]) is not None:
            row.append(s)
        elif row and (len(row) >= width or all(c.bold for c in row)):
            run = _meeting(slots, i)
            if len(row) < width and run == width - len(row) + 1:
                # a bold row of a few cells whose bars then meet exactly as often as its missing cells and one
                # row boundary need: those are its own empty cells, not the next row's
                row.extend(Cell((), None) for _ in range(run - 1))
                i += run - 1
            rows.append(row)
            row = []
        elif row or rows:
            row.append(Cell((), None))
        i += 1
    if row:
        rows.append(row)
    return rows, end


def _meeting(slots: Sequence[Cell | None], i: int) -> int:
    """How many times bars meet in a row from slot `i` on."""
    n = 0
    while i + n < len(slots) and slots[i + n] is None:
        n += 1
    return n


def markdown_tables(text: str, first: int = 0) -> tuple[str, list[list[list[Cell]]]]:
    """The bar-line tables of a markdown text cut out: (the text with each table replaced by a placeholder
    paragraph `placeholder(first + k)`, the tables' rows of cells in order)."""
    if "\n|" not in text and not text.startswith("|"):
        return text, []
    lines = text.split("\n")
    out: list[str] = []
    tables: list[list[list[Cell]]] = []
    i = 0
    blocks = 0  # paragraphs above, roughly: runs of lines between blank lines
    while i < len(lines):
        if _is_bar(lines[i]) and (i + 1 < len(lines) and lines[i + 1].strip()):
            rows, end = parse_bar_table(lines, i)
            if rows and not is_layout(rows, blocks):  # a layout table stays as it is written: cells as paragraphs
                out.extend(["", placeholder(first + len(tables)), ""])
                tables.append(rows)
                i = end
                continue
        blocks += bool(lines[i].strip()) and (not out or not out[-1].strip())
        out.append(lines[i])
        i += 1
    return "\n".join(out), tables


PLACEHOLDER_RE = re.compile(r"^\ue010(\d+)\ue011$")


def placeholder(k: int) -> str:
    """The paragraph that stands for table `k` while the text around it is cleaned."""
    return f"\ue010{k}\ue011"

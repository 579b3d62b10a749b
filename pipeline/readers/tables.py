"""Tables, as the .docx and HTML readers read them: a letterhead table cell by cell like the text form, any
other table one readable ``Header: value; …`` paragraph a row, its rows of cells kept for `Document.tables`."""

from __future__ import annotations

import re

from pipeline.readers import safety

_LETTERHEAD_RE = re.compile(r"CỘNG HÒA|CỘNG HOÀ|Độc lập|Số\s*:|ngày\s.*tháng", re.IGNORECASE)

Rows = tuple[tuple[str, ...], ...]


def is_letterhead(rows: list[list[str]], before: int) -> bool:
    """A small table the document opens with (`before`: paragraphs above it) holding the issuer and number, the
    national motto, or the place and date: read cell by cell, like the text form, not as a table."""
    return before < 3 and len(rows) <= 4 and any(_LETTERHEAD_RE.search(c) for r in rows for c in r)


def table_paragraphs(rows: list[list[str]]) -> list[str]:
    """A table → one readable paragraph per row: ``Chỉ tiêu: Thu ngân sách; Đơn vị: tỷ đồng; Năm 2022: 1.172,5``
    (header cell: value) when the first row is a header, the cells joined by `` | `` otherwise."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    if width == 1:
        return [r[0] for r in rows]
    header = rows[0]
    has_header = len(rows) > 1 and all(c.strip() for c in header) and len(header) == width
    if not has_header:
        return [" | ".join(c for c in r if c.strip()) for r in rows]
    out = [" | ".join(header)]
    for r in rows[1:]:
        filled = [c for c in r if c.strip()]
        if len(filled) == 1 and len(r) > 2:  # a row spanning the table: a group label ("I. Chỉ tiêu kinh tế")
            out.append(filled[0])
            continue
        out.append("; ".join(f"{h}: {c}" for h, c in zip(header, r, strict=False) if c.strip()))
    return out


def read_table(cells: list[list[list[str]]], rows: list[list[str]], before: int) -> tuple[list[str], Rows | None]:
    """One table → (its paragraphs, its rows of cells to keep; None for a letterhead). `cells`: rows → cells →
    the cell's paragraphs (a cell spanning rows or columns may be the same list twice: read once); `rows`: each
    cell as one line of text; `before`: paragraphs above the table."""
    header = sum(len(c) for c in rows[0]) if rows else 0  # each row's paragraph repeats the header's cells
    safety.check_count("characters of table text", sum(header + sum(len(c) for c in r) for r in rows),
                       safety.limits().max_chars)
    if is_letterhead(rows, before):  # each line of each cell, left to right, as the text form
        seen: set[int] = set()
        out: list[str] = []
        for r in cells:
            for c in r:
                if id(c) not in seen:
                    seen.add(id(c))
                    out.extend(c)
        return out, None
    return table_paragraphs(rows), tuple(tuple(r) for r in rows)

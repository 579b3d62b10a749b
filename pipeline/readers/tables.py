"""Tables as the .docx reader finds them (rows → cells → the cell's paragraphs) → paragraphs: a layout table
(letterhead, signature) cell by cell like the text form, any other table one paragraph a row carrying its
`TableRow` (`pipeline.text.tables`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipeline.readers import safety
from pipeline.text.tables import Cell, is_layout, layout_paragraphs, table_paragraphs
from pipeline.types import Paragraph


def read_table(cells: Sequence[Sequence[Sequence[str]]], before: Sequence[Paragraph], number: int,
               normalize: Callable[[str], str]) -> tuple[list[Paragraph], bool]:
    """One table → (its paragraphs, whether it was read as data). `cells`: rows → cells → the cell's paragraphs
    (a cell spanning rows or columns may be the same list twice: a layout table reads it once, a data table in
    each row and column it spans); `before`: the paragraphs above it; `number`: its number among the document's
    data tables; `normalize`: what each cell's text goes through (the reader's paragraph normalization)."""
    safety.check_count("characters of table text", sum(len(p) for r in cells for c in r for p in c),
                       safety.limits().max_chars)
    rows = [[Cell(tuple(t for p in c if (t := normalize(p)))) for c in r] for r in cells]
    if is_layout(rows, len(before)):
        seen: set[int] = set()
        unique = []
        for r, raw in zip(rows, cells, strict=True):
            kept = []
            for c, x in zip(r, raw, strict=True):
                if id(x) not in seen:
                    seen.add(id(x))
                    kept.append(c)
            unique.append(kept)
        return [Paragraph(t) for t in layout_paragraphs(unique)], False
    return table_paragraphs(rows, number, [normalize(p.text) for p in before[-2:]]), True

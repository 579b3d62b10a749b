"""Table cells as answers: a question aimed at a table gets the cell at its row and column, read with both
labels — ``Nông thôn · Trung học cơ sở: 95 (1.000 đồng/trẻ,học sinh/tháng)`` — from the `TableRow` records a
passage carries, never from its printed text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.ask.features import Kind, states
from pipeline.text.clean import fold
from pipeline.text.tables import RUNNING_NUMBER_RE
from pipeline.text.vocab import YEAR_RE
from pipeline.types import RowKind, TableRow

_UNIT_HEADER_RE = re.compile(r"^(don vi( tinh)?|dvt)\b")
_INDEX_HEADER_RE = re.compile(r"^(stt|tt|so tt|so thu tu|ma so|ma)$")
# what a column header (folded) says its cells hold, for each kind of value a question may ask
_HEADER_HOLDS: dict[Kind, re.Pattern[str]] = {
    Kind.BODY: re.compile(r"\b(chu tri|co quan|don vi|thuc hien|trach nhiem|phu trach)\b"),
    Kind.DATE: re.compile(r"\b(thoi gian|thoi han|thoi diem|tien do|nam|ngay)\b"),
    Kind.DURATION: re.compile(r"\b(thoi han|thoi gian)\b"),
    Kind.TIME: re.compile(r"\b(gio|thoi gian)\b"),
    Kind.FREQUENCY: re.compile(r"\btan suat\b"),
    Kind.AMOUNT: re.compile(r"\b(muc|kinh phi|so tien|gia|phi|von|du toan|thanh tien)\b"),
    Kind.RATE: re.compile(r"\b(ty le|he so|phan tram)\b|%"),
    Kind.CODE: re.compile(r"\b(ma|ky hieu|so hieu)\b"),
}


@dataclass(frozen=True)
class CellAnswer:
    """One cell of a data row as a candidate answer: the row, the cell's column and what it reads as."""

    row: TableRow
    column: int

    @property
    def value(self) -> str:
        """The cell as printed."""
        return self.row.cells[self.column]

    @property
    def header(self) -> str:
        """The column header over the cell ("" when the table has none)."""
        return self.row.header[self.column] if self.column < len(self.row.header) else ""

    @property
    def text(self) -> str:
        """The cell with both its labels and the unit: ``<row> · <column>: <value> <unit>``."""
        where = " › ".join(x for x in (*self.row.context, self.row.label) if x)
        head = f"{where} · {self.header}" if self.header else where
        unit = _unit(self.row)
        tail = f" ({unit})" if unit and unit not in self.value and unit not in self.header else ""
        return f"{head}: {self.value}{tail}" if head else f"{self.value}{tail}"

    def year_fit(self, year: int | None) -> float:
        """Whether the column is of the year a question asks about: +1 when its header names that year, -1 when
        it names only others, 0 without a year on either side."""
        if year is None:
            return 0.0
        leaf = self.header.rsplit(" › ", 1)[-1]  # "Giai đoạn 2026 - 2030 › Năm 2028": the column is 2028
        years = {int(y) for y in YEAR_RE.findall(leaf)} or {int(y) for y in YEAR_RE.findall(self.header)}
        if not years:
            return 0.0
        return 1.0 if year in years else -1.0

    @property
    def where(self) -> str:
        """What names the row: the group labels and merged cells above it, and its label."""
        return " ".join((*self.row.context, self.row.label))


@dataclass(frozen=True)
class CellsAnswer:
    """Several cells of one data row, one for each thing a question asks ("cơ quan nào chủ trì và năm nào"):
    ``<row> · Chủ trì: Sở Tài chính; Thời gian: 2026``."""

    row: TableRow
    columns: tuple[int, ...]

    @property
    def text(self) -> str:
        """The row's labels, then each cell under its column header."""
        where = " › ".join(x for x in (*self.row.context, self.row.label) if x)
        cells = "; ".join(f"{CellAnswer(self.row, j).header}: {self.row.cells[j]}" for j in self.columns)
        return f"{where} · {cells}" if where else cells


def asked_cells(row: TableRow, asks: frozenset[Kind], question_words: frozenset[str]) -> CellsAnswer | None:
    """For a question asking two or more kinds of value (a body and a year, an amount and a rate), the row's
    cell for each: the column whose header says it holds that kind (the one whose header shares most words with
    the question; a "phối hợp" column only when the question says so), else a cell stating it. None unless two
    kinds find two different cells."""
    kinds = [k for k in asks if k is not Kind.FIGURE]
    if row.kind is not RowKind.DATA or len(kinds) < 2:
        return None
    chosen: list[int] = []
    for kind in sorted(kinds, key=lambda k: k.value):
        best, best_key = None, None
        for j in range(len(row.cells)):
            if _skip(row, j) or j in chosen:
                continue
            head = fold(row.header[j]).lower() if j < len(row.header) else ""
            by_header = kind in _HEADER_HOLDS and bool(_HEADER_HOLDS[kind].search(head))
            if not by_header and not states(row.cells[j], kind):
                continue
            words = set(head.split())
            key = (by_header, "phoi" not in words or "phoi" in question_words, len(words & question_words))
            if best_key is None or key > best_key:
                best, best_key = j, key
        if best is not None:
            chosen.append(best)
    return CellsAnswer(row, tuple(sorted(chosen))) if len(chosen) >= 2 else None


def _unit(row: TableRow) -> str:
    """The row's unit: its cell under a "Đơn vị tính" column, else the unit stated over the table."""
    for c, h in zip(row.cells, row.header, strict=False):
        if c and _UNIT_HEADER_RE.match(fold(h).lower()):
            return c
    return row.unit


def _skip(row: TableRow, j: int) -> bool:
    """Columns that are not values: the running number, the row's label itself, the unit column."""
    cell = row.cells[j]
    if not cell or cell == row.label:
        return True
    head = fold(row.header[j]).lower() if j < len(row.header) else ""
    return bool(_INDEX_HEADER_RE.match(head) or _UNIT_HEADER_RE.match(head)
                or (j == 0 and RUNNING_NUMBER_RE.fullmatch(cell)))


def row_text(row: TableRow) -> str:
    """A whole data row read under its headers: ``<row> · <column>: <value>; <column>: <value> …``."""
    where = " › ".join(x for x in (*row.context, row.label) if x)
    cells = "; ".join(f"{c.header}: {c.value}" if c.header else c.value for c in cell_answers((row,)))
    return f"{where} · {cells}" if where else cells


def cell_answers(rows: tuple[TableRow, ...]) -> Iterator[CellAnswer]:
    """Every value cell of the data rows, as candidate answers."""
    for row in rows:
        if row.kind is not RowKind.DATA:
            continue
        for j in range(len(row.cells)):
            if not _skip(row, j):
                yield CellAnswer(row, j)

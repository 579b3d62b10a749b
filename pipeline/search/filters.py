"""Which documents and chunks a search may return: a document named however it is typed (`match_docs`), and
`Filters` (documents and/or a year) as a mask over the index's rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from pipeline.protocol import IndexReader
from pipeline.store.layout import IndexUnavailable
from pipeline.text.clean import fold


def match_docs(names: Iterable[str], query: str) -> list[str]:
    """The document names `query` picks out: the name itself, the names it begins, and the names holding it
    once both are folded (no diacritics, lower case) — the rule behind every ``--doc`` and the app's document
    filter. Raises IndexUnavailable, naming the next command, when nothing matches.

    >>> names = ["bao-cao-ktxh-2022-tp-ha-tinh.txt", "qd-97-2025-ubnd.md", "qd-1378-bnv.md"]
    >>> match_docs(names, "qd-97"), match_docs(names, "HA-TINH")
    (['qd-97-2025-ubnd.md'], ['bao-cao-ktxh-2022-tp-ha-tinh.txt'])
    """
    key = fold(query)
    found = [n for n in names if n == query or n.startswith(query) or key in fold(n)]
    if not found:
        raise IndexUnavailable(f"no indexed document matches '{query}' — see `tracuu stats` for the names")
    return found


@dataclass(frozen=True)
class RowTable:
    """Each row's document (an index into `names`) and year (-1: none), as arrays: what a filter is evaluated on.
    Built once per loaded index (kept with it) from its `row_arrays`, without reading a chunk."""

    names: tuple[str, ...]  # the index's document names
    doc_ids: dict[str, int]  # name → its position in `names`
    doc: np.ndarray  # int32, one per row
    year: np.ndarray  # int32, one per row; -1 when a chunk is about no year of its own

    @classmethod
    def of(cls, index: IndexReader) -> RowTable:
        """The table of `index`, built on first use."""
        found = index.__dict__.get("_row_table")
        if found is None:
            names = tuple(index.docs)
            ids = {n: i for i, n in enumerate(names)}
            arrays = index.row_arrays  # the index's own document codes, renumbered into `names`
            renumber = np.array([ids.get(n, -1) for n in arrays.names], dtype=np.int32)
            found = index.__dict__["_row_table"] = cls(names, ids, renumber[arrays.doc], arrays.year)
        return found


@dataclass(frozen=True)
class Filters:
    """Restrict a search to some documents and/or a year (the year a chunk is about, else its document's).
    `docs` are names as typed: each is matched by `match_docs`."""

    docs: tuple[str, ...] = ()
    year: int | None = None

    def mask(self, index: IndexReader) -> np.ndarray | None:
        """A boolean mask over the index's rows; None when nothing is filtered. Evaluated on arrays (`RowTable`),
        not chunk by chunk."""
        if not self.docs and self.year is None:
            return None
        table = RowTable.of(index)
        out = np.ones(len(index.chunks), dtype=bool)
        if self.docs:
            wanted = {n for d in self.docs for n in match_docs(index.docs, d)}
            out &= np.isin(table.doc, [table.doc_ids[n] for n in wanted])
        if self.year is not None:
            # the year a chunk is about (from its headings); a chunk without one, its document's years
            of_doc = np.array([self.year in index.docs[n].meta.years for n in table.names], dtype=bool)
            out &= np.where(table.year >= 0, table.year == self.year, of_doc[table.doc])
        return out

    def mask_ids(self, index: IndexReader) -> list[str]:
        """The chunk ids the filters let through (a scan of every chunk: `mask` is what a search needs)."""
        mask = self.mask(index)
        return [c.chunk_id for i, c in enumerate(index.chunks) if mask is None or mask[i]]

    def allows(self, index: IndexReader, chunk_ids: Iterable[str]) -> set[str]:
        """Those of `chunk_ids` (chunks of `index`) the filters let through, each found by its row."""
        mask = self.mask(index)
        if mask is None:
            return set(chunk_ids)
        out = set()
        for cid in chunk_ids:
            try:
                if mask[index.row_of(cid)]:
                    out.add(cid)
            except KeyError:
                continue
        return out


def rows_of_docs(index: IndexReader, names: Iterable[str]) -> np.ndarray:
    """The rows of the chunks of documents `names`, ascending (read from the row arrays, no chunk)."""
    arrays = index.row_arrays
    wanted = set(names)
    return np.flatnonzero(np.isin(arrays.doc, [i for i, n in enumerate(arrays.names) if n in wanted]))

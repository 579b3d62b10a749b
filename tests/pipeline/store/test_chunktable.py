"""`ChunkTable` reads the chunks of real indexes on demand and gives back exactly what the eager load gave: every
field of every chunk, in row order, through indexing, slices, batches and iteration; chunk ids to rows; the per-row
arrays; two parts with tombstoned rows; threads; an index written before the newer columns."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipeline.embed import FakeEmbedder
from pipeline.refs.references import group
from pipeline.store import chunktable
from pipeline.store.chunktable import ChunkTable, Part, RowView
from pipeline.store.ingest import ingest
from pipeline.store.layout import current_generation
from pipeline.store.reader import IndexData, _row_mention
from pipeline.types import Chunk
from tests.conftest import DATA

# a PDF (pages, footnotes, heading paths) and a decision that prints a table (table rows)
A_DOCS = [DATA / "seed.pdf", DATA / "qd-2813-dongnai.md"]
B_DOCS = [DATA / "qd-032-2025-daklak.md", DATA / "qd-95-2025-nghean.md"]


def _built(root: Path, docs: list[Path]) -> IndexData:
    ingest(docs, FakeEmbedder(), root=root)
    gen = current_generation(root)
    assert gen is not None
    return IndexData(gen)


@pytest.fixture(scope="module")
def index_a(tmp_path_factory) -> IndexData:
    return _built(tmp_path_factory.mktemp("table-a"), A_DOCS)


@pytest.fixture(scope="module")
def index_b(tmp_path_factory) -> IndexData:
    return _built(tmp_path_factory.mktemp("table-b"), B_DOCS)


def eager(data: IndexData) -> list[Chunk]:
    """Every chunk as the eager load read it (every column decoded), without the BM25 tokens a table leaves out."""
    return [replace(c, words="", folded="") for c in data.chunks_with_tokens()]


def test_the_fixture_holds_every_kind_of_field(index_a):
    chunks = eager(index_a)
    assert len({c.doc for c in chunks}) == 2
    assert any(c.page for c in chunks) and any(c.footnotes for c in chunks)
    assert any(c.headings for c in chunks) and any(c.rows for c in chunks)


def test_opening_an_index_reads_no_chunk(index_a):
    fresh = IndexData(index_a.gen)
    assert isinstance(fresh.chunks, ChunkTable) and len(fresh.chunks) == len(eager(index_a))
    assert not fresh.chunks._cache and fresh.chunks._arrays is None
    assert "references" not in fresh.__dict__ and "embed_hashes" not in fresh.__dict__


def test_each_chunk_read_on_demand_equals_the_eager_load_in_every_field(index_a):
    expected = eager(index_a)
    table = ChunkTable.of(index_a.segments[0].db_path)
    assert len(table) == len(expected)
    assert [table[i] for i in range(len(table))] == expected
    assert table[-1] == expected[-1] and table[-len(expected)] == expected[0]
    assert table[3:9] == expected[3:9] and table[::7] == expected[::7] and table[-4:] == expected[-4:]
    with pytest.raises(IndexError):
        table[len(expected)]
    with pytest.raises(IndexError):
        table[-len(expected) - 1]


def test_index_data_chunk_and_chunks_agree_with_the_eager_load(index_a):
    expected = eager(index_a)
    assert list(index_a.chunks) == expected
    assert all(index_a.chunk(c.chunk_id) == c for c in expected)


def test_iteration_streams_in_row_order_one_select_per_batch(index_a, monkeypatch):
    expected = eager(index_a)
    monkeypatch.setattr(chunktable, "_BATCH", 16)
    table = ChunkTable.of(index_a.segments[0].db_path)
    calls = []
    select = table._select
    monkeypatch.setattr(table, "_select", lambda *a: calls.append(a) or select(*a))
    assert list(table) == expected
    assert len(calls) == -(-len(expected) // 16)
    assert not table._cache  # a scan does not push out what questions reuse


def test_the_cache_is_bounded_and_a_cached_row_is_not_read_again(index_a, monkeypatch):
    table = ChunkTable([Part.whole(index_a.segments[0].db_path)], cache_size=8)
    calls = []
    select = table._select
    monkeypatch.setattr(table, "_select", lambda *a: calls.append(a) or select(*a))
    first = table[5]
    assert table[5] is first and len(calls) == 1
    for i in range(20):
        table[i]
    assert len(table._cache) == 8 and list(table._cache) == list(range(12, 20))
    table[19]
    assert len(calls) == 1 + 19  # rows 0–19 once each (5 was cached), then 19 from the cache
    assert sorted(table._cached_rows.values()) == list(range(12, 20))  # the ids of the evicted went with them
    assert table.row_of(table[15].chunk_id) == 15 and table.row_of(table[2].chunk_id) == 2


def test_row_of_round_trips_and_refuses_an_unknown_id(index_a):
    table = index_a.chunks
    assert [table.row_of(table[i].chunk_id) for i in range(len(table))] == list(range(len(table)))
    assert index_a.row_of(table[4].chunk_id) == 4
    with pytest.raises(KeyError):
        table.row_of("khong-co.md#I:0")
    with pytest.raises(KeyError):
        index_a.chunk("khong-co.md#I:0")


def test_the_row_arrays_hold_each_rows_document_year_and_ordinal(index_a):
    expected = eager(index_a)
    a = ChunkTable.of(index_a.segments[0].db_path).arrays
    assert a.names == tuple(sorted({c.doc for c in expected}))
    assert [a.names[d] for d in a.doc] == [c.doc for c in expected]
    assert a.year.tolist() == [-1 if c.year is None else c.year for c in expected]
    assert a.ordinal.tolist() == [c.ordinal for c in expected]
    assert a.doc.dtype == a.year.dtype == a.ordinal.dtype == np.int32


def _first(chunks: list[Chunk]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, c in enumerate(chunks):
        if c.doc not in out or c.ordinal < chunks[out[c.doc]].ordinal:
            out[c.doc] = i
    return out


def test_the_first_chunk_of_each_document_is_its_least_ordinal(index_a):
    expected = eager(index_a)
    assert index_a.chunks.first_rows() == _first(expected)
    assert index_a.first_chunks() == {d: expected[r] for d, r in _first(expected).items()}


@pytest.fixture(scope="module")
def two_parts(index_a, index_b):
    """Index A less some rows, then index B less others: global rows are the live rows of A, then of B."""
    a, b = eager(index_a), eager(index_b)
    live_a = np.array([r for r in range(len(a)) if r % 5 != 1 and r != 0], dtype=np.int64)
    live_b = np.array([r for r in range(len(b)) if r not in (2, 3, len(b) - 1)], dtype=np.int64)
    table = ChunkTable([Part(index_a.segments[0].db_path, live_a), Part(index_b.segments[0].db_path, live_b)])
    expected = [a[r] for r in live_a] + [b[r] for r in live_b]
    dead = [a[r] for r in range(len(a)) if r not in set(live_a.tolist())] + \
        [b[r] for r in range(len(b)) if r not in set(live_b.tolist())]
    return table, expected, dead


def test_two_parts_with_tombstones_map_global_rows(two_parts):
    table, expected, dead = two_parts
    assert len(table) == len(expected) and dead
    assert [table[i] for i in range(len(table))] == expected
    assert list(table) == expected and table[-3:] == expected[-3:]
    assert [table.row_of(c.chunk_id) for c in expected] == list(range(len(expected)))
    for c in dead:
        with pytest.raises(KeyError):
            table.row_of(c.chunk_id)
    rows = [len(expected) - 1, 0, 40, 3, len(expected) - 2]
    assert table.take(rows) == [expected[r] for r in rows]


def test_two_parts_arrays_and_first_rows(two_parts):
    table, expected, _ = two_parts
    a = table.arrays
    assert a.names == tuple(sorted({c.doc for c in expected}))
    assert [a.names[d] for d in a.doc] == [c.doc for c in expected]
    assert a.ordinal.tolist() == [c.ordinal for c in expected]
    assert a.year.tolist() == [-1 if c.year is None else c.year for c in expected]
    assert table.first_rows() == _first(expected)


def test_a_chunk_tombstoned_in_one_part_is_found_where_it_is_live(index_a):
    """One database as two parts, as a segment that holds a document again and tombstones it in the older one."""
    path = index_a.segments[0].db_path
    expected = eager(index_a)
    live0, live1 = [r for r in range(10) if r != 7], [r for r in range(5, 20) if r not in range(5, 10)]
    table = ChunkTable([Part(path, np.array(live0)), Part(path, np.array([7, *live1]))])
    assert table.row_of(expected[7].chunk_id) == len(live0)  # the second part's first row
    assert table.row_of(expected[3].chunk_id) == 3 and table[3] == expected[3]
    table[len(live0)]  # now cached: the cache gives the same row
    assert table.row_of(expected[7].chunk_id) == len(live0) and table[len(live0)] == expected[7]


def test_live_rows_must_ascend_and_exist(index_a):
    path = index_a.segments[0].db_path
    with pytest.raises(ValueError, match="ascending"):
        ChunkTable([Part(path, np.array([3, 2]))])
    table = ChunkTable([Part(path, np.array([0, 10_000]))])
    with pytest.raises(ValueError, match="lacks"):
        _ = table.arrays


def test_a_row_view_reads_its_rows_through_the_base(index_a):
    expected = eager(index_a)
    rows = np.array([2, 3, 5, 8, 13, 21, 34], dtype=np.int64)
    view = RowView(index_a.chunks, rows)
    assert len(view) == len(rows) and list(view) == [expected[r] for r in rows]
    assert view[0] == expected[2] and view[-1] == expected[34] and view[1:3] == [expected[3], expected[5]]
    assert len(RowView(index_a.chunks, np.zeros(0, dtype=np.int64))) == 0


def test_threads_read_through_connections_of_their_own(index_a):
    expected = eager(index_a)
    table = ChunkTable([Part.whole(index_a.segments[0].db_path)], cache_size=4)  # nearly every read goes to SQLite
    errors: list[BaseException] = []
    connections: set[int] = set()

    def read(offset: int) -> None:
        try:
            for i in range(len(expected)):
                r = (i + offset) % len(expected)
                assert table[r] == expected[r] and table.row_of(expected[r].chunk_id) == r
            assert table.take(range(0, len(expected), 3)) == expected[::3]
            connections.add(id(table._db(0)))
        except BaseException as e:  # noqa: BLE001 — handed to the main thread
            errors.append(e)

    threads = [threading.Thread(target=read, args=(k * 17,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(connections) == 4


def test_an_index_written_before_pages_headings_footnotes_and_rows_still_reads(index_a, tmp_path):
    old = tmp_path / "chunks.sqlite"
    db = sqlite3.connect(old)
    db.execute("CREATE TABLE chunks (row INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL, doc TEXT NOT NULL, "
               "section TEXT, text TEXT, year INTEGER, ordinal INTEGER, words TEXT, folded TEXT, embed_hash TEXT)")
    db.execute(f"ATTACH '{index_a.segments[0].db_path}' AS new")
    db.execute("INSERT INTO chunks SELECT row, chunk_id, doc, section, text, year, ordinal, words, folded, "
               "embed_hash FROM new.chunks")
    db.commit()
    db.close()
    expected = [replace(c, page=None, headings=(), footnotes=(), rows=()) for c in eager(index_a)]
    table = ChunkTable.of(old)
    assert list(table) == expected and table[9] == expected[9]
    assert table.row_of(expected[9].chunk_id) == 9  # no index on chunk_id: its ids read once
    with pytest.raises(KeyError):
        table.row_of("khong-co.md#I:0")


def test_references_are_grouped_on_first_use_as_at_open_before(index_a, tmp_path):
    gen = tmp_path / "gen"
    shutil.copytree(index_a.gen, gen)
    data = IndexData(gen)
    assert "references" not in data.__dict__
    path = data.segments[0].db_path
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    expected = group([_row_mention(r) for r in db.execute("SELECT * FROM refs")])
    db.close()
    assert expected and data.references == expected and "references" in data.__dict__
    assert data.embed_hashes == [h for (h,) in sqlite3.connect(path).execute(
        "SELECT embed_hash FROM chunks ORDER BY row")]

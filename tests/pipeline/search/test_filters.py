"""`Filters.mask`, evaluated on arrays, lets through exactly the chunks the rule names: of the documents matched,
about the year asked (a chunk's own year from its headings, else its document's years) — on a real index."""

from __future__ import annotations

import pytest

import pipeline
from pipeline.search.filters import Filters, RowTable


def _by_rule(index, f: Filters) -> list[bool]:
    wanted = {n for d in f.docs for n in pipeline.match_docs(index.docs, d)}
    out = []
    for c in index.chunks:
        ok = not wanted or c.doc in wanted
        if ok and f.year is not None:
            ok = c.year == f.year if c.year is not None else f.year in index.docs[c.doc].meta.years
        out.append(ok)
    return out


@pytest.mark.parametrize("f", [Filters(year=2022), Filters(year=2023), Filters(year=2025), Filters(year=1999),
                               Filters(docs=("qd-97",)), Filters(docs=("bao-cao",), year=2023),
                               Filters(docs=("qd-97", "ha-tinh"), year=2025)])
def test_the_mask_is_the_rule_chunk_by_chunk(seed_index_fake, f):
    index = pipeline.open_index(seed_index_fake)
    expected = _by_rule(index, f)
    assert f.mask(index).tolist() == expected
    assert f.mask_ids(index) == [c.chunk_id for c, ok in zip(index.chunks, expected, strict=True) if ok]


def test_both_years_occur_so_the_year_filter_is_not_trivial(seed_index_fake):
    index = pipeline.open_index(seed_index_fake)
    for year in (2022, 2023):
        kept = Filters(year=year).mask(index)
        assert 0 < kept.sum() < len(index.chunks)


def test_a_scoped_view_has_its_own_row_table(tmp_path, fake_embedder):
    from tests.conftest import DATA, SEED

    pipeline.ingest([SEED], fake_embedder, root=tmp_path, collection="a")
    pipeline.ingest([DATA / "qd-97-2025-ubnd.md"], fake_embedder, root=tmp_path, collection="b")
    index = pipeline.open_index(tmp_path)
    view = pipeline.scoped(index, ["b"])
    assert RowTable.of(view).names == ("qd-97-2025-ubnd.md",) and len(RowTable.of(view).doc) == len(view.chunks)
    assert Filters(year=2025).mask(view).tolist() == _by_rule(view, Filters(year=2025))
    assert RowTable.of(index) is RowTable.of(index)  # built once per loaded index

"""Segments: a change writes one new segment and tombstones, the rest is shared by hard link; a segmented index
searches exactly like one built from nothing over the same documents; merges keep the segments few; an index of
the format before segments opens and migrates; and the cost of an add or a remove does not grow with the index."""

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipeline.embed import FakeEmbedder
from pipeline.store import merge
from pipeline.store.ingest import ingest, prepare_chunks
from pipeline.store.layout import current_generation
from pipeline.store.reader import open_index
from tests.conftest import DATA, SEED
from tests.pipeline.store.old_formats import as_single_folder

DOCS = sorted(DATA.glob("q*-*.md"))  # six real decisions


def manifest_of(root: Path) -> dict:
    return json.loads((current_generation(root) / "manifest.json").read_text(encoding="utf-8"))


def inodes(gen: Path) -> dict[int, int]:
    """inode → size of every file of a generation."""
    return {f.stat().st_ino: f.stat().st_size for f in gen.rglob("*") if f.is_file()}


def new_bytes(before: Path, after: Path) -> int:
    """The bytes of the files of `after` that `before` does not share (what the change wrote)."""
    old = inodes(before)
    return sum(size for ino, size in inodes(after).items() if ino not in old)


QUERIES = ["phân cấp thẩm quyền", "hỗ trợ chi phí tư vấn pháp luật", "tong thu ngan sach", "Quyết định có hiệu lực",
           "ủy ban nhân dân tỉnh đồng nai"]


def scores_by_id(root: Path) -> dict[str, tuple[float, ...]]:
    """chunk id → its BM25 scores (words, folded) for each query: what global statistics decide."""
    from pipeline.text.segment import folded_tokens, words

    data = open_index(root)
    runs = [data.bm25_scores(words(q), False) for q in QUERIES] + [data.bm25_scores(folded_tokens(q), True)
                                                                  for q in QUERIES]
    return {c.chunk_id: tuple(round(float(r[i]), 4) for r in runs) for i, c in enumerate(data.chunks)}


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """An index built by three ingests (the seed and two decisions, two more, one more), and the copies of the
    live generation after each."""
    root = tmp_path_factory.mktemp("segments") / "index"
    ingest([SEED, *DOCS[:2]], FakeEmbedder(), root=root)
    ingest(DOCS[2:4], FakeEmbedder(), root=root)
    ingest(DOCS[4:5], FakeEmbedder(), root=root)
    return root


def test_each_ingest_adds_one_segment_and_shares_the_others_by_hard_link(tmp_path):
    root = tmp_path / "index"
    ingest([SEED, *DOCS[:2]], FakeEmbedder(), root=root)
    first = current_generation(root)
    [seg] = manifest_of(root)["segments"]
    ingest(DOCS[2:3], FakeEmbedder(), root=root)
    live = current_generation(root)
    segments = manifest_of(root)["segments"]
    assert [s["name"] for s in segments][0] == seg["name"] and len(segments) == 2
    for f in (first / seg["name"]).rglob("*"):  # the first segment's files: the same inodes, not copies
        if f.is_file():
            assert (live / f.relative_to(first)).stat().st_ino == f.stat().st_ino, f.name
    assert new_bytes(first, live) < sum(inodes(first).values()) / 3  # one decision, not the seed again
    assert manifest_of(root)["counts"]["documents"] == 4


def test_a_segmented_index_scores_and_answers_as_one_built_from_nothing(grown, tmp_path):
    whole = tmp_path / "whole"
    ingest([SEED, *DOCS[:5]], FakeEmbedder(), root=whole)
    assert len(manifest_of(grown)["segments"]) == 3 and len(manifest_of(whole)["segments"]) == 1
    assert scores_by_id(grown) == scores_by_id(whole)  # BM25's statistics are the index's, not a segment's
    a, b = open_index(grown), open_index(whole)
    q = FakeEmbedder().embed_query("hỗ trợ chi phí tư vấn pháp luật")
    ids = lambda data: [data.chunks[r].chunk_id for r, _ in data.dense_search(q, 10)]  # noqa: E731
    assert ids(a) == ids(b)
    assert sorted(a.docs) == sorted(b.docs) and a.references and len(a.indicators) == len(b.indicators)
    assert {r.sentence for r in a.relations} == {r.sentence for r in b.relations}
    assert dict(a.accents) == dict(b.accents)  # the accent map summed over segments


def test_a_replaced_or_removed_document_is_a_tombstone_and_is_never_found(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    copies = [Path(shutil.copy(p, folder / p.name)) for p in (SEED, *DOCS[:5])]
    root = tmp_path / "index"
    for batch in (copies[:3], copies[3:5], copies[5:]):
        ingest(batch, FakeEmbedder(), root=root)
    before = current_generation(root)
    changed = copies[1]  # DOCS[0], edited where it was read from
    changed.write_text(DOCS[0].read_text(encoding="utf-8") + "\n\nĐiều bổ sung: nội dung hoàn toàn mới về đê điều.\n",
                       encoding="utf-8")
    report = ingest([changed], FakeEmbedder(), root=root, remove=[DOCS[3].name])
    assert report.updated == [DOCS[0].name] and report.removed == [DOCS[3].name]
    segments = manifest_of(root)["segments"]
    deleted = {d for s in segments for d in s["deleted"]}
    assert deleted == {DOCS[0].name, DOCS[3].name} and len(segments) == 4
    data = open_index(root)
    assert DOCS[3].name not in data.docs and all(c.doc != DOCS[3].name for c in data.chunks)
    assert len([c for c in data.chunks if c.doc == DOCS[0].name]) == data.docs[DOCS[0].name].n_chunks
    assert report.chunks_reused > 0 and report.chunks_embedded < data.docs[DOCS[0].name].n_chunks  # unchanged kept
    q = FakeEmbedder().embed_query("đê điều")
    assert all(data.chunks[r].doc != DOCS[3].name for r, _ in data.dense_search(q, len(data.chunks)))
    assert manifest_of(root)["counts"]["chunks"] == len(data.chunks)
    # the same documents built from nothing score alike: the tombstoned rows count in no statistic
    whole = tmp_path / "whole"
    ingest([copies[0], changed, copies[2], copies[3], copies[5]], FakeEmbedder(), root=whole)
    assert scores_by_id(root) == scores_by_id(whole)
    assert new_bytes(before, current_generation(root)) < sum(inodes(before).values()) / 3


def test_moving_a_document_to_another_collection_carries_it_over_without_parsing_or_embedding(grown, tmp_path):
    root = tmp_path / "index"
    shutil.copytree(grown, root)
    report = ingest([DOCS[2]], FakeEmbedder(), root=root, collection="phong-tc")
    assert report.moved == [DOCS[2].name] and report.chunks_embedded == 0
    data = open_index(root)
    assert data.docs[DOCS[2].name].collection == "phong-tc"
    assert sum(c.doc == DOCS[2].name for c in data.chunks) == data.docs[DOCS[2].name].n_chunks


def test_merges_keep_the_segments_few_and_change_no_score(tmp_path, monkeypatch):
    monkeypatch.setattr(merge, "FACTOR", 3)  # three small segments make a merge (ten by default)
    root = tmp_path / "index"
    seen = []
    for doc in [SEED, *DOCS]:
        report = ingest([doc], FakeEmbedder(), root=root)
        seen.append((len(manifest_of(root)["segments"]), report.merged))
    assert max(n for n, _ in seen) < 3 and any(m for _, m in seen)  # never three alike left standing
    whole = tmp_path / "whole"
    ingest([SEED, *DOCS], FakeEmbedder(), root=whole)
    assert scores_by_id(root) == scores_by_id(whole)
    data, ref = open_index(root), open_index(whole)
    assert not data.pending.any() and len(data.chunks) == len(ref.chunks)
    by_id = dict(zip((c.chunk_id for c in ref.chunks), ref.vectors(), strict=True))
    assert all(np.allclose(v, by_id[c.chunk_id]) for c, v in zip(data.chunks, data.vectors(), strict=True))


def test_a_segment_mostly_deleted_is_rewritten(tmp_path):
    root = tmp_path / "index"
    ingest(DOCS[:3], FakeEmbedder(), root=root)
    report = ingest([], FakeEmbedder(), root=root, remove=[DOCS[0].name, DOCS[1].name])
    [segment] = manifest_of(root)["segments"]
    assert report.merged == [1] and segment["deleted"] == [] and segment["documents"] == 1
    assert sorted(open_index(root).docs) == [DOCS[2].name]


def test_merge_policy_groups_by_tier():
    def entry(name, rows, live=None, pending=0):
        live = rows if live is None else live
        return {"name": name, "rows": rows, "deleted": [], "live": {"chunks": live, "pending": pending}}

    small = [entry(f"seg-{i}", 50) for i in range(merge.FACTOR)]
    assert merge.due(small) == [[s["name"] for s in small]]
    assert merge.due(small[:-1] + [entry("seg-big", 5_000)]) == []
    assert merge.due(small[:-1] + [entry("seg-w", 50, pending=3)]) == []  # vectors still to come: wait
    assert merge.due([entry("seg-a", 5_000, live=2_000)]) == [["seg-a"]]
    assert merge.due([entry("seg-a", 80, live=0), entry("seg-b", 80)]) == [["seg-a"]]


def test_an_index_of_the_format_before_segments_opens_and_the_next_ingest_migrates_it(tmp_path):
    root = tmp_path / "index"
    ingest([SEED, DOCS[0]], FakeEmbedder(), root=root)
    want = scores_by_id(root)
    as_single_folder(root)
    old = open_index(root)
    assert not old.segmented and old.manifest["format_version"] == 2 and scores_by_id(root) == want
    report = ingest([DOCS[1]], FakeEmbedder(), root=root)
    assert report.added == [DOCS[1].name] and report.chunks_reused == len(old.chunks)  # nothing embedded again
    assert any("written again as segments (index format 2 → 3)" in n for n in report.notes)
    data = open_index(root)
    assert data.segmented and len(manifest_of(root)["segments"]) == 1 and len(data.docs) == 3


def _grow(root: Path, copies: int) -> None:
    """An index of `copies` renamed copies of the seed's and two decisions' chunks (fake vectors), written as
    one segment: a few thousand chunks in seconds, without parsing them again."""
    from pipeline.embed import Role
    from pipeline.readers import read_document
    from pipeline.store.ingest import PARSER_VERSION, derive
    from pipeline.store.writer import write_generation
    from pipeline.types import DocRecord

    emb = FakeEmbedder()
    parsed = [read_document(p, name=p.name) for p in (SEED, DOCS[0], DOCS[1])]
    chunks_of = {d.name: prepare_chunks(d) for d in parsed}
    docs, chunks = [], []
    for k in range(copies):
        for d in parsed:
            name = f"c{k:03d}-{d.name}"
            mine = [replace(c, chunk_id=f"c{k:03d}-{c.chunk_id}", doc=name) for c in chunks_of[d.name]]
            docs.append(DocRecord(name, f"/copies/{name}", f"{k}-{d.content_hash}", d.meta, len(mine), 0))
            chunks.extend(mine)
    titles = {d.name: d.meta.title for d in docs}
    texts = [c.embed_text(titles[c.doc]) for c in chunks]
    vectors = emb.embed_batch(texts[: len(texts) // copies], Role.PASSAGE)  # each copy's texts differ by name only
    derived = derive(sorted(docs, key=lambda d: d.name), chunks, texts, np.tile(vectors, (copies, 1)),
                     lambda names: emb.embed_batch(names, Role.QUERY) if names else np.zeros((0, emb.dim), np.float32))
    write_generation(root, derived, emb.name, parser_version=PARSER_VERSION)


def test_the_cost_of_an_add_or_a_remove_does_not_grow_with_the_index(tmp_path):
    """Adding one decision to an index 25 times larger writes as many bytes, and removing it writes a manifest;
    the bytes of the index itself grow 25-fold."""
    costs = {}
    for copies in (1, 25):
        root = tmp_path / f"x{copies}"
        _grow(root, copies)
        base = current_generation(root)
        size = sum(inodes(base).values())
        ingest([DOCS[3]], FakeEmbedder(), root=root)
        added = current_generation(root)
        add = new_bytes(base, added)
        ingest([], FakeEmbedder(), root=root, remove=[DOCS[3].name])
        removed = current_generation(root)
        costs[copies] = (size, add, new_bytes(added, removed), len(open_index(root).chunks))
    (small, add_small, rm_small, _), (big, add_big, rm_big, n_big) = costs[1], costs[25]
    assert n_big > 2_500 and big > 12 * small  # a few thousand chunks
    assert add_big < 1.5 * add_small + 4096  # the add wrote what the decision needs, not the index
    assert rm_big < 1.5 * rm_small + 4096 and rm_big < 64 * 1024  # a tombstone: a new manifest
    assert os.path.exists(removed) and add_small > 10 * rm_small

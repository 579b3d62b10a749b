"""Searchable before it is embedded: a new document is found by the BM25 runs as soon as it is parsed, its vectors
fill in behind through vectors-only generations (hard links to the files that did not change), and a killed or
interrupted ingest is resumed by the next one, which embeds what was pending and nothing else. Dense search never
returns a pending row; answers from documents not embedded yet say they rest on keyword search alone."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from pipeline import open_answerer
from pipeline.embed import FakeEmbedder
from pipeline.search.filters import Filters
from pipeline.search.query import Query
from pipeline.search.retrievers import DenseRetriever
from pipeline.store import integrity
from pipeline.store.ingest import Stage, ingest
from pipeline.store.layout import LAYOUT, IndexDamaged, current_generation
from pipeline.store.library import document_rows, stats_json
from pipeline.store.reader import open_index
from pipeline.store.scope import scoped
from pipeline.types import KEYWORD_ONLY
from tests.conftest import DATA, ROOT, SEED
from tests.pipeline.store.test_ingest import CountingEmbedder

DOCS = sorted(DATA.glob("qd-*.md"))
QD97 = DATA / "qd-97-2025-ubnd.md"


def stop_at(stage: Stage, done: int):
    """A progress callback that stops the ingest (as Ctrl-C does) when `stage` reports `done`."""

    def progress(at: Stage, n: int, total: int) -> None:
        if at is stage and n == done:
            raise KeyboardInterrupt

    return progress


@pytest.fixture(scope="module")
def half(tmp_path_factory):
    """The seed embedded, then the decisions ingested as far as their keyword generation: stopped at the first
    report of their chunks being embedded, before any of their vectors exist."""
    root = tmp_path_factory.mktemp("pending") / "index"
    ingest([SEED], FakeEmbedder(), root=root)
    with pytest.raises(KeyboardInterrupt):
        ingest(DOCS, FakeEmbedder(), root=root, progress=stop_at(Stage.CHUNKS, 0))
    return root


@pytest.fixture
def index(half, tmp_path):
    """A copy of `half` to change, and a clean slate of checksums verified in this process."""
    root = tmp_path / "index"
    shutil.copytree(half, root)
    integrity._verified.clear()
    return root


def vectors_by_id(root) -> dict[str, np.ndarray]:
    data = open_index(root)
    return dict(zip((c.chunk_id for c in data.chunks), data.vectors(), strict=True))


def test_a_new_document_is_answerable_by_keyword_before_its_vectors_exist(half):
    data = open_index(half)
    assert set(data.docs) == {SEED.name, *(d.name for d in DOCS)}
    assert [c.doc != SEED.name for c in data.chunks] == list(data.pending)  # every new chunk, nothing else
    answerer = open_answerer(data, model=FakeEmbedder())
    ans = answerer.ask("hỗ trợ chi phí tư vấn pháp luật cho doanh nghiệp nhỏ và vừa tỉnh Nghệ An", 5)
    assert ans.passages and ans.passages[0].doc == QD97.name and ans.text
    assert ans.keyword_only and QD97.name in ans.pending_docs
    out = ans.to_json()
    assert out["keyword_only"] is True and QD97.name in out["pending_docs"]
    assert [p["keyword_only"] for p in out["passages"]] == [p.doc != SEED.name for p in ans.passages]
    embedded = answerer.ask("tăng trưởng kinh tế năm 2022", 5, Filters(docs=(SEED.name,)))
    assert embedded.passages and not embedded.keyword_only and embedded.to_json()["pending_docs"] == []
    assert KEYWORD_ONLY == "chỉ tìm theo từ khóa — tài liệu chưa nhúng xong"


def test_dense_search_never_returns_a_pending_row(half):
    data = open_index(half)
    emb, vectors, ready = FakeEmbedder(), data.vectors(), ~data.pending
    titles = {n: d.meta.title for n, d in data.docs.items()}
    for row in np.flatnonzero(data.pending)[::7]:  # the text of a pending chunk itself: its row would be nearest
        q = emb.embed_query(data.chunks[row].embed_text(titles[data.chunks[row].doc]))
        got = data.dense_search(q, len(data.chunks))  # every row it may return: only those with vectors
        assert sorted(r for r, _ in got) == list(np.flatnonzero(ready))
        np.testing.assert_allclose([s for _, s in got], np.sort(vectors[ready] @ q)[::-1], atol=1e-5)
        assert data.dense_search(q, 10, allowed=data.pending) == []
        hits = DenseRetriever(data, emb).search(Query.of(data.chunks[row].text), 50)
        assert hits and not any(data.pending[data.row_of(h.chunk_id)] for h in hits)
    view = scoped(data, {"chung"})
    assert list(view.pending) == list(data.pending)
    assert not any(view.pending[r] for r, _ in view.dense_search(q, len(view.chunks)))


def test_stats_count_the_chunks_that_wait_for_vectors(half):
    data = open_index(half)
    waiting = sum(d.n_chunks for d in data.docs.values() if d.name != SEED.name)
    manifest = json.loads((data.gen / LAYOUT.manifest).read_text(encoding="utf-8"))
    assert manifest["counts"]["pending"] == waiting == int(data.pending.sum()) == stats_json(data, data)["pending"]
    rows = {r["name"]: r["pending"] for r in document_rows(data)}
    assert rows == {d.name: (0 if d.name == SEED.name else d.n_chunks) for d in data.docs.values()}


@pytest.mark.parametrize("given", ["the same files", "nothing"])
def test_a_rerun_embeds_only_what_was_pending(index, tmp_path, given):
    waiting = int(open_index(index).pending.sum())
    emb = CountingEmbedder()
    report = ingest(DOCS if given == "the same files" else [], emb, root=index)
    assert report.chunks_embedded == report.chunks_resumed == waiting == emb.calls  # no name, no other chunk
    assert report.written and not report.added and not report.updated
    assert not open_index(index).pending.any()
    whole = tmp_path / "whole"
    ingest([SEED, *DOCS], FakeEmbedder(), root=whole)  # the same documents embedded in one go
    want, got = vectors_by_id(whole), vectors_by_id(index)
    assert want.keys() == got.keys() and all(np.allclose(got[k], want[k], atol=1e-6) for k in want)
    emb.calls = 0
    assert not ingest(DOCS, emb, root=index).written and emb.calls == 0  # nothing left: nothing done


def test_vectors_fill_in_through_generations_that_share_every_other_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACUU_CHECKPOINT_CHUNKS", "16")
    root = tmp_path / "index"
    seen: list[tuple[str, int]] = []  # (live generation, its pending count) at each report of the chunks

    def progress(stage: Stage, done: int, total: int) -> None:
        if stage is Stage.CHUNKS:
            gen = current_generation(root)
            seen.append((gen.name, json.loads((gen / LAYOUT.manifest).read_text())["counts"]["pending"]))

    ingest([SEED, QD97], FakeEmbedder(), root=root, progress=progress)
    total = len(open_index(root).chunks)
    first = root / seen[0][0]
    assert seen[0][1] == total and [n for _, n in seen] == sorted((n for _, n in seen), reverse=True)
    assert len({g for g, _ in seen}) >= 4  # a vectors-only generation every 16 chunks
    live = current_generation(root)
    manifest = json.loads((live / LAYOUT.manifest).read_text())
    [segment] = [s["name"] for s in manifest["segments"]]
    assert manifest["counts"]["pending"] == 0 and not (live / segment / LAYOUT.pending).exists()
    assert not first.exists()  # collected: its files live on under the names the later generations hold
    shared = {rel: d for rel, d in manifest["files"].items() if rel != f"{segment}/{LAYOUT.dense}"}
    assert f"{segment}/{LAYOUT.db}" in shared and any(rel.startswith(f"{segment}/words/") for rel in shared)
    for rel in shared:
        assert (live / rel).stat().st_nlink >= 2, rel  # a hard link, shared with the generation before
    assert integrity.file_digests(live) == manifest["files"]


def test_a_vectors_only_generation_hashes_only_its_own_files_and_a_shared_one_damaged_is_caught(index, monkeypatch):
    open_index(index)  # the keyword generation, verified
    hashed: list[str] = []
    real = integrity.sha256_file
    monkeypatch.setattr(integrity, "sha256_file", lambda f: hashed.append(f.name) or real(f))
    ingest(DOCS, FakeEmbedder(), root=index)  # fills in the vectors over the verified generation
    hashed.clear()
    open_index(index)
    assert hashed == [LAYOUT.dense]  # the linked files are the same inodes, already verified in this process
    f = next(current_generation(index).glob("seg-*/folded/rows.npy"))
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the checksum copied from the base generation can tell
    f.write_bytes(bytes(data))
    integrity._verified.clear()
    with pytest.raises(IndexDamaged, match="folded/rows.npy does not match its checksum"):
        open_index(index)


def test_a_filesystem_without_hard_links_gets_copies(index, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    ingest(DOCS, FakeEmbedder(), root=index)
    live = current_generation(index)
    assert all(f.stat().st_nlink == 1 for f in live.glob(f"seg-*/{LAYOUT.db}"))
    integrity._verified.clear()
    data = open_index(index)  # every checksum, the copies' included
    assert not data.pending.any() and len(data.docs) == 1 + len(DOCS)


CHILD = """
import os, signal, sys
from pipeline.embed import FakeEmbedder
from pipeline.store.ingest import Stage, ingest

def progress(stage, done, total):
    if stage is Stage.CHUNKS and done == 48:  # after the checkpoints at 16 and 32 chunks, before the one at 48
        os.kill(os.getpid(), signal.SIGKILL)

ingest(sys.argv[2:], FakeEmbedder(), root=sys.argv[1], progress=progress)
"""


def test_a_kill_while_embedding_leaves_a_complete_generation_that_the_next_ingest_finishes(tmp_path):
    root = tmp_path / "index"
    env = dict(os.environ, PYTHONPATH=str(ROOT), TRACUU_CHECKPOINT_CHUNKS="16")
    child = subprocess.run([sys.executable, "-c", CHILD, str(root), str(SEED), str(QD97)], env=env)
    assert child.returncode == -9
    integrity._verified.clear()
    data = open_index(root)  # complete: every checksum matches
    assert set(data.docs) == {SEED.name, QD97.name} and int(data.pending.sum()) == len(data.chunks) - 32
    emb = CountingEmbedder()
    report = ingest([SEED, QD97], emb, root=root)
    assert emb.calls == report.chunks_resumed == len(data.chunks) - 32  # the 32 made live are not embedded again
    whole = tmp_path / "whole"
    ingest([SEED, QD97], FakeEmbedder(), root=whole)
    want, got = vectors_by_id(whole), vectors_by_id(root)
    assert all(np.allclose(got[k], want[k], atol=1e-6) for k in want)


def test_an_index_written_before_pending_rows_reads_as_fully_embedded(tmp_path):
    root = tmp_path / "index"
    ingest([QD97], FakeEmbedder(), root=root)
    gen = current_generation(root)
    manifest = json.loads((gen / LAYOUT.manifest).read_text())
    del manifest["counts"]["pending"]  # what the writer wrote before pending rows (no pending.npy either)
    manifest.pop("vectors_over")
    integrity.write_manifest(gen, manifest)
    data = open_index(root)
    assert not data.pending.any() and len(data.pending) == len(data.chunks) and stats_json(data, data)["pending"] == 0
    assert not open_answerer(data, model=FakeEmbedder()).ask("hỗ trợ pháp lý doanh nghiệp", 3).keyword_only


def test_a_pending_list_the_manifest_does_not_count_is_damage(index):
    gen = current_generation(index)
    manifest = json.loads((gen / LAYOUT.manifest).read_text())
    manifest["counts"]["pending"] = 0
    integrity.write_manifest(gen, manifest)
    with pytest.raises(IndexDamaged, match=r"\d+ rows wait for vectors, the manifest says 0"):
        open_index(index)

"""Ctrl-C stops an ingest, with exit 130, wherever it lands: during reading (the previous index intact), during
embedding (the new documents searchable by keyword, the vectors done so far kept), when a library swallows the
KeyboardInterrupt, when the process started with SIGINT ignored. The signal is sent when the child reports the
stage (event-driven, tests/procs.py), never after a fixed sleep."""

from __future__ import annotations

import os
import re
import signal
import sys

import pytest

from pipeline.embed import FakeEmbedder
from pipeline.store.ingest import Stage, ingest
from pipeline.store.reader import open_index
from tests.conftest import ROOT, SEED
from tests.procs import Watched


@pytest.fixture
def indexed(tmp_path):
    root = tmp_path / "index"
    ingest([SEED], FakeEmbedder(), root=root)
    more = tmp_path / "more"
    more.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(12):  # every passage differs, so each copy is embedded: seconds of work after reading
        (more / f"ban-{i}.txt").write_text(re.sub(r"(?m)$", f" (bản {i})", text), encoding="utf-8")
    return root, more, open_index(root)


def _same(root, before) -> None:
    after = open_index(root)
    assert after.gen == before.gen and list(after.docs) == list(before.docs)


def _swallowing(at: Stage, nth: int):
    """A progress callback that raises SIGINT at the `nth` report of `at` and swallows the KeyboardInterrupt,
    as a careless library would."""
    seen = []

    def progress(stage: Stage, done: int, total: int) -> None:
        if stage is at:
            seen.append(done)
            if len(seen) == nth:
                try:
                    os.kill(os.getpid(), signal.SIGINT)
                    for _ in range(10_000):  # the handler runs at the next instruction
                        pass
                except KeyboardInterrupt:
                    pass
    return progress


@pytest.mark.parametrize(("at", "nth"), [(Stage.DOCUMENTS, 1), (Stage.DOCUMENTS, 5), (Stage.NAMES, 1)])
def test_a_swallowed_ctrl_c_still_stops_the_ingest_before_it_writes(indexed, at, nth):
    root, more, before = indexed
    with pytest.raises(KeyboardInterrupt):
        ingest([more], FakeEmbedder(), root=root, progress=_swallowing(at, nth))
    _same(root, before)
    ingest([SEED], FakeEmbedder(), root=root)  # the next ingest starts afresh: no stale interrupt
    _same(root, before)


def test_a_swallowed_ctrl_c_while_embedding_keeps_the_new_documents_and_the_vectors_done(indexed, monkeypatch):
    root, more, before = indexed
    monkeypatch.setenv("TRACUU_CHECKPOINT_CHUNKS", "10000")  # no checkpoint but the one a Ctrl-C makes
    with pytest.raises(KeyboardInterrupt):
        ingest([more], FakeEmbedder(), root=root, progress=_swallowing(Stage.CHUNKS, 4))  # after 3 batches
    after = open_index(root)
    new = sum(1 for c in after.chunks if c.doc.startswith("ban-"))
    assert after.gen != before.gen and len(after.docs) == len(before.docs) + 12
    assert int(after.pending.sum()) == new - 3 * 16  # the three batches embedded before the Ctrl-C are kept
    ingest([SEED], FakeEmbedder(), root=root)  # the next ingest starts afresh, and embeds what was left
    assert not open_index(root).pending.any()


@pytest.mark.parametrize(("stage", "times", "ignored"), [("documents", 1, False), ("documents", 4, False),
                                                         ("documents", 2, True)])
def test_ctrl_c_during_an_ingest_exits_130_with_the_previous_index(indexed, stage, times, ignored):
    root, more, before = indexed
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start_ignored = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignored else None
    child = Watched([sys.executable, "-m", "pipeline", "ingest", str(more), "--index", str(root), "--model",
                     "fake"], env=env, preexec_fn=start_ignored)  # noqa: PLW1509 - only sets a signal disposition
    assert child.wait_for(rf"{stage}:[^|]*\|[^|]*\| *\d+/\d+ \[", times), f"no {stage} progress:\n{child.stderr}"
    child.proc.send_signal(signal.SIGINT)
    assert child.finish() == 130, child.stderr[-3000:]
    assert "the previous index is unchanged" in child.stderr
    _same(root, before)


def test_ctrl_c_while_embedding_exits_130_with_the_documents_searchable_by_keyword(indexed):
    root, more, before = indexed
    # a checkpoint every batch: seconds of writes after the first chunks line, so the signal lands mid-embedding
    env = dict(os.environ, PYTHONPATH=str(ROOT), TRACUU_CHECKPOINT_CHUNKS="16")
    child = Watched([sys.executable, "-m", "pipeline", "ingest", str(more), "--index", str(root), "--model",
                     "fake"], env=env)
    assert child.wait_for(r"chunks:[^|]*\|[^|]*\| *[1-9]\d*/\d+ \[", 2), f"no chunks progress:\n{child.stderr}"
    child.proc.send_signal(signal.SIGINT)
    assert child.finish() == 130, child.stderr[-3000:]
    assert re.search(r"searchable by keyword; \d+ chunks still wait for vectors — run `tracuu ingest` again",
                     child.stderr), child.stderr[-3000:]
    after = open_index(root)
    assert len(after.docs) == len(before.docs) + 12 and 0 < after.pending.sum() < len(after.chunks)

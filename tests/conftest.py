"""Shared fixtures: real Vietnamese text from data/ and tests/data/, the fake embedder for everything but
the embedder, the real bundled e5 loaded once per session for the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# property tests check what is found, not how fast: hypothesis's per-example deadline (200 ms by default) fails
# on a loaded machine, so it is off for every test
settings.register_profile("tracuu", deadline=None)
settings.load_profile("tracuu")

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def fake_embedder():
    from pipeline.embed import FakeEmbedder

    return FakeEmbedder()


@pytest.fixture(scope="session")
def seed_index_fake(tmp_path_factory, fake_embedder) -> Path:
    """The seed and one decision (markdown) indexed with the fake embedder."""
    from pipeline.store.ingest import ingest

    root = tmp_path_factory.mktemp("seed-fake")
    ingest([SEED, DATA / "qd-97-2025-ubnd.md"], fake_embedder, root=root)
    return root


@pytest.fixture(scope="session")
def e5():
    from pipeline.embed import load_embedder

    return load_embedder("e5-small", threads=2)


@pytest.fixture(scope="session")
def seed_index_e5(tmp_path_factory, e5) -> Path:
    """The seed indexed with the real bundled embedder (about a minute on 2 cores), once per test run."""
    from pipeline.store.ingest import ingest

    root = tmp_path_factory.mktemp("seed-e5")
    report = ingest([SEED], e5, root=root)
    assert report.chunks_embedded > 50
    return root

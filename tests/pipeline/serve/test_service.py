"""The live index of a server (pipeline/serve/service.py): the old generation answers until the new one is
loaded, engines are built once per generation and collections, the shared embedder is one call at a time."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from pipeline.access.accounts import Refused
from tests.conftest import DATA


def test_a_new_generation_is_swapped_in_whole_and_the_old_keeps_answering(tmp_path, fake_embedder):
    import pipeline
    from pipeline.serve.service import LiveIndex

    class HeldLoad(LiveIndex):  # the next generation's load waits until the test lets it go
        release = threading.Event()
        loads = 0

        def _load(self):
            HeldLoad.loads += 1
            if HeldLoad.loads > 1:
                assert self.release.wait(60)
            return super()._load()

    pipeline.ingest([DATA / "qd-97-2025-ubnd.md"], fake_embedder, root=tmp_path, collection="a")
    live = HeldLoad(tmp_path, check_every=0.0)
    old = live.current()
    first = live.answerer(frozenset({"a"}))
    assert live.answerer(frozenset({"a"})) is first  # built once
    pipeline.ingest([DATA / "nd-25-2025-cp.md"], fake_embedder, root=tmp_path, collection="a")
    # while the new generation loads, the old one answers, whole
    assert all(live.current() is old for _ in range(5))
    assert live.view(frozenset({"a"})).docs.keys() == {"qd-97-2025-ubnd.md"}
    assert live.answerer(frozenset({"a"})) is first
    HeldLoad.release.set()
    new = live.settle(60)
    assert new.name != old.name
    assert new.view(frozenset({"a"})).docs.keys() == {"qd-97-2025-ubnd.md", "nd-25-2025-cp.md"}
    assert live.answerer(frozenset({"a"})) is not first and HeldLoad.loads == 2  # one reload, not one a request
    assert first.ask("hỗ trợ chi phí tư vấn pháp luật").passages  # the old engine still answers


def test_no_index_yet_is_503(tmp_path):
    from pipeline.serve.service import LiveIndex

    with pytest.raises(Refused) as e:
        LiveIndex(tmp_path).current()
    assert e.value.status == 503


def test_the_shared_embedder_embeds_one_call_at_a_time(fake_embedder):
    from pipeline.embed import Embedder, Role
    from pipeline.serve.service import LockedEmbedder

    inside, most = [0], [0]
    guard = threading.Lock()

    class Counting(Embedder):
        name, dim = "counting", 4

        def embed_batch(self, texts, role):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            out = fake_embedder.embed_batch(texts, role)[:, :4]
            with guard:
                inside[0] -= 1
            return np.ascontiguousarray(out)

    shared = LockedEmbedder(Counting())
    threads = [threading.Thread(target=lambda: [shared.embed_batch(["thu ngân sách"] * 50, Role.QUERY)
                                                for _ in range(20)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1 and shared.name == "counting" and shared.dim == 4


def test_the_bundled_e5_gives_the_same_vectors_from_many_threads_at_once(e5):
    # what lets the server call it without a lock (E5Embedder.thread_safe)
    from pipeline.embed import Role

    texts = [f"tăng trưởng kinh tế năm {2000 + i} đạt bao nhiêu phần trăm" for i in range(24)]
    alone = [e5.embed_batch([t], Role.QUERY)[0] for t in texts]
    together: dict[int, np.ndarray] = {}

    def embed(start: int) -> None:
        for i in range(start, len(texts), 4):
            together[i] = e5.embed_batch([texts[i]], Role.QUERY)[0]

    threads = [threading.Thread(target=embed, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert e5.thread_safe and all(np.array_equal(alone[i], together[i]) for i in range(len(texts)))


def test_an_embedder_not_declared_thread_safe_is_shared_behind_a_lock(tmp_path, fake_embedder):
    import pipeline
    from pipeline.embed import FakeEmbedder
    from pipeline.serve.service import LiveIndex, LockedEmbedder

    class Plain(FakeEmbedder):
        thread_safe = False

    pipeline.ingest([DATA / "nd-25-2025-cp.md"], fake_embedder, root=tmp_path)
    live = LiveIndex(tmp_path, embedder=Plain())
    assert isinstance(live.embedder(live.current().index), LockedEmbedder)
    assert not isinstance(LiveIndex(tmp_path).embedder(live.current().index), LockedEmbedder)

"""Kill ingest at random points (SIGKILL) many times: the index always opens, verifies its checksums, answers,
and holds exactly the documents of the last ingest that switched CURRENT (with the vectors its last checkpoint
made live: the next ingest embeds the rest). Two ingests at once never race."""

import hashlib
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.embed import FakeEmbedder
from pipeline.search.hybrid import HybridSearcher
from pipeline.store import integrity
from pipeline.store.reader import open_index
from tests.conftest import DATA, ROOT
from tests.procs import PROGRESS, Watched

POOL = sorted(DATA.glob("qd-*.md"))


def cli(*args: str, quiet: bool = True) -> list[str]:
    return [sys.executable, "-m", "pipeline", "ingest", *args, "--model", "fake", *(["-q"] if quiet else [])]


def state(root: Path) -> dict[str, str]:
    """{document: content hash} of the live generation, after checking every file's sha256 and answering; the
    vectors it holds are those of the texts it holds (zeros only where pending)."""
    integrity._verified.clear()
    data = open_index(root)
    assert len(data.vectors()) == len(data.chunks) == sum(d.n_chunks for d in data.docs.values())
    hits = HybridSearcher.over(data, FakeEmbedder()).search("quyết định phân cấp thẩm quyền", 5)
    assert hits and {h.chunk_id.split("#")[0] for h in hits} <= set(data.docs)
    norms = np.linalg.norm(data.vectors(), axis=1)
    assert np.allclose(norms[~data.pending], 1.0, atol=1e-4) and not norms[data.pending].any()
    return {name: d.content_hash for name, d in data.docs.items()}


def plan(rng: random.Random, src: Path, current: dict[str, str], r: int) -> tuple[dict[str, str], list[str]]:
    """Rewrite the source folder for the next ingest: some documents come, some go, at least one is edited."""
    for f in src.iterdir():
        f.unlink()
    chosen = rng.sample(POOL, rng.randint(2, 4))
    for i, f in enumerate(chosen):
        data = f.read_bytes()
        if i == 0 or rng.random() < 0.3:
            data += f"\n\nĐiều bổ sung {r}. Văn bản này được sửa đổi lần {r}.\n".encode()
        (src / f.name).write_bytes(data)
    want = {f.name: hashlib.sha256((src / f.name).read_bytes()).hexdigest() for f in chosen}
    return want, sorted(set(current) - set(want))


def progress_lines(args: list[str], env: dict) -> int:
    """Run one ingest to the end; how many progress lines it printed (the kills are spread over them)."""
    child = Watched(args, env=env)
    assert child.finish() == 0, child.stderr
    return child.count(PROGRESS)


def kill_rounds(tmp_path: Path, rounds: int, seed: int) -> dict[str, int]:
    """The kills land after a random number of the child's progress lines (then a few ms more, so that they
    fall inside a stage, not only at its edges): where they land does not depend on how busy the machine is."""
    rng = random.Random(seed)
    root, src = tmp_path / "index", tmp_path / "src"
    src.mkdir()
    # a vectors-only generation every 16 chunks: kills land while vectors are being made live, too
    env = dict(os.environ, PYTHONPATH=str(ROOT), TRACUU_CHECKPOINT_CHUNKS="16")
    want, _ = plan(rng, src, {}, 0)
    lines = progress_lines(cli(str(src), "--index", str(root), quiet=False), env)
    assert lines >= 2, "ingest printed no progress: nothing to time the kills on"
    current = state(root)
    assert current == want
    reader = HybridSearcher.over(open_index(root), FakeEmbedder())
    counts = {"rounds": rounds, "killed_before_switch": 0, "killed_after_switch": 0, "killed_while_embedding": 0,
              "finished_first": 0, "completed": 0}
    for r in range(1, rounds + 1):
        want, gone = plan(rng, src, current, r)
        args = cli(str(src), "--index", str(root), *(["--remove", *gone] if gone else []), quiet=False)
        if r % 3 == 0:  # a completed ingest between the kills
            lines = progress_lines(args, env)
            counts["completed"] += 1
            current = want
        else:
            child = Watched(args, env=env)
            child.wait_for(PROGRESS, times=rng.randint(1, lines))  # False: it finished first
            child.proc.send_signal(signal.SIGKILL)
            code = child.finish()
            now = state(root)
            if code == 0:
                counts["finished_first"] += 1
            elif want != current:
                counts["killed_after_switch" if now == want else "killed_before_switch"] += 1
            if code != 0 and open_index(root).pending.any():
                counts["killed_while_embedding"] += 1
            assert now in (current, want), f"round {r}: a mix of two ingests"
            assert code in (0, -signal.SIGKILL), child.stderr
            current = now
        assert state(root) == current
        hits = reader.search("kế hoạch", 3)  # a reader loaded before keeps answering, from what it loaded
        assert hits and {h.chunk_id.split("#")[0] for h in hits} <= set(reader.index.docs)
        reader = HybridSearcher.over(open_index(root), FakeEmbedder())
    subprocess.run(cli(str(src), "--index", str(root)), env=env, check=True, stderr=subprocess.DEVNULL)
    leftovers = [p.name for p in root.iterdir() if p.name.startswith((".tmp-", ".CURRENT-"))]
    # the live generation, the one before it, and the one live when the last ingest began
    assert not leftovers and len([p for p in root.iterdir() if p.name.startswith("gen-")]) <= 3
    assert state(root) and not open_index(root).pending.any()  # what a kill left pending is embedded now
    return counts


def test_random_sigkills_never_lose_the_last_completed_ingest(tmp_path):
    counts = kill_rounds(tmp_path, rounds=18, seed=2025)
    print(counts)
    killed = counts["killed_before_switch"] + counts["killed_after_switch"]
    assert killed >= 4 and counts["killed_before_switch"] >= 1, counts  # the kills really landed mid-ingest
    assert counts["killed_while_embedding"] >= 1, counts  # and some while the vectors were filling in


@pytest.mark.slow
def test_random_sigkills_200_rounds(tmp_path):
    counts = kill_rounds(tmp_path, rounds=200, seed=7)
    print(counts)
    assert counts["killed_before_switch"] >= 40, counts


def test_a_second_ingest_refuses_then_waits_for_the_lock(tmp_path):
    from pipeline.store.ingest import ingest, ingest_lock
    from pipeline.store.layout import IndexUnavailable, current_generation

    root = tmp_path / "index"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with ingest_lock(root):
        busy = subprocess.run(cli(str(POOL[0]), "--index", str(root)), env=env, capture_output=True, text=True)
        assert busy.returncode == 2 and "another ingest is writing" in busy.stderr and "--wait" in busy.stderr
        with pytest.raises(IndexUnavailable, match="still busy after waiting"):
            ingest([POOL[0]], FakeEmbedder(), root=root, wait=0.5)
        waiting = Watched(cli(str(POOL[0]), "--index", str(root), "--wait"), env=env)
        assert waiting.wait_for("waiting for another ingest"), waiting.stderr
        assert waiting.proc.poll() is None  # still waiting while the lock is held
        assert current_generation(root) is None  # and it has written nothing
    assert waiting.finish() == 0, waiting.stderr
    assert list(open_index(root).docs) == [POOL[0].name]

"""Load test of the API: many readers asking at once while an upload is ingested through the queue.

Starts the API (--workers uvicorn processes on 127.0.0.1, a free port, with the ingest worker thread in this
process, as `tracuu serve` does) over the index folder --index — which it WRITES to (accounts, the queue, a new
generation): give it a copy. Creates --clients reader accounts with their tokens and an editor; warms each
process with a few questions; then, for --seconds, --clients threads (one keep-alive connection each) ask the
dev questions in turn (each waiting --think seconds between an answer and its next question; 0: at once, which
saturates), while the
editor's upload of --upload files (at the start) runs through the queue. Records each request's latency and
status, when the ingest job finished and when the new generation was served, and, after the run, whether the
uploaded documents are listed and found.

Bounded: --seconds of load, at most --max-requests in all, then at most --ingest-wait seconds more for the job;
loopback only.

Run:
    cp -r /work/bench-idx/full-grp /tmp/load-idx
    python bench/bench_server.py --index /tmp/load-idx --seconds 60 --clients 20
Writes bench/out/server.json (or --out) and prints the same JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

from common import default_out, peak_rss_kb, shared, write_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEV_QA = str(shared("eval", "dev_qa.jsonl"))
UPLOADS = [ROOT / "tests" / "data" / n for n in ("qd-2813-dongnai.md", "qd-95-2025-nghean.md",
                                                 "qd-032-2025-daklak.md")]
PASSWORD = "mat-khau-bench"


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile (0–1) by the nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def summary(latencies: list[float]) -> dict:
    return {"n": len(latencies), "p50_s": round(percentile(latencies, 0.5), 4),
            "p95_s": round(percentile(latencies, 0.95), 4), "p99_s": round(percentile(latencies, 0.99), 4),
            "max_s": round(max(latencies, default=0.0), 4),
            "mean_s": round(statistics.fmean(latencies), 4) if latencies else 0.0}


def accounts(root: Path, clients: int, collection: str) -> tuple[list[str], str]:
    """Reader tokens and an editor's token (accounts created once; tokens renewed each run)."""
    import pipeline

    store = pipeline.Accounts(root)
    names = [f"bench-reader-{i:02d}" for i in range(clients)]
    for name, role in [*((n, "reader") for n in names), ("bench-editor", "editor")]:
        if store.get(name) is None:
            store.add(name, role, [collection], PASSWORD, by="bench")
    return [store.new_token(n, by="bench") for n in names], store.new_token("bench-editor", by="bench")


def run_worker(root: Path) -> None:
    from pipeline.access.jobs import Worker

    Worker(root).start()
    threading.Event().wait()  # until terminated


def start_server(root: Path, workers: int):
    """The API (`workers` processes) on 127.0.0.1 and the ingest worker thread here, as `tracuu serve` runs
    them; (url, API processes, worker)."""
    import httpx

    from pipeline.serve.run import start_api
    from pipeline.settings import Settings

    api = start_api(root, "127.0.0.1", 0, Settings.from_env(), workers)  # forked before any thread starts
    # the ingest worker in a process of its own, as in `tracuu serve` (whose main process does nothing else): the
    # client threads of this one would otherwise take its turns at the GIL
    # (not a daemon: the ingest reads each file in a child process of its own)
    worker = multiprocessing.get_context("fork").Process(target=run_worker, args=(root,))
    worker.start()
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{api.url}/api/health", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not api.alive():
            api.stop()
            raise SystemExit("the API did not start within 60 s")
        time.sleep(0.1)
    return api.url, api, worker


class Load:
    """The client threads and what they saw."""

    def __init__(self, url: str, tokens: list[str], questions: list[str], seconds: float, max_requests: int,
                 think: float = 0.0):
        self.url, self.tokens, self.questions, self.think = url, tokens, questions, think
        self.seconds, self.max_requests = seconds, max_requests
        self.records: list[tuple[float, float, int]] = []  # (start, latency, status)
        self.lock = threading.Lock()
        self.t0 = 0.0

    def client(self, i: int) -> None:
        import httpx

        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.tokens[i]}"},
                          timeout=30.0) as c:
            k = i
            while time.monotonic() - self.t0 < self.seconds:
                with self.lock:
                    if len(self.records) >= self.max_requests:
                        return
                q = self.questions[k % len(self.questions)]
                k += 1
                start = time.monotonic()
                try:
                    status = c.post("/api/ask", json={"question": q, "top_k": 5}).status_code
                except Exception:  # noqa: BLE001 — a failed request is one error
                    status = -1
                with self.lock:
                    self.records.append((start - self.t0, time.monotonic() - start, status))
                if self.think:
                    time.sleep(self.think)  # a person reading the answer before the next question

    def run(self) -> None:
        self.t0 = time.monotonic()
        threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(len(self.tokens))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(self.seconds + 60)


def watch_job(url: str, token: str, job_id: int, t0: float, stop: threading.Event, out: dict) -> None:
    """Poll the job and the served generation every half second: when the job ended, when the new one served."""
    import httpx

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30.0) as c:
        first = c.get("/api/health").json()["generation"]
        while not stop.is_set():
            if "finished_s" not in out:
                job = c.get(f"/api/jobs/{job_id}").json()
                if job["state"] in ("done", "failed"):
                    out.update(finished_s=round(time.monotonic() - t0, 2), state=job["state"],
                               report={k: job["report"].get(k) for k in ("added", "errors")} if job["report"]
                               else None, message=job["message"])
            if "served_s" not in out and c.get("/api/health").json()["generation"] != first:
                out["served_s"] = round(time.monotonic() - t0, 2)
            if "finished_s" in out and "served_s" in out:
                return
            stop.wait(0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="a COPY of an index folder (the run writes to it)")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--questions", default=DEV_QA, help="JSON Lines with a 'q' field (default: the dev set)")
    ap.add_argument("--upload", nargs="*", default=[str(p) for p in UPLOADS], help="files the editor uploads")
    ap.add_argument("--collection", default="chung", help="the readers' and the uploads' collection")
    ap.add_argument("--workers", type=int, default=2, help="API processes (default 2, as `tracuu serve`)")
    ap.add_argument("--think", type=float, default=0.0,
                    help="seconds each client waits after an answer (default 0: ask again at once, saturating)")
    ap.add_argument("--max-requests", type=int, default=200_000)
    ap.add_argument("--ingest-wait", type=float, default=300.0, help="seconds to wait for the job after the load")
    ap.add_argument("--out", default=str(default_out("server")))
    args = ap.parse_args()
    if args.seconds > 3600 or args.clients > 200:
        raise SystemExit("--seconds at most 3600, --clients at most 200")

    import httpx

    root = Path(args.index)
    questions = [json.loads(line)["q"] for line in open(args.questions, encoding="utf-8") if line.strip()]
    tokens, editor = accounts(root, args.clients, args.collection)
    url, api, worker = start_server(root, args.workers)
    t = time.monotonic()
    for token in tokens[: args.workers * 4]:  # every process loads the index, its embedder and the readers' view
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300.0) as c:
            assert c.post("/api/ask", json={"question": questions[0]}).status_code == 200
    warm_s = time.monotonic() - t
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=300.0) as c:
        docs_before = len(c.get("/api/documents").json())

    ingest: dict = {"files": [Path(p).name for p in args.upload]}
    load = Load(url, tokens, questions, args.seconds, args.max_requests, args.think)
    stop = threading.Event()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {editor}"}, timeout=60.0) as c:
        files = [("file", (Path(p).name, Path(p).read_bytes())) for p in args.upload]
        t_submit = time.monotonic()
        queued = c.post("/api/documents", files=files, data={"collection": args.collection})
    ingest["submitted_status"] = queued.status_code
    watcher = None
    if queued.status_code == 202:
        watcher = threading.Thread(target=watch_job, args=(url, editor, queued.json()["id"], t_submit, stop, ingest),
                                   daemon=True)
        watcher.start()
    load.run()
    load_s = time.monotonic() - load.t0
    if watcher is not None:
        watcher.join(args.ingest_wait)
        stop.set()
    ingest["finished_during_load"] = ingest.get("finished_s", float("inf")) <= load_s

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=60.0) as c:
        listed = {d["name"] for d in c.get("/api/documents").json()}
        ingest["listed_after"] = sorted(set(ingest["files"]) & listed)
        ingest["documents_before_after"] = [docs_before, len(listed)]
    api.stop()
    worker.terminate()
    worker.join(30)

    ok = [lat for _, lat, s in load.records if s == 200]
    statuses: dict[str, int] = {}
    for _, _, s in load.records:
        statuses[str(s)] = statuses.get(str(s), 0) + 1
    during = [lat for start, lat, s in load.records if s == 200 and start < ingest.get("finished_s", load_s)]
    after = [lat for start, lat, s in load.records if s == 200 and start >= ingest.get("finished_s", load_s)]
    result = {
        "index": str(root), "api_workers": args.workers, "clients": args.clients, "think_s": args.think,
        "seconds": round(load_s, 2),
        "questions": len(questions),
        "warmup_s": round(warm_s, 2), "requests": len(load.records),
        "requests_per_s": round(len(load.records) / load_s, 2) if load_s else 0.0,
        "errors": len(load.records) - len(ok), "statuses": statuses,
        "latency": summary(ok), "latency_while_ingesting": summary(during), "latency_after_ingest": summary(after),
        # finished: the job done with every file added, and the new generation served
        "ingest": {**ingest, "finished": ingest.get("state") == "done" and "served_s" in ingest
                   and set(ingest["files"]) <= set((ingest.get("report") or {}).get("added") or ())},
        "rate_per_minute": float(os.environ.get("TRACUU_RATE_PER_MINUTE") or 300),
        "peak_rss_mb": round(peak_rss_kb() / 1024, 1),  # this process: the clients
        "peak_rss_child_mb": round(peak_rss_kb(resource.RUSAGE_CHILDREN) / 1024, 1),  # the largest API/ingest one
    }
    write_result(args.out, result)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

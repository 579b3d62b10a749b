"""The background ingest queue of a shared server: uploads and removals are queued (``jobs`` in
``<index>/access.sqlite``, the uploaded bytes under ``<index>/queue/<job>/``) and one `Worker` runs them one at a
time, in order, while every question keeps being answered from the live generation until the new one is switched
in. Each job records its stage and progress for the page and the API, and, when it ends, what it did; the audit log
gets one line per document added, replaced or removed, under the name of who asked.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pipeline.access.accounts import ACCESS_DB, Accounts, Refused, database
from pipeline.embed import Embedder
from pipeline.types import collection_name

QUEUE = "queue"
# the ingest thread's niceness: questions asked meanwhile go first on a busy machine, the ingest takes what is left
WORKER_NICE = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    collection TEXT, names TEXT NOT NULL, replace INTEGER NOT NULL, state TEXT NOT NULL, stage TEXT, done INTEGER,
    total INTEGER, message TEXT, report TEXT, finished TEXT
);
"""


class JobState(StrEnum):
    """Where a job is: waiting, being ingested, finished (its report says what went in) or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Action(StrEnum):
    """What a job does."""

    ADD = "add"  # ingest uploaded files (replacing same-named documents when `replace`)
    REMOVE = "remove"  # drop documents


@dataclass(frozen=True)
class Job:
    """One queued upload or removal and how far it got."""

    id: int
    created: str
    actor: str  # the account that asked for it
    action: Action
    collection: str | None  # where uploads go (None for a removal)
    names: tuple[str, ...]  # the files uploaded, or the documents to remove
    replace: bool
    state: JobState
    stage: str = ""  # the ingest stage running (documents, chunks, indicator names)
    done: int = 0
    total: int = 0
    message: str = ""  # why it failed
    report: dict | None = None  # when it ended: added, updated, unchanged, removed, errors, notes

    def to_json(self) -> dict:
        """The job as the API and the page show it."""
        return {"id": self.id, "created": self.created, "actor": self.actor, "action": self.action.value,
                "collection": self.collection, "names": list(self.names), "replace": self.replace,
                "state": self.state.value, "stage": self.stage, "done": self.done, "total": self.total,
                "message": self.message, "report": self.report}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Jobs:
    """The queue of the index folder `root`."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.path = self.root / ACCESS_DB
        self.folder = self.root / QUEUE

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return database(self.path, _SCHEMA)

    def submit_upload(self, files: Sequence[tuple[str, bytes]], collection: str, actor: str,
                      replace: bool = False) -> Job:
        """Queue uploaded (name, content) pairs for `collection`; the bytes are kept under the job's folder until
        it has run. Names are made safe here (`Refused` 400 when one is unusable)."""
        from pipeline.store.library import safe_name

        if not files:
            raise Refused(400, "no file to upload (chưa chọn tệp)")
        try:
            collection = collection_name(collection)
            names = [safe_name(n) for n, _ in files]
        except ValueError as e:
            raise Refused(400, str(e)) from None
        with self._db() as db:
            job_id = self._insert(db, actor, Action.ADD, collection, names, replace)
            folder = self.folder / str(job_id)
            folder.mkdir(parents=True, exist_ok=True)
            for name, (_, data) in zip(names, files, strict=True):
                (folder / name).write_bytes(data)
            db.execute("UPDATE jobs SET state = ? WHERE id = ?", (JobState.QUEUED.value, job_id))
        return self.get(job_id)  # type: ignore[return-value]  # just written

    def submit_remove(self, names: Sequence[str], actor: str) -> Job:
        """Queue the removal of documents `names`."""
        if not names:
            raise Refused(400, "no document to remove (chưa chọn tài liệu)")
        with self._db() as db:
            job_id = self._insert(db, actor, Action.REMOVE, None, list(names), False)
            db.execute("UPDATE jobs SET state = ? WHERE id = ?", (JobState.QUEUED.value, job_id))
        return self.get(job_id)  # type: ignore[return-value]

    @staticmethod
    def _insert(db: sqlite3.Connection, actor: str, action: Action, collection: str | None, names: list[str],
                replace: bool) -> int:
        # inserted as "saving" (no state a worker claims) until its files are all on disk
        cur = db.execute("INSERT INTO jobs (created, actor, action, collection, names, replace, state, done, total) "
                         "VALUES (?,?,?,?,?,?, 'saving', 0, 0)",
                         (_now(), actor, action.value, collection, json.dumps(names, ensure_ascii=False),
                          int(replace)))
        return int(cur.lastrowid or 0)

    def get(self, job_id: int) -> Job | None:
        """The job `job_id`, None when there is none."""
        with self._db() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def recent(self, limit: int = 50, actor: str | None = None) -> list[Job]:
        """The newest `limit` jobs, newest first (only `actor`'s when given)."""
        where, args = ("AND actor = ?", [actor]) if actor else ("", [])
        with self._db() as db:
            rows = db.execute(f"SELECT * FROM jobs WHERE state != 'saving' {where} ORDER BY id DESC LIMIT ?",
                              [*args, limit]).fetchall()
        return [_job(r) for r in rows]

    def pending(self) -> int:
        """How many jobs wait or run."""
        with self._db() as db:
            return int(db.execute("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')").fetchone()[0])

    def claim(self) -> Job | None:
        """The oldest queued job, now marked running; None when none waits."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT * FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1").fetchone()
            if row is None:
                db.execute("COMMIT")
                return None
            db.execute("UPDATE jobs SET state = 'running' WHERE id = ?", (row["id"],))
            db.execute("COMMIT")
        return self.get(int(row["id"]))

    def requeue_interrupted(self) -> int:
        """Jobs left running by a server that stopped go back to the queue (an ingest is all or nothing: the
        interrupted one wrote nothing). Returns how many."""
        with self._db() as db:
            return db.execute("UPDATE jobs SET state = 'queued', stage = '', done = 0, total = 0 "
                              "WHERE state = 'running'").rowcount

    def progress(self, job_id: int, stage: str, done: int, total: int) -> None:
        """Record how far the running job got."""
        with self._db() as db:
            db.execute("UPDATE jobs SET stage = ?, done = ?, total = ? WHERE id = ?", (stage, done, total, job_id))

    def finish(self, job_id: int, state: JobState, report: dict | None = None, message: str = "") -> None:
        """Mark the job done or failed, with its report; its uploaded bytes are deleted."""
        with self._db() as db:
            db.execute("UPDATE jobs SET state = ?, report = ?, message = ?, finished = ? WHERE id = ?",
                       (state.value, json.dumps(report, ensure_ascii=False) if report else None, message, _now(),
                        job_id))
        shutil.rmtree(self.folder / str(job_id), ignore_errors=True)

    def files(self, job: Job) -> list[tuple[str, bytes]]:
        """The uploaded (name, content) pairs of an upload job."""
        folder = self.folder / str(job.id)
        return [(n, (folder / n).read_bytes()) for n in job.names if (folder / n).is_file()]


def _job(row: sqlite3.Row) -> Job:
    return Job(int(row["id"]), row["created"], row["actor"], Action(row["action"]), row["collection"],
               tuple(json.loads(row["names"])), bool(row["replace"]), JobState(row["state"]), row["stage"] or "",
               int(row["done"] or 0), int(row["total"] or 0), row["message"] or "",
               json.loads(row["report"]) if row["report"] else None)


Runner = Callable[[Job, Callable[[str, int, int], None]], dict]


class Worker:
    """Runs the queue of `root`, one job at a time, in a thread of its own (`start`), until `stop`.

    `run(job, progress)` does the work and returns the ingest report as a dict; by default `ingest_job`, which
    loads the index's embedder once and keeps it.
    """

    def __init__(self, root: str | os.PathLike, run: Runner | None = None, poll: float = 0.5) -> None:
        self.jobs = Jobs(root)
        self.accounts = Accounts(root)
        self.root = Path(root)
        self._run = run or IngestRunner(self.root)
        self._poll = poll
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()  # notified each time the thread finds the queue empty
        self._passes = 0  # how many times it has

    def start(self) -> Worker:
        """Start the worker thread (jobs a previous server left running are queued again first)."""
        self.jobs.requeue_interrupted()
        self._thread = threading.Thread(target=self._loop, name="tracuu-ingest-worker", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        """Look at the queue now rather than at the next poll (a job was just submitted)."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the job running (if any) ends."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        with contextlib.suppress(OSError):  # on Linux `nice` lowers this thread only, and what it starts
            os.nice(WORKER_NICE)
        while not self._stop.is_set():
            if not self.run_one():
                with self._idle:
                    self._passes += 1
                    self._idle.notify_all()
                self._wake.wait(self._poll)
                self._wake.clear()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until the started worker has run every job queued before this call: True, or False when `timeout`
        seconds passed first. It waits for two empty passes of the queue: the second began after the call."""
        with self._idle:
            seen = self._passes
        self.wake()
        with self._idle:
            return self._idle.wait_for(lambda: self._passes >= seen + 2, timeout)

    def run_one(self) -> bool:
        """Run the oldest queued job, if any; False when none waited."""
        job = self.jobs.claim()
        if job is None:
            return False
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.5 or done >= total:  # a write every half second at most
                last[0] = now
                self.jobs.progress(job.id, stage, done, total)

        try:
            report = self._run(job, progress)
        except Exception as e:  # noqa: BLE001 — a failed job is reported on the page, the worker goes on
            message = e.message if isinstance(e, Refused) else f"{type(e).__name__}: {e}"
            self.jobs.finish(job.id, JobState.FAILED, message=message)
            self.accounts.audit(job.actor, "job.failed", str(job.id), {"message": message[:300]})
            return True
        self.jobs.finish(job.id, JobState.DONE, report=report)
        self._audit(job, report)
        return True

    def _audit(self, job: Job, report: dict) -> None:
        """One audit line per document: added, replaced (a replacement is removed, then added again) or removed."""
        where = {"collection": job.collection, "job": job.id} if job.collection else {"job": job.id}
        added, removed = report.get("added", []), report.get("removed", [])
        replaced = [*(n for n in added if n in removed), *report.get("updated", [])]
        lines = [("document.add", n) for n in added if n not in removed] + [("document.replace", n) for n in replaced]
        lines += [("document.remove", n) for n in removed if n not in added]
        for action, name in lines:
            self.accounts.audit(job.actor, action, name, where)


class IngestRunner:
    """What the worker does with a job: the uploads ingested into their collection, or the documents removed,
    with the index's own embedder (loaded on the first job and kept)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._embedder: Embedder | None = None

    def _embedder_for(self) -> Embedder:
        """The index's own embedder (read from its manifest), else the one a new index is created with."""
        if self._embedder is None:
            from pipeline.embed import load_embedder
            from pipeline.settings import Settings
            from pipeline.store.layout import IndexDamaged, built_with

            try:
                name = built_with(self.root)
            except IndexDamaged:  # the ingest rebuilds it
                name = None
            self._embedder = load_embedder(name or Settings.from_env().model)
        return self._embedder

    def __call__(self, job: Job, progress: Callable[[str, int, int], None]) -> dict:
        """Run `job`; the ingest report as a dict. What the account that asked may do is checked again here,
        against the index as it is when the job runs (`allowed`): a front end that forgot to ask changes nothing
        it could not."""
        from dataclasses import asdict

        from pipeline.store.ingest import IngestReport, Stage
        from pipeline.store.library import Library

        library = Library(self.root)

        def report(stage: Stage, done: int, total: int) -> None:
            progress(stage.value, done, total)

        refused, names = self.allowed(job)
        result = IngestReport()
        if job.action is Action.REMOVE and names:
            result = library.remove(names, self._embedder_for())
        elif job.action is Action.ADD:
            files = [(n, b) for n, b in Jobs(self.root).files(job) if n in names]
            if files:
                result = library.add(files, self._embedder_for(), progress=report, replace=job.replace,
                                     collection=job.collection)
        result.errors[:0] = refused
        return asdict(result)

    def allowed(self, job: Job) -> tuple[list[str], list[str]]:
        """(one refusal line per name the job's account may not touch, the names it may): an upload into a
        collection it does not edit, or named like a document of such a collection; a removal of such a
        document. Raises `Refused` 403 when the account no longer exists."""
        from pipeline.store.layout import index_root, live_name
        from pipeline.store.reader import salvage_documents

        account = Accounts(self.root).get(job.actor)
        if account is None:
            raise Refused(403, f"account '{job.actor}' no longer exists: nothing done (tài khoản không còn)")
        docs = salvage_documents(index_root(self.root)) if live_name(index_root(self.root)) else {}
        refused: list[str] = []
        if job.action is Action.ADD and not account.can_edit(job.collection or ""):
            return [f"{n}: {account.name} may not upload into '{job.collection}' (không có quyền)"
                    for n in job.names], []
        for name in job.names:
            doc = docs.get(name)
            if doc is not None and not account.can_edit(doc.collection):
                refused.append(f"{name}: a document of a collection {account.name} does not edit has this name "
                               "(không có quyền với tài liệu này; hãy đổi tên tệp)")
            elif job.action is Action.REMOVE and doc is None:
                refused.append(f"{name}: not in the index (không có trong chỉ mục)")
        bad = {r.split(":", 1)[0] for r in refused}
        return refused, [n for n in job.names if n not in bad]

"""A budget of time and memory for reading one file: the reading runs in a long-lived worker process (forked, so
nothing is pickled but the arguments and the result) under an address-space limit, and the caller waits for it
only until a deadline. A file that loops, or asks for gigabytes, then costs that much and no more: the worker is
killed (or its allocation fails), the file gets its error, and a fresh worker reads the next file.

The worker ignores SIGINT: Ctrl-C stops the caller, which kills the worker on its way out.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any


@dataclass(frozen=True)
class Budget:
    """What reading one file may cost: `seconds` of wall time and `megabytes` of address space beyond what the
    process already holds. 0 seconds: no worker at all (read in the caller's process, unbounded)."""

    seconds: float = 120.0
    megabytes: float = 2048.0


class WorkerFailed(Exception):
    """Reading one file went over its budget or crashed the worker; the message says which, in one line."""


def _address_space() -> int:
    """Bytes of address space this process holds now (a forked child starts with its parent's)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the process that started it dies (even by SIGKILL), so no
    orphan is left reading a hostile file with no deadline."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _serve(func: Callable[..., Any], conn: Connection, theirs: Connection, megabytes: float) -> None:
    """The worker's loop: arguments in, ("ok", result) or ("error", kind, message) out, until the pipe closes.
    `theirs`: the parent's end, inherited through fork, closed here so that the parent's exit ends the loop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    theirs.close()
    _die_with_parent()
    if os.getppid() == 1:  # the parent died before the line above: nobody is waiting
        return
    held = _address_space()
    if megabytes and held:
        limit = held + int(megabytes * 2**20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            out: tuple = ("ok", func(*args))
        except MemoryError:
            out = ("memory", "MemoryError", "")
        except Exception as e:  # the caller turns any failure into this file's one error line
            out = ("error", type(e).__name__, str(e))
        try:
            conn.send(out)
        except Exception as e:  # a result that cannot be sent (too large for the memory left, unpicklable)
            conn.send(("error", type(e).__name__, f"the result could not be returned ({e})"))


class Worker:
    """``with Worker(func, budget) as w: w.call(*args)`` — `func(*args)` in the worker, its result returned;
    its exception raised again as `RaisedInWorker`; over the budget or crashed: `WorkerFailed`."""

    def __init__(self, func: Callable[..., Any], budget: Budget) -> None:
        self.func, self.budget = func, budget
        self._proc: Any = None
        self._conn: Connection | None = None

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> Connection:
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe()
        self._conn = parent
        self._proc = ctx.Process(target=_serve, args=(self.func, child, parent, self.budget.megabytes), daemon=True)
        try:
            self._proc.start()
        finally:
            child.close()
        return parent

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs (its memory can be watched in /proc), else None."""
        return self._proc.pid if self._proc is not None and self._proc.is_alive() else None

    def close(self) -> None:
        """Stop the worker (killed when it is busy: nothing it holds is worth waiting for)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        proc, self._proc = self._proc, None
        if proc is not None and proc.pid is not None:  # a start cut short (by Ctrl-C) has nothing to join
            proc.join(timeout=1.0)
            if proc.is_alive():
                proc.kill()
                proc.join()

    def _kill(self) -> int | None:
        """Kill the worker now; its exit code (negative: the signal that ended it)."""
        proc = self._proc
        if proc is not None and proc.pid is not None:
            if proc.is_alive():
                proc.kill()
            proc.join()
        code = proc.exitcode if proc is not None else None
        if self._conn is not None:
            self._conn.close()
        self._proc, self._conn = None, None
        return code

    def call(self, *args: Any) -> Any:  # noqa: ANN401 - whatever `func` returns
        """`func(*args)` in the worker, within the budget. Raises `RaisedInWorker` (func raised) or
        `WorkerFailed` (over the deadline, out of memory, crashed)."""
        if not self.budget.seconds or sys.platform == "win32":
            return self.func(*args)
        conn = self._conn if self._conn is not None and self._proc.is_alive() else self._start()
        conn.send(args)
        if not conn.poll(self.budget.seconds):
            self._kill()
            raise WorkerFailed(f"reading took longer than {self.budget.seconds:g} s, the limit for one file "
                               "(TRACUU_PARSE_SECONDS) — the file may be built to hang the reader; it was stopped "
                               "(đọc tệp quá lâu)")
        try:
            out = conn.recv()
        except (EOFError, OSError):
            code = self._kill()
            how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            raise WorkerFailed(f"the reader crashed on this file ({how}) — the file may be damaged; open and save "
                               "it again (trình đọc bị lỗi với tệp này)") from None
        if out[0] == "ok":
            return out[1]
        if out[0] == "memory":
            self._kill()  # what the failed allocation left behind is not worth keeping
            raise WorkerFailed(f"reading needed more than {self.budget.megabytes:g} MB of memory, the limit for one "
                               "file (TRACUU_PARSE_MB) — the file may be built to exhaust memory (tệp cần quá nhiều "
                               "bộ nhớ)")
        raise RaisedInWorker(out[1], out[2])


class RaisedInWorker(Exception):
    """The exception `func` raised in the worker: its class name and message (the object itself stays there)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

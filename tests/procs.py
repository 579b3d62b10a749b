"""A child process whose stderr is read as it comes, so that a test waits for what the child reports (a progress
line, a message) instead of sleeping a fixed time: on a loaded machine a fixed sleep is too short or too long.

The deadline only guards against a hang; nothing is asserted about how long anything takes."""

from __future__ import annotations

import os
import re
import subprocess
import threading

import pytest

HANG = 300.0  # seconds: far beyond any normal run, even on 2 busy cores
# a tqdm progress line ("documents:  40%|████      | 12/30 [00:03<00:05, 3.9document/s]"), whatever the stage
PROGRESS = re.compile(r"\|\s*\d+/\d+ \[")


class Watched:
    """A child whose stderr (or, with `merged`, its stdout with stderr in it) is read as it comes."""

    def __init__(self, args: list[str], merged: bool = False, **kwargs) -> None:
        streams = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT} if merged else {"stderr": subprocess.PIPE}
        self.proc = subprocess.Popen(args, **streams, **kwargs)
        self._stream = self.proc.stdout if merged else self.proc.stderr
        self._buf = bytearray()
        self._eof = False
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        fd = self._stream.fileno()
        while chunk := os.read(fd, 65536):
            with self._cond:
                self._buf += chunk
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    @property
    def stderr(self) -> str:
        with self._cond:
            return self._buf.decode("utf-8", errors="replace")

    def count(self, pattern: re.Pattern | str) -> int:
        return len(re.findall(pattern, self.stderr))

    def wait_for(self, pattern: re.Pattern | str, times: int = 1, deadline: float = HANG) -> bool:
        """Block until `pattern` has appeared `times` times on stderr (True), or the child closed its stderr
        first, i.e. exited (False). Fails the test if neither happens within `deadline` seconds."""
        with self._cond:
            done = self._cond.wait_for(lambda: self._eof or self.count_locked(pattern) >= times, timeout=deadline)
            if not done:
                pytest.fail(f"the child reported nothing matching {pattern!r} in {deadline:.0f} s; stderr:\n"
                            + self._buf.decode(errors="replace")[-2000:])
            return self.count_locked(pattern) >= times

    def count_locked(self, pattern: re.Pattern | str) -> int:
        return len(re.findall(pattern, self._buf.decode("utf-8", errors="replace")))

    def finish(self, deadline: float = HANG) -> int:
        """Wait for the child to exit (stderr fully read); its return code."""
        try:
            code = self.proc.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"the child did not exit in {deadline:.0f} s; stderr:\n{self.stderr[-2000:]}")
        self._reader.join(timeout=deadline)
        self._stream.close()
        return code

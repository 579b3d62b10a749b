"""`tracuu serve`: the app (Streamlit, with logins: ``TRACUU_AUTH=1``) on one port and the API on the next, over
one index folder.

The API runs in `api_workers` processes (`start_api`) sharing one listening socket: answering a question is mostly
Python, and one process would run it on one core at a time (the GIL), however many threads it has. Each process
loads the index itself and follows its generations. The ingest `Worker` thread runs in the parent process, so
that an ingest takes no turn from the answering. The processes share one rate limit per token
(its buckets live in the index's ``access.sqlite``).

A server reachable from the network needs an admin account to hand out the others: on a host other than the
loopback addresses, `serve` refuses to start (exit code 2, before binding anything) until one exists.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pipeline.access.accounts import Accounts
from pipeline.settings import ENV_AUTH, ENV_INDEX, Settings

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
APP = Path(__file__).resolve().parents[2] / "app.py"  # the Streamlit script beside the package


@dataclass(frozen=True)
class Plan:
    """What `serve` starts: the app on `host`:`port`, the API on `host`:`api_port`, over the index `root`."""

    host: str
    port: int
    api_port: int
    root: Path
    api_workers: int = 2  # API processes

    def app_command(self) -> list[str]:
        """The command that runs the Streamlit app."""
        return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", self.host,
                "--server.port", str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]

    def app_env(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The app's environment: this one, with logins on and the index folder set."""
        return {**(os.environ if env is None else env), ENV_AUTH: "1", ENV_INDEX: str(self.root)}


def plan(host: str, port: int, api_port: int | None = None, index: str | os.PathLike | None = None,
         api_workers: int | None = None) -> Plan:
    """The ports, the index folder and the API processes of a `serve` (the API on `port` + 1 unless given; one
    process a core, at most 2 unless given)."""
    from pipeline.store.layout import index_root

    workers = api_workers if api_workers else min(2, os.cpu_count() or 1)
    return Plan(host, port, port + 1 if api_port is None else api_port, index_root(index), max(1, workers))


def refusal(p: Plan) -> str | None:
    """Why `p` must not start, or None: a host reachable from the network with no admin account yet."""
    if p.host.strip().lower() in LOOPBACK or Accounts(p.root).has_admin():
        return None
    return (f"refusing to serve on {p.host}, which the network can reach, with no admin account for the index "
            f"'{p.root}': create one first with `tracuu users add NAME --role admin --index {p.root}`, or serve "
            "on 127.0.0.1 (chưa có tài khoản quản trị: hãy tạo trước khi mở máy chủ ra mạng)")


@dataclass
class ApiProcesses:
    """The API processes `start_api` started, and the socket they share."""

    processes: list
    sock: socket.socket
    url: str

    def alive(self) -> bool:
        """Whether every process still runs."""
        return all(p.is_alive() for p in self.processes)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask each process to finish its requests and stop (SIGTERM), then kill what is left after `timeout`."""
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            p.join(timeout)
            if p.is_alive():
                p.kill()
                p.join(5)
        self.sock.close()


def _run_api(root: Path, settings: Settings, sock: socket.socket) -> None:
    """One API process: its own app and live index over `root`, answering on the shared `sock`."""
    import uvicorn

    from pipeline.serve.api import create_api

    # the client address is the API's own business (X-Forwarded-For from TRACUU_PROXY only)
    config = uvicorn.Config(create_api(root, settings), proxy_headers=False, log_level="warning", lifespan="off")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches every process: uvicorn stops, then re-raises it
        uvicorn.Server(config).run(sockets=[sock])


def start_api(root: str | os.PathLike, host: str, port: int, settings: Settings | None = None,
              workers: int = 1) -> ApiProcesses:
    """Bind `host`:`port` (0: a free one) and start `workers` API processes on it. Call it before this process
    starts any thread (the processes are forked)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    bound = sock.getsockname()[1]
    settings = Settings.from_env() if settings is None else settings
    fork = multiprocessing.get_context("fork")
    processes = [fork.Process(target=_run_api, args=(Path(root), settings, sock), name=f"tracuu-api-{i}",
                              daemon=True) for i in range(max(1, workers))]
    for proc in processes:
        proc.start()
    where = f"[{host}]" if ":" in host else host
    return ApiProcesses(processes, sock, f"http://{where}:{bound}")


def serve(p: Plan, out: TextIO | None = None) -> int:
    """Run the app and the API of `p` until interrupted; the exit code (2, at once, when `refusal` says so)."""
    out = sys.stderr if out is None else out
    if (why := refusal(p)) is not None:
        print(f"error: {why}", file=out)
        return 2
    if not APP.is_file():
        print(f"error: {APP} is missing — run `tracuu serve` from a checkout of tracuu (app.py not found)", file=out)
        return 2
    from pipeline.access.jobs import Worker

    api = start_api(p.root, p.host, p.api_port, Settings.from_env(), p.api_workers)  # forked before any thread
    worker = Worker(p.root).start()
    app = subprocess.Popen(p.app_command(), env=p.app_env())
    print(f"app: http://{p.host}:{p.port}  ·  API: {api.url}/api/docs ({p.api_workers} processes)  ·  "
          f"index: {p.root}", file=out)
    ended = ""  # what stopped by itself, if anything did
    try:
        while not ended:
            try:
                app.wait(1.0)
                ended = f"the app (exit code {app.returncode})"
            except subprocess.TimeoutExpired:
                ended = "" if api.alive() else "an API process"
    except KeyboardInterrupt:
        print("stopping (đang dừng)", file=out)
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        api.stop()
        worker.stop(timeout=30)
    if ended:
        print(f"error: {ended} stopped — see the messages above; the other part was stopped too", file=out)
    return 1 if ended else 0

"""`tracuu serve`: the app (Streamlit, with logins: ``TRACUU_AUTH=1``) on one port and the API (uvicorn, in this
process, with the ingest `Worker` thread) on the next, over one index folder.

A server reachable from the network needs an admin account to hand out the others: on a host other than the
loopback addresses, `serve` refuses to start (exit code 2, before binding anything) until one exists.
"""

from __future__ import annotations

import os
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

    def app_command(self) -> list[str]:
        """The command that runs the Streamlit app."""
        return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", self.host,
                "--server.port", str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]

    def app_env(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The app's environment: this one, with logins on and the index folder set."""
        return {**(os.environ if env is None else env), ENV_AUTH: "1", ENV_INDEX: str(self.root)}


def plan(host: str, port: int, api_port: int | None = None, index: str | os.PathLike | None = None) -> Plan:
    """The ports and the index folder of a `serve` (the API on `port` + 1 unless given)."""
    from pipeline.store.layout import index_root

    return Plan(host, port, port + 1 if api_port is None else api_port, index_root(index))


def refusal(p: Plan) -> str | None:
    """Why `p` must not start, or None: a host reachable from the network with no admin account yet."""
    if p.host.strip().lower() in LOOPBACK or Accounts(p.root).has_admin():
        return None
    return (f"refusing to serve on {p.host}, which the network can reach, with no admin account for the index "
            f"'{p.root}': create one first with `tracuu users add NAME --role admin --index {p.root}`, or serve "
            "on 127.0.0.1 (chưa có tài khoản quản trị: hãy tạo trước khi mở máy chủ ra mạng)")


def serve(p: Plan, out: TextIO | None = None) -> int:
    """Run the app and the API of `p` until interrupted; the exit code (2, at once, when `refusal` says so)."""
    out = sys.stderr if out is None else out
    if (why := refusal(p)) is not None:
        print(f"error: {why}", file=out)
        return 2
    if not APP.is_file():
        print(f"error: {APP} is missing — run `tracuu serve` from a checkout of tracuu (app.py not found)", file=out)
        return 2
    import uvicorn

    from pipeline.access.jobs import Worker
    from pipeline.serve.api import create_api

    worker = Worker(p.root).start()
    api = create_api(p.root, Settings.from_env(), wake=worker.wake)
    app = subprocess.Popen(p.app_command(), env=p.app_env())
    print(f"app: http://{p.host}:{p.port}  ·  API: http://{p.host}:{p.api_port}/api/docs  ·  index: {p.root}",
          file=out)
    try:
        # the client address is the API's own business (X-Forwarded-For from TRACUU_PROXY only)
        uvicorn.run(api, host=p.host, port=p.api_port, proxy_headers=False, log_level="warning")
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        worker.stop(timeout=30)
    return 0

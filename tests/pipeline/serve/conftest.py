"""A real API server for the tests: uvicorn on 127.0.0.1 (a free port, chosen by the kernel) in a thread, over
a real index of two collections built with the fake embedder, with real accounts and the real ingest worker."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import DATA, SEED

# collection "a": a decision and the decree it rests on; "b": the decision that cites the same decree and the
# 2022 report (indicators, figures)
IN_A = [DATA / "qd-97-2025-ubnd.md", DATA / "nd-25-2025-cp.md"]
IN_B = [DATA / "qd-1378-bnv.md", SEED]
PASSWORD = "mat-khau-dai"


@dataclass
class Running:
    url: str
    live: object  # the server's LiveIndex
    server: object  # the uvicorn.Server
    worker: object = None  # the ingest Worker running its jobs, if any

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60.0)


@contextlib.contextmanager
def serve_api(root: Path, settings, worker=None, live=None) -> Iterator[Running]:
    import uvicorn

    from pipeline.serve.api import create_api
    from pipeline.serve.service import LiveIndex

    live = live or LiveIndex(root)
    app = create_api(root, settings, live=live, wake=worker.wake if worker else None)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections wait in the kernel's queue until uvicorn takes them: no start to wait for
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield Running(f"http://127.0.0.1:{port}", live, server, worker)
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@dataclass(frozen=True)
class Library:
    root: Path
    tokens: dict[str, str]  # account name → API token


@pytest.fixture(scope="module")
def library(tmp_path_factory, fake_embedder) -> Library:
    """Two collections and five accounts: an admin, readers of a and of b, an editor of a, an editor of b."""
    import pipeline

    root = tmp_path_factory.mktemp("served")
    pipeline.ingest(IN_A, fake_embedder, root=root, collection="a")
    pipeline.ingest(IN_B, fake_embedder, root=root, collection="b")
    accounts = pipeline.Accounts(root)
    for name, role, collections in [("boss", "admin", []), ("reader-a", "reader", ["a"]),
                                    ("reader-b", "reader", ["b"]), ("editor-a", "editor", ["a"]),
                                    ("editor-b", "editor", ["b"])]:
        accounts.add(name, role, collections, PASSWORD, by="test")
    return Library(root, {n: accounts.new_token(n, by="test") for n in
                          ("boss", "reader-a", "reader-b", "editor-a", "editor-b")})

"""`tracuu serve` (pipeline/serve/run.py and its command in pipeline/cli.py): what it starts, and its refusal
to open a server to the network without an admin account (which happens before anything is bound)."""

from __future__ import annotations

import socket

import pytest

from pipeline.cli import main
from pipeline.serve.run import plan, refusal


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_a_network_host_without_an_admin_is_refused_with_exit_2_and_the_fix(tmp_path, capsys, host):
    import pipeline

    pipeline.Accounts(tmp_path).add("lan", "editor", ["a"], "mat-khau-dai", by="test")  # no admin among them
    port = _port()
    assert main(["serve", "--host", host, "--port", str(port), "--index", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "tracuu users add NAME --role admin" in err and host in err
    with socket.socket() as s:  # nothing was bound: the port is still free
        s.bind(("127.0.0.1", port))


def test_loopback_or_an_admin_is_allowed(tmp_path):
    import pipeline

    assert refusal(plan("127.0.0.1", 8501, index=tmp_path)) is None
    assert refusal(plan("localhost", 8501, index=tmp_path)) is None
    assert refusal(plan("0.0.0.0", 8501, index=tmp_path)) is not None
    pipeline.Accounts(tmp_path).add("boss", "admin", [], "mat-khau-dai", by="test")
    assert refusal(plan("0.0.0.0", 8501, index=tmp_path)) is None


def test_the_api_listens_on_the_next_port_and_the_app_asks_for_logins(tmp_path):
    p = plan("0.0.0.0", 8600, index=tmp_path)
    assert (p.port, p.api_port) == (8600, 8601) and plan("0.0.0.0", 8600, 9000, tmp_path).api_port == 9000
    env = p.app_env({"PATH": "/usr/bin"})
    assert env["TRACUU_AUTH"] == "1" and env["TRACUU_INDEX"] == str(tmp_path) and env["PATH"] == "/usr/bin"
    command = p.app_command()
    assert command[1:4] == ["-m", "streamlit", "run"] and command[4].endswith("app.py")
    assert command[command.index("--server.port") + 1] == "8600"


def test_serve_has_help_with_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "Example:" in capsys.readouterr().out


def test_the_api_runs_in_several_processes_sharing_one_port_and_stops(tmp_path, fake_embedder):
    import httpx

    import pipeline
    from pipeline.serve.run import start_api
    from pipeline.settings import Settings
    from tests.conftest import DATA

    pipeline.ingest([DATA / "nd-25-2025-cp.md"], fake_embedder, root=tmp_path)
    accounts = pipeline.Accounts(tmp_path)
    accounts.add("lan", "reader", [], "mat-khau-dai", by="test")
    token = accounts.new_token("lan", by="test")
    api = start_api(tmp_path, "127.0.0.1", 0, Settings(), workers=2)
    try:
        # the socket listens before the processes start: the request waits until one of them answers
        assert httpx.get(f"{api.url}/api/health", timeout=60).json()["status"] == "ok"
        assert len(api.processes) == 2 and api.alive()
        for _ in range(6):  # new connections, whichever process takes them: the same answer
            with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {token}"}) as c:
                assert [d["name"] for d in c.get("/api/documents").json()] == ["nd-25-2025-cp.md"]
    finally:
        api.stop()
    assert not any(p.is_alive() for p in api.processes)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{api.url}/api/health", timeout=5)

"""`tracuu users`, `tracuu audit` and `ingest --collection`, run as a user runs them (a subprocess, the password
on stdin)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import pipeline
from tests.conftest import DATA, ROOT, SEED


def tracuu(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def test_accounts_are_added_listed_given_tokens_and_removed_with_every_change_audited(tmp_path):
    ix = tmp_path / "index"
    p = tracuu("users", "add", "Admin", "--role", "admin", "--password-stdin", "--index", ix, stdin="mat-khau-dai-1\n")
    assert p.returncode == 0, p.stderr
    p = tracuu("users", "add", "lan", "--role", "editor", "--collections", "tai-chinh,chung", "--password-stdin",
               "--index", ix, stdin="mat-khau-dai-2\n")
    assert p.returncode == 0, p.stderr
    listed = json.loads(tracuu("users", "list", "--json", "--index", ix).stdout)
    assert [(a["name"], a["role"], a["collections"]) for a in listed] == [
        ("admin", "admin", []), ("lan", "editor", ["tai-chinh", "chung"])]
    token = tracuu("users", "token", "lan", "--index", ix).stdout.strip()
    assert pipeline.Accounts(ix).by_token(token).name == "lan"
    assert tracuu("users", "passwd", "lan", "--password-stdin", "--index", ix, stdin="mat-khau-moi-3\n").returncode == 0
    assert pipeline.Accounts(ix).login("lan", "mat-khau-moi-3").name == "lan"
    assert tracuu("users", "remove", "lan", "--index", ix).returncode == 0
    log = json.loads(tracuu("audit", "--json", "--index", ix).stdout)
    assert [e["action"] for e in log] == ["user.add", "user.add", "user.token", "user.passwd", "user.remove"]
    assert all(e["actor"].startswith("cli") for e in log)
    text = tracuu("audit", "--index", ix).stdout
    assert "user.remove" in text and "mat-khau" not in text and token not in text


@pytest.mark.parametrize(("args", "stdin", "said"), [
    (("users", "add", "lan", "--collections", "../noi-vu", "--password-stdin"), "mat-khau-dai\n", "not a collection"),
    (("users", "add", "lan", "--password-stdin"), "ngan\n", "at least 8"),
    (("users", "add", "lan"), "", "--password-stdin"),  # no terminal to ask at: says how to pipe it in
    (("users", "remove", "khong-co"), "", "no account"),
    (("users", "token"), "", "needs an account name"),
])
def test_bad_account_commands_say_what_to_do_and_change_nothing(tmp_path, args, stdin, said):
    p = tracuu(*args, "--index", tmp_path, stdin=stdin)
    assert p.returncode == 2 and said in p.stderr and "Traceback" not in p.stderr
    assert pipeline.Accounts(tmp_path).accounts() == [] and pipeline.Accounts(tmp_path).audit_log() == []


def test_ingest_puts_files_into_a_collection_and_moves_an_unchanged_one_without_parsing(tmp_path):
    ix = tmp_path / "index"
    p = tracuu("ingest", SEED, DATA / "qd-97-2025-ubnd.md", "--index", ix, "--model", "fake", "-q",
               "--collection", "tai-chinh")
    assert p.returncode == 0, p.stderr
    docs = pipeline.open_index(ix).docs
    assert {d.collection for d in docs.values()} == {"tai-chinh"}
    p = tracuu("ingest", DATA / "qd-97-2025-ubnd.md", "--index", ix, "-q", "--collection", "noi-vu")
    assert p.returncode == 0 and "1 moved to 'noi-vu'" in p.stdout
    docs = pipeline.open_index(ix).docs
    assert docs["qd-97-2025-ubnd.md"].collection == "noi-vu" and docs[SEED.name].collection == "tai-chinh"
    p = tracuu("ingest", DATA / "qd-97-2025-ubnd.md", "--index", ix, "-q")  # no collection named: it stays
    assert p.returncode == 0 and "up to date" in p.stdout
    assert "noi-vu (1), tai-chinh (1)" in tracuu("stats", "--index", ix).stdout
    p = tracuu("ingest", SEED, "--index", ix, "-q", "--collection", "../x")
    assert p.returncode == 2 and "not a collection name" in p.stderr

"""Uploads, removals and jobs over a real server with the real ingest worker (pipeline/serve/routes.py): what an
editor may queue, what everyone else is refused (audited, nothing queued), and the job seen through to the
document being searchable."""

from __future__ import annotations

import pytest

from pipeline.settings import Settings
from tests.conftest import DATA
from tests.pipeline.serve.conftest import serve_api

LIMIT_MB = 0.05  # 50 KB: the test documents are 1–7 KB
NEW = DATA / "qd-63-2025-dongnai.md"


@pytest.fixture(scope="module")
def served(library):
    from pipeline.access.jobs import Worker

    worker = Worker(library.root, poll=0.2).start()
    try:
        with serve_api(library.root, Settings(rate_per_minute=100_000, max_upload_mb=LIMIT_MB),
                       worker=worker) as running:
            yield running
    finally:
        worker.stop(timeout=60)


def _state(library):
    """What a refusal must leave alone: the jobs, and the files waiting in the queue."""
    import pipeline

    queue = library.root / "queue"
    return ([j.id for j in pipeline.Jobs(library.root).recent()],
            sorted(p.name for p in queue.rglob("*")) if queue.exists() else [])


def _refusals(library, actor):
    import pipeline

    return [e for e in pipeline.Accounts(library.root).audit_log(actor=actor) if e.action == "refused"]


def _upload(client, path=NEW, collection="a", data=None, **fields):
    content = path.read_bytes() if data is None else data
    return client.post("/api/documents", files=[("file", (path.name, content, "text/markdown"))],
                       data={"collection": collection, **fields})


def test_a_reader_cannot_upload_and_the_refusal_is_audited(served, library):
    before, audited = _state(library), len(_refusals(library, "reader-a"))
    with served.client(library.tokens["reader-a"]) as client:
        response = _upload(client)
    assert response.status_code == 403 and "reader" in response.json()["error"]["message"]
    assert _state(library) == before and len(_refusals(library, "reader-a")) == audited + 1


def test_an_editor_cannot_upload_into_a_collection_not_theirs(served, library):
    before, audited = _state(library), len(_refusals(library, "editor-a"))
    with served.client(library.tokens["editor-a"]) as client:
        response = _upload(client, collection="b")
    assert response.status_code == 403 and "'b'" in response.json()["error"]["message"]
    assert _state(library) == before
    last = _refusals(library, "editor-a")
    assert len(last) == audited + 1 and last[-1].target == "b"


@pytest.mark.parametrize("account", ["editor-a", "boss"])
@pytest.mark.parametrize("collection", ["../x", "a/../../b", "/etc", " / "])
def test_a_path_like_collection_is_400(served, library, account, collection):
    before = _state(library)
    with served.client(library.tokens[account]) as client:
        response = client.post("/api/documents", files=[("file", (NEW.name, NEW.read_bytes()))],
                               data={"collection": collection})
    assert response.status_code == 400, response.text
    assert _state(library) == before


@pytest.mark.parametrize("kilobytes", [60, 400])  # over the limit; and over it with the form's margin too
def test_an_oversize_upload_is_413(served, library, kilobytes):
    before = _state(library)
    with served.client(library.tokens["editor-a"]) as client:
        response = _upload(client, data=b"x" * (kilobytes * 1024))
    assert response.status_code == 413 and response.json()["error"]["status"] == 413
    assert _state(library) == before


def test_an_upload_may_not_take_the_name_of_a_document_of_another_collection(served, library):
    before = _state(library)
    with served.client(library.tokens["editor-a"]) as client:
        theirs = _upload(client, path=DATA / "qd-1378-bnv.md", replace="true")
        own = _upload(client, path=DATA / "qd-97-2025-ubnd.md")
    assert theirs.status_code == 403 and own.status_code == 409
    assert _state(library) == before


def test_an_upload_is_queued_ingested_and_then_searchable_and_removable(served, library):
    with served.client(library.tokens["editor-a"]) as client:
        queued = _upload(client)
        assert queued.status_code == 202, queued.text
        job = queued.json()
        assert job["state"] in ("queued", "running", "done") and job["names"] == [NEW.name]
        assert served.worker.wait_idle(120), "the ingest job did not end"
        done = client.get(f"/api/jobs/{job['id']}").json()
        assert done["state"] == "done" and NEW.name in done["report"]["added"], done
        served.live.settle(60)  # the new generation served
        assert NEW.name in {d["name"] for d in client.get("/api/documents").json()}
        answer = client.post("/api/ask", json={"question": "Đồng Nai quyết định 63/2025", "top_k": 5}).json()
        assert NEW.name in {p["doc"] for p in answer["passages"]}

        # the job is its author's (and the admin's) to see
        assert [j["id"] for j in client.get("/api/jobs").json()] == [job["id"]]
    with served.client(library.tokens["reader-b"]) as other:
        assert other.get(f"/api/jobs/{job['id']}").status_code == 404 and other.get("/api/jobs").json() == []
        assert NEW.name not in other.get("/api/documents").text
    with served.client(library.tokens["boss"]) as admin:
        assert job["id"] in [j["id"] for j in admin.get("/api/jobs").json()]

    # removal: refused to a reader (audited) and to the other collection's editor (who does not see it); queued
    # for its own editor
    with served.client(library.tokens["reader-a"]) as reader:
        assert reader.delete(f"/api/documents/{NEW.name}").status_code == 403
    with served.client(library.tokens["editor-b"]) as stranger:
        assert stranger.delete(f"/api/documents/{NEW.name}").status_code == 404
    with served.client(library.tokens["editor-a"]) as client:
        removal = client.delete(f"/api/documents/{NEW.name}")
        assert removal.status_code == 202
        assert served.worker.wait_idle(120), "the removal job did not end"
        assert client.get(f"/api/jobs/{removal.json()['id']}").json()["state"] == "done"
        served.live.settle(60)
        assert NEW.name not in {d["name"] for d in client.get("/api/documents").json()}
    import pipeline

    actions = [(e.actor, e.action, e.target) for e in pipeline.Accounts(library.root).audit_log()]
    assert ("editor-a", "document.add", NEW.name) in actions and ("editor-a", "document.remove", NEW.name) in actions
    assert ("reader-a", "refused", NEW.name) in actions


def test_a_new_server_lists_no_document_then_its_first_upload_creates_the_index(tmp_path, monkeypatch):
    import pipeline
    from pipeline.access.jobs import Worker

    monkeypatch.setenv("TRACUU_MODEL", "fake")  # the embedder of an index a first upload creates
    accounts = pipeline.Accounts(tmp_path)
    accounts.add("boss", "admin", [], "mat-khau-dai", by="test")
    token = accounts.new_token("boss", by="test")
    worker = Worker(tmp_path, poll=0.2).start()
    try:
        with serve_api(tmp_path, Settings(rate_per_minute=100_000), worker=worker) as running, \
                running.client(token) as c:
            assert c.get("/api/documents").json() == []  # no index yet: an empty library, not an error
            r = c.post("/api/documents", data={"collection": "noi-vu"},
                       files={"file": (NEW.name, NEW.read_bytes(), "text/markdown")})
            assert r.status_code == 202, r.text
            job = r.json()["id"]
            assert worker.wait_idle(120), "the job did not end"
            assert c.get(f"/api/jobs/{job}").json()["report"]["added"] == [NEW.name]
            running.live.settle(60)
            rows = c.get("/api/documents").json()
            assert [(d["name"], d["collection"]) for d in rows] == [(NEW.name, "noi-vu")]
    finally:
        worker.stop(timeout=60)

"""The API over a real uvicorn server: who sees what, and every refusal (pipeline/serve/api.py and the read
routes of pipeline/serve/routes.py)."""

from __future__ import annotations

import json

import pytest

from pipeline.settings import Settings
from tests.pipeline.serve.conftest import IN_A, IN_B, serve_api

# each read endpoint, with a request that brings up collection b's documents for someone who may see them
READS = {
    "ask": ("POST", "/api/ask", {"json": {"question": "Ngành thương mại - dịch vụ năm 2022 tăng trưởng bao nhiêu "
                                                      "phần trăm?", "top_k": 10}}),
    "ask-number": ("POST", "/api/ask", {"json": {"question": "Quyết định 1378/QĐ-BNV quy định gì?"}}),
    "refs": ("GET", "/api/refs", {"params": {"q": "25/2025/NĐ-CP"}}),
    "refs-b-number": ("GET", "/api/refs", {"params": {"q": "1378/QĐ-BNV"}}),
    "links": ("GET", "/api/links", {}),
    "links-of-a-doc": ("GET", "/api/links", {"params": {"doc": "nd-25"}}),
    "compare": ("GET", "/api/compare", {"params": {"q": "tăng trưởng kinh tế", "years": "2022,2023"}}),
    "stats": ("GET", "/api/stats", {}),
    "documents": ("GET", "/api/documents", {}),
    "health": ("GET", "/api/health", {}),
}
B_NAMES = [p.name for p in IN_B]


@pytest.fixture(scope="module")
def api(library):
    with serve_api(library.root, Settings(rate_per_minute=100_000, max_upload_mb=0.05)) as running:
        yield running


@pytest.fixture(scope="module")
def b_strings(library) -> list[str]:
    """Strings found in collection b's documents (names, numbers, titles, figures) and nowhere in a's."""
    import pipeline

    index = pipeline.open_index(library.root)
    a_text = " ".join(p.read_text(encoding="utf-8") for p in IN_A) + " ".join(
        c.text for c in index.chunks if c.doc not in B_NAMES) + json.dumps(
        [index.docs[p.name].meta.title for p in IN_A], ensure_ascii=False)
    candidates = [*B_NAMES, "1378/QĐ-BNV", "14,33", "11,67", "Hà Tĩnh", "TP. Hà Tĩnh",
                  *(index.docs[n].meta.title[:40] for n in B_NAMES)]
    found = [s for s in candidates if s and s not in a_text]
    assert len(found) >= 6, found  # the test would be empty otherwise
    return found


def _call(client, endpoint: str):
    method, path, kwargs = READS[endpoint]
    response = client.request(method, path, **kwargs)
    assert response.status_code == 200, response.text
    body = response.json()
    if isinstance(body, dict):  # what was asked comes back as it was typed: not a document's bytes
        body = {k: v for k, v in body.items() if k not in ("question", "query")}
    return json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize("endpoint", list(READS))
def test_a_reader_of_a_never_receives_a_byte_of_collection_b(api, library, b_strings, endpoint):
    with api.client(library.tokens["reader-a"]) as client:
        body = _call(client, endpoint)
    assert [s for s in b_strings if s in body] == []


@pytest.mark.parametrize("endpoint", [e for e in READS if e != "health"])
def test_an_admin_does_receive_collection_b_from_the_same_requests(api, library, endpoint):
    with api.client(library.tokens["boss"]) as client:
        body = _call(client, endpoint)
    assert any(name in body for name in B_NAMES), body[:500]


def test_a_reader_of_b_sees_b_and_not_a(api, library):
    with api.client(library.tokens["reader-b"]) as client:
        names = {d["name"] for d in client.get("/api/documents").json()}
        links = client.get("/api/links").json()
    assert names == set(B_NAMES)
    assert links == []  # qd-1378 cites the decree of collection a, which b's reader does not see


def test_counts_are_the_collections_own(api, library):
    with api.client(library.tokens["reader-a"]) as client:
        stats = client.get("/api/stats").json()
    assert stats["documents"] == 2 and {d["collection"] for d in stats["docs"]} == {"a"}
    assert stats["chunks"] == sum(d["chunks"] for d in stats["docs"]) and stats["size_bytes"] is None


def test_answers_have_the_cli_json_shape(api, library):
    with api.client(library.tokens["boss"]) as client:
        answer = client.post("/api/ask", json={"question": "tăng trưởng kinh tế năm 2022", "top_k": 3}).json()
        refs = client.get("/api/refs", params={"q": "qd 1378"}).json()
    assert set(answer) >= {"question", "answer", "passages"} and len(answer["passages"]) == 3
    assert refs["query"] == "qd 1378" and refs["matches"][0]["ref"] == "1378/QĐ-BNV"


def test_health_needs_no_token_and_tells_no_document(api):
    with api.client() as client:
        health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["generation"].startswith("gen-") and health["pending_jobs"] == 0
    assert set(health) == {"status", "generation", "pending_jobs"}


# ---- refusals ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer tcu_forged-token"},
                                     {"Authorization": "Basic Ym9zczptYXQta2hhdS1kYWk="},
                                     {"Authorization": "Bearer " + "x" * 500}])
@pytest.mark.parametrize("endpoint", ["ask", "documents", "stats"])
def test_a_missing_or_forged_token_is_401_in_json(api, headers, endpoint):
    method, path, kwargs = READS[endpoint]
    with api.client(**headers) as client:
        response = client.request(method, path, **kwargs)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["status"] == 401 and "token" in error["message"] and "(" in error["message"]


def test_a_100_kb_question_is_refused_before_anything_is_loaded(library):
    # a server of its own, whose index is loaded by the first question it works on: none is
    with serve_api(library.root, Settings()) as fresh, fresh.client(library.tokens["reader-a"]) as client:
        response = client.post("/api/ask", json={"question": "tăng trưởng " * 9_000})
        assert response.status_code == 413 and "1000" in response.json()["error"]["message"]
        assert fresh.live.generation is None
        huge = client.post("/api/ask", content=b'{"question": "' + b"a" * 2_000_000 + b'"}',
                           headers={"Content-Type": "application/json"})
        assert huge.status_code == 413 and huge.json()["error"]["status"] == 413
        assert fresh.live.generation is None


def test_bad_input_is_400_in_json(api, library):
    with api.client(library.tokens["reader-a"]) as client:
        no_question = client.post("/api/ask", json={"top_k": 3})
        bad_k = client.post("/api/ask", json={"question": "thu ngân sách", "top_k": 100_000})
        bad_years = client.get("/api/compare", params={"q": "thu ngân sách", "years": "hai nghìn"})
        not_json = client.post("/api/ask", content=b"\xff\xfe", headers={"Content-Type": "application/json"})
    for response in (no_question, bad_k, bad_years, not_json):
        assert response.status_code == 400 and response.json()["error"]["status"] == 400, response.text


def test_an_unknown_route_is_404_in_json(api, library):
    with api.client(library.tokens["reader-a"]) as client:
        response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.json() == {"error": {"status": 404,
                                                                         "message": "not found (không tìm thấy)"}}


def test_the_rate_limit_answers_429_with_retry_after(library):
    with serve_api(library.root, Settings(rate_per_minute=2)) as limited:
        with limited.client(library.tokens["reader-a"]) as client:
            codes = [client.get("/api/documents").status_code for _ in range(3)]
            refused = client.get("/api/documents")
        with limited.client(library.tokens["reader-b"]) as other:
            assert other.get("/api/documents").status_code == 200  # a bucket per token
    assert codes == [200, 200, 429] and refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1 and refused.json()["error"]["status"] == 429


def test_single_sign_on_is_believed_from_the_proxy_only(library):
    header = {"X-Remote-User": "reader-a"}
    with serve_api(library.root, Settings(proxy="127.0.0.1", trusted_header="X-Remote-User")) as behind:
        with behind.client(**header) as client:
            names = {d["name"] for d in client.get("/api/documents").json()}
    assert names == {p.name for p in IN_A}
    with serve_api(library.root, Settings(proxy="10.9.8.7", trusted_header="X-Remote-User")) as elsewhere:
        with elsewhere.client(**header) as client:
            assert client.get("/api/documents").status_code == 401


# ---- the documentation pages -----------------------------------------------------------------------------------


def test_the_docs_page_loads_its_assets_from_the_server_itself(api):
    import re

    with api.client() as client:
        page = client.get("/api/docs")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
        assert assets and all(a.startswith("/api/") for a in assets), assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        schema = client.get("/api/openapi.json").json()
    assert {"/api/ask", "/api/refs", "/api/compare", "/api/documents", "/api/jobs/{job_id}"} <= set(schema["paths"])

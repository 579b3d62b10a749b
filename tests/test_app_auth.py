"""The app on a shared server ($TRACUU_AUTH=1), driven by AppTest over a real index of two collections (fake
embedder): nothing before a login; a reader of collection "a" never sees a byte of collection "b" on any read
path, while an admin does (so each check can fail); the library's controls follow the role; an editor's upload
goes through the queue and a worker; a session ends after its idle time and at logout."""

from __future__ import annotations

import html
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline import Accounts, Jobs, Role, Worker, ingest, scoped
from pipeline.embed import FakeEmbedder
from pipeline.store.reader import open_index
from tests.test_app import APP, DATA, HOSTILE, SEED

# a decree, a provincial decision and one that states an indicator (so "a" has a comparison form too)
A_DOCS = [DATA / "nd-25-2025-cp.md", DATA / "qd-97-2025-ubnd.md", DATA / "qd-2813-dongnai.md"]
B_DOCS = [SEED, DATA / "qd-1378-bnv.md"]  # the city's 2022 report and a ministry decision citing the decree
# strings of collection "b" only: its file names, titles, numbers, figures and the references only it mentions
B_MARKERS = ("bao-cao-ktxh-2022-tp-ha-tinh.txt", "qd-1378-bnv.md", "Tình hình thực hiện nhiệm vụ phát triển kinh tế",
             "CÔNG BỐ THỦ TỤC HÀNH CHÍNH NỘI BỘ", "1378/QĐ-BNV", "1085/QĐ-TTg", "137/2020/NĐ-CP", "14,33%", "11,67%")
QUESTION = "nganh thuong mai dich vu nam 2022 tang truong bao nhieu"
PASSWORDS = {"quan-tri": "mat-khau-quan-tri", "doc-a": "mat-khau-doc-a", "bien-tap-a": "mat-khau-bien-tap"}
HANG = 300.0  # seconds: guards against a hang only


@pytest.fixture(scope="module")
def two_collections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("index-auth")
    fake = FakeEmbedder()
    ingest(A_DOCS, fake, root=root, collection="a")
    ingest(B_DOCS, fake, root=root, collection="b")
    accounts = Accounts(root)
    accounts.add("quan-tri", Role.ADMIN, [], PASSWORDS["quan-tri"], by="test")
    accounts.add("doc-a", Role.READER, ["a"], PASSWORDS["doc-a"], by="test")
    accounts.add("bien-tap-a", Role.EDITOR, ["a"], PASSWORDS["bien-tap-a"], by="test")
    # the markers are b's own: not one of them is in a document of "a"
    data = open_index(root)
    a_text = "\n".join([c.text for c in data.chunks if data.docs[c.doc].collection == "a"]
                       + [f"{n} {d.meta.title} {d.meta.number}" for n, d in data.docs.items() if d.collection == "a"])
    assert [m for m in B_MARKERS if m in a_text] == []
    return root


@pytest.fixture
def server(two_collections: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACUU_INDEX", str(two_collections))
    monkeypatch.setenv("TRACUU_AUTH", "1")
    return two_collections


@pytest.fixture
def own_server(two_collections: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the two collections that a test may change."""
    root = tmp_path / "index"
    shutil.copytree(two_collections, root)
    monkeypatch.setenv("TRACUU_INDEX", str(root))
    monkeypatch.setenv("TRACUU_AUTH", "1")
    return root


@pytest.fixture
def worker(own_server: Path) -> Iterator[Worker]:
    w = Worker(own_server, poll=0.1).start()
    try:
        yield w
    finally:
        w.stop(timeout=HANG)


def start(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def login(name: str, at: AppTest | None = None, password: str | None = None) -> AppTest:
    at = at or start()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORDS.get(name, "") if password is None else password)
    at.button(key="login_submit").click().run()
    assert not at.exception, at.exception
    return at


def _strings(message) -> Iterator[str]:
    """Every string field of a protobuf message, nested ones included."""
    for field, value in message.ListFields():
        single = isinstance(value, (str, bytes)) or hasattr(value, "ListFields")
        values = [value] if single else value
        if field.type == field.TYPE_MESSAGE:
            for v in values:
                yield from _strings(v)
        elif field.type == field.TYPE_STRING:
            yield from values


def shown(nodes) -> str:
    """What the elements show: every string of their protobufs (markdown, captions, messages, labels, options,
    tabs, expanders …) and every cell of their dataframes, HTML entities and Markdown escapes undone."""
    out: list[str] = []

    def walk(node) -> None:
        if (proto := getattr(node, "proto", None)) is not None:
            out.extend(_strings(proto))
        if type(node).__name__ == "Dataframe":
            out.append(node.value.to_csv())
        for child in getattr(node, "children", {}).values():
            walk(child)

    for node in nodes:
        walk(node)
    return re.sub(r"\\(.)", r"\1", html.unescape("\n".join(out)))


def page(at: AppTest) -> str:
    return shown([at._tree])


def leaked(text: str) -> list[str]:
    return [m for m in B_MARKERS if m in text]


# ---- logging in ---------------------------------------------------------------------------------------------

def test_nothing_is_shown_before_a_login_even_from_a_shared_link(server: Path):
    at = start(q=QUESTION, ref="qd 1378")
    assert at.text_input(key="login_name") and at.text_input(key="login_password").proto.type == 1  # a password
    assert not at.tabs and not at.dataframe
    assert leaked(page(at)) == [] and "Nghị định" not in page(at) and "văn bản ·" not in page(at)


def test_a_wrong_password_says_so_and_shows_nothing(server: Path):
    at = login("doc-a", password="sai-mat-khau")
    assert [e.value for e in at.error] == ["Sai tên tài khoản hoặc mật khẩu."]
    assert not at.tabs


def test_repeated_failures_make_the_next_login_wait(server: Path):
    at = start()
    for _ in range(4):  # three free failures, then the account (existing or not) has to wait
        at = login("khach-la", at, password="doan-mo-mat-khau")
    assert re.fullmatch(r"Đăng nhập sai nhiều lần: thử lại sau \d+ giây\.", at.error[0].value)


def test_after_a_login_the_page_opens_on_the_shared_link_with_the_account_in_the_sidebar(server: Path):
    at = login("doc-a", start(q="Bộ Nội vụ là cơ quan của Chính phủ"))
    assert [t.label for t in at.tabs] == ["Hỏi đáp", "Văn bản dẫn chiếu", "So sánh", "Thư viện"]
    assert any(m.value.startswith('<div class="tc-answer"') for m in at.markdown)
    assert "Tài khoản **doc-a** · người đọc · Bộ sưu tập: a" in shown(at.sidebar)


# ---- what a reader of "a" sees, on every read path ----------------------------------------------------------

def ask(at: AppTest) -> AppTest:
    at.text_input(key="question").input(QUESTION)
    return at.button(key="ask_submit").click().run()


def look_up(number: str) -> Callable[[AppTest], AppTest]:
    def act(at: AppTest) -> AppTest:
        at.text_input(key="ref_query").input(number)
        return at.button(key="ref_submit").click().run()
    return act


def compare(at: AppTest) -> AppTest:
    at.text_input(key="cmp_query").input("tang truong kinh te")
    return at.button(key="cmp_submit").click().run()


def markdown_of(at: AppTest) -> str:
    return shown(at.markdown)


def stay(at: AppTest) -> AppTest:
    return at


PATHS = {  # a read path: what to do, the elements that show it, and what an admin sees there of collection "b"
    "ask-passages-and-answer": (ask, markdown_of, "14,33%"),
    "refs-lookup-and-mentions": (look_up("qd 1085"), markdown_of, "1085/QĐ-TTg"),
    "refs-cites-and-cited-by-links": (look_up("nd 25/2025"), markdown_of, "CÔNG BỐ THỦ TỤC HÀNH CHÍNH NỘI BỘ"),
    "refs-browse-list": (stay, lambda at: shown(d for d in at.dataframe if "Số hiệu" in d.value.columns),
                         "137/2020/NĐ-CP"),
    "compare-rows-and-sources": (compare, lambda at: shown([*at.dataframe, *at.markdown]), "11,67%"),
    "compare-indicator-list": (stay, lambda at: shown([at.selectbox(key="cmp_pick")]), "Tăng trưởng kinh tế"),
    "library-table": (stay, lambda at: shown(d for d in at.dataframe if "Tệp" in d.value.columns), "qd-1378-bnv.md"),
    "filters-documents-and-years": (stay, lambda at: shown([at.multiselect(key="filter_docs"),
                                                            at.selectbox(key="filter_year")]),
                                    "Tình hình thực hiện nhiệm vụ phát triển kinh tế"),
}


@pytest.mark.parametrize("path", PATHS)
def test_a_reader_sees_nothing_of_another_collection(server: Path, path: str):
    act, where, theirs = PATHS[path]
    reader = act(login("doc-a"))
    assert not reader.exception, reader.exception
    assert leaked(page(reader)) == [] and theirs not in where(reader)
    admin = act(login("quan-tri"))
    assert not admin.exception, admin.exception
    assert theirs in where(admin), f"the admin sees nothing of collection b on {path}: the check proves nothing"


def test_the_reader_is_told_only_of_the_readers_documents(server: Path):
    reader = look_up("nd 25/2025")(login("doc-a"))
    assert "Được dẫn chiếu bởi" not in markdown_of(reader)  # qd-1378 (collection b) cites it
    assert "Được dẫn chiếu bởi" in markdown_of(look_up("nd 25/2025")(login("quan-tri")))
    titles = set(reader.multiselect(key="filter_docs").options)
    assert titles == {open_index(server).docs[p.name].meta.title for p in A_DOCS}
    years = {o for o in reader.selectbox(key="filter_year").options if o[0].isdigit()}
    assert years == {"2025"}  # the report's 2022 and 2023 are collection b's


def test_counts_are_those_of_the_accounts_collections(server: Path):
    data = open_index(server)
    mine = scoped(data, ["a"])
    reader, admin = login("doc-a"), login("quan-tri")
    assert f"3 văn bản · {len(mine.chunks)} đoạn" in shown(reader.caption)
    assert f"5 văn bản · {len(data.chunks)} đoạn" in shown(admin.caption)
    assert len(mine.chunks) < len(data.chunks)


# ---- the library by role ------------------------------------------------------------------------------------

def test_a_readers_library_has_no_upload_or_remove_controls(server: Path):
    at = login("doc-a")
    assert not at.get("file_uploader")
    keys = {w.key for kind in ("button", "selectbox", "checkbox", "text_input") for w in at.get(kind)}
    assert not keys & {"add", "replace", "remove", "remove_pick", "remove_confirm", "upload_collection",
                       "new_collection"}
    assert "Xoá văn bản" not in page(at) and "Hàng đợi" not in page(at)


def test_an_editor_uploads_into_their_own_collections_and_removes_only_their_documents(server: Path):
    at = login("bien-tap-a")
    assert at.selectbox(key="upload_collection").options == ["a"]
    assert not [w for w in at.text_input if w.key == "new_collection"]
    docs = open_index(server).docs
    assert set(at.selectbox(key="remove_pick").options) == {f"{p.name} — {docs[p.name].meta.title[:80]}"
                                                             for p in A_DOCS}
    assert "Nhật ký thao tác" not in page(at)


def test_an_admin_picks_any_collection_or_a_new_one_and_sees_the_audit_log_and_accounts(server: Path):
    at = login("quan-tri")
    assert at.selectbox(key="upload_collection").options == ["a", "b", "chung"]
    assert at.text_input(key="new_collection")
    audit = next(d.value for d in at.dataframe if "Đối tượng" in d.value.columns)
    assert {"doc-a", "bien-tap-a", "quan-tri"} <= set(audit["Đối tượng"])
    users = next(d.value for d in at.dataframe if "Vai trò" in d.value.columns)
    assert dict(zip(users["Tài khoản"], users["Vai trò"], strict=True)) == {
        "bien-tap-a": "biên tập viên", "doc-a": "người đọc", "quan-tri": "quản trị viên"}


def test_an_editor_upload_goes_through_the_queue_and_then_shows_in_the_library(own_server: Path, worker: Worker):
    at = login("bien-tap-a")
    at.file_uploader[0].upload("bao cao bac ha.md", HOSTILE.encode("utf-8"), "text/markdown")
    at.run()
    at.button(key="add").click().run()
    assert not at.exception, at.exception
    assert [shown([s]) for s in at.success] == ["Đã đưa vào hàng đợi (việc số 1): bao-cao-bac-ha.md"]
    assert worker.wait_idle(HANG), "the worker did not empty the queue"
    job = Jobs(own_server).get(1)
    assert job is not None and job.state.value == "done", job
    at.run()
    assert not at.exception, at.exception
    docs = next(d.value for d in at.dataframe if "Tệp" in d.value.columns)
    assert dict(zip(docs["Tệp"], docs["Bộ sưu tập"], strict=True))["bao-cao-bac-ha.md"] == "a"
    queue = at.table[0].value
    assert list(queue["Trạng thái"]) == ["xong"] and "Đã thêm: bao-cao-bac-ha.md" in queue["Kết quả"][0]
    at.text_input(key="question").input("Tổng thu ngân sách phường Bắc Hà năm 2023 đạt bao nhiêu?")
    at.button(key="ask_submit").click().run()
    assert "57,8 tỷ đồng" in markdown_of(at)  # the new generation answers
    assert [e.action for e in Accounts(own_server).audit_log(actor="bien-tap-a")] == ["document.add"]


def test_an_editor_may_not_replace_another_collections_document_and_is_asked_before_replacing_their_own(
        own_server: Path):
    at = login("bien-tap-a")
    at.file_uploader[0].upload("qd-1378-bnv.md", HOSTILE.encode("utf-8"), "text/markdown")
    at.run()
    at.button(key="add").click().run()
    assert [shown([e]) for e in at.error] == [
        "qd-1378-bnv.md: tên tệp này đã có ở bộ sưu tập bạn không được sửa — hãy đổi tên tệp."]
    assert Jobs(own_server).recent() == []
    at = login("bien-tap-a")
    at.file_uploader[0].upload("nd-25-2025-cp.md", HOSTILE.encode("utf-8"), "text/markdown")
    at.run()
    at.button(key="add").click().run()
    assert "nd-25-2025-cp.md: đã có trong thư viện — thay thế?" in shown(at.warning)
    assert Jobs(own_server).recent() == []
    at.button(key="replace").click().run()
    [job] = Jobs(own_server).recent()
    assert job.replace and job.collection == "a" and job.names == ("nd-25-2025-cp.md",)


def test_an_editors_removal_is_queued(own_server: Path):
    at = login("bien-tap-a")
    at.selectbox(key="remove_pick").set_value("qd-97-2025-ubnd.md").run()
    at.checkbox(key="remove_confirm").check().run()
    at.button(key="remove").click().run()
    assert not at.exception, at.exception
    [job] = Jobs(own_server).recent()
    assert job.action.value == "remove" and job.names == ("qd-97-2025-ubnd.md",) and job.actor == "bien-tap-a"
    assert "qd-97-2025-ubnd.md" in open_index(own_server).docs  # until a worker runs it


# ---- the session ends ---------------------------------------------------------------------------------------

def test_an_idle_session_expires_back_to_the_login(server: Path):
    at = login("doc-a")
    assert at.tabs
    at.session_state["last_active"] = time.time() - 61 * 60  # an hour and a minute without use (default: 60)
    at.run()
    assert not at.tabs and at.text_input(key="login_name")
    assert "Phiên làm việc đã hết hạn sau 60 phút không dùng" in shown(at.info)


def test_logout_forgets_the_session_and_its_questions(server: Path):
    at = ask(login("quan-tri"))
    assert [b for b in at.button if b.key == "recent-0"]
    at.button(key="logout").click().run()
    assert not at.tabs and "Đã đăng xuất." in shown(at.info)
    at = login("doc-a", at)
    assert not [b for b in at.button if b.key == "recent-0"]  # the admin's question is not the reader's
    assert leaked(page(at)) == []


# ---- single sign-on -----------------------------------------------------------------------------------------

@pytest.fixture
def proxy_says(server: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Requests come through a proxy on this machine, which names the logged-in account in X-Remote-User (AppTest
    has no connection: its peer address is made the one Streamlit reports for a loopback peer, None)."""
    from streamlit.runtime.context import ContextProxy

    monkeypatch.setenv("TRACUU_PROXY", "127.0.0.1")
    monkeypatch.setenv("TRACUU_TRUSTED_HEADER", "X-Remote-User")
    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: None))

    def says(name: str) -> None:
        monkeypatch.setattr(ContextProxy, "headers", property(lambda self: {"X-Remote-User": name}))
    return says


def test_single_sign_on_logs_in_the_account_the_proxy_names(proxy_says):
    proxy_says("doc-a")
    at = start()
    assert [t.label for t in at.tabs] == ["Hỏi đáp", "Văn bản dẫn chiếu", "So sánh", "Thư viện"]
    assert not [w for w in at.text_input if w.key == "login_password"]
    assert "Tài khoản **doc-a** · người đọc" in shown(at.sidebar) and leaked(page(at)) == []


def test_single_sign_on_refuses_an_account_it_does_not_know(proxy_says):
    proxy_says("nguoi-la")
    at = start()
    assert [shown([e]) for e in at.error] == [
        "Tài khoản “nguoi-la” (đăng nhập một lần) chưa có trong hệ thống — hãy nhờ quản trị viên tạo."]
    assert not at.tabs and leaked(page(at)) == []


def test_the_header_is_not_trusted_from_anywhere_but_the_proxy(proxy_says, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACUU_PROXY", "10.0.0.7")  # the proxy is elsewhere: this request did not come through it
    proxy_says("quan-tri")
    at = start()
    assert not at.tabs and at.text_input(key="login_password")


def test_an_admin_starts_an_empty_server_with_a_new_collection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "index"
    Accounts(root).add("quan-tri", Role.ADMIN, [], PASSWORDS["quan-tri"], by="test")
    monkeypatch.setenv("TRACUU_INDEX", str(root))
    monkeypatch.setenv("TRACUU_AUTH", "1")
    monkeypatch.setenv("TRACUU_MODEL", "fake")
    at = login("quan-tri")
    assert "tracuu ingest" in at.info[0].value and not at.tabs
    assert at.selectbox(key="upload_collection").options == ["chung"]
    at.file_uploader[0].upload("qd-97.md", (DATA / "qd-97-2025-ubnd.md").read_bytes(), "text/markdown")
    at.text_input(key="new_collection").input("../tai chinh")
    at.run()
    at.button(key="add").click().run()
    assert "not a collection name" in shown(at.error) and Jobs(root).recent() == []
    at.text_input(key="new_collection").input("tai-chinh")
    at.button(key="add").click().run()
    assert not at.exception, at.exception
    w = Worker(root, poll=0.1).start()
    try:
        assert w.wait_idle(HANG), "the worker did not empty the queue"
    finally:
        w.stop(timeout=HANG)
    at.run()
    assert [t.label for t in at.tabs] == ["Hỏi đáp", "Văn bản dẫn chiếu", "So sánh", "Thư viện"]
    assert open_index(root).docs["qd-97.md"].collection == "tai-chinh"
    assert at.selectbox(key="upload_collection").options == ["chung", "tai-chinh"]

"""End to end in a real browser on a shared server: `streamlit run app.py` with TRACUU_AUTH=1 over an index of two
collections with accounts, a queue `Worker` running in this process (as `tracuu serve` runs one), and headless
Chromium through Playwright. An editor logs in, asks, uploads a file that the queue ingests, and logs out; a
reader then finds no upload or remove control. Skipped, with the reason, where Chromium or Playwright is
missing (the rule of tests/test_browser.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import Accounts, Role, Worker, ingest
from pipeline.embed import FakeEmbedder
from tests.procs import Watched
from tests.test_browser import (
    CHROMIUM,
    DATA,
    QUESTION,
    ROOT,
    browser,  # noqa: F401 - the fixture, used by name
    free_port,
    settle,
    wait_healthy,
)

REPORT = """BÁO CÁO KẾT QUẢ THU NGÂN SÁCH PHƯỜNG BẮC HÀ

1. Kết quả thực hiện
Năm 2023, tổng thu ngân sách trên địa bàn phường Bắc Hà đạt 57,8 tỷ đồng, tăng 9,4% so với cùng kỳ.
"""
HANG_MS = 300_000  # guards against a hang only: a busy machine is slow
EDITOR, READER = ("bien-tap", "mat-khau-bien-tap"), ("nguoi-doc", "mat-khau-nguoi-doc")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium "
                                                     "chromium-driver (.ci/run does)"),
]


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("e2e-auth-index")
    fake = FakeEmbedder()
    ingest([ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"], fake, root=index, collection="a")
    ingest([DATA / "nd-25-2025-cp.md"], fake, root=index, collection="b")
    accounts = Accounts(index)
    accounts.add(EDITOR[0], Role.EDITOR, ["a"], EDITOR[1], by="test")
    accounts.add(READER[0], Role.READER, ["a"], READER[1], by="test")
    return index


@pytest.fixture(scope="module")
def server(shared_index: Path) -> Iterator[str]:
    worker = Worker(shared_index, poll=0.2).start()
    port = free_port()
    env = {**os.environ, "TRACUU_INDEX": str(shared_index), "TRACUU_AUTH": "1", "PYTHONPATH": str(ROOT)}
    child = Watched(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        merged=True, cwd=ROOT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, child)
        yield url
    finally:
        child.proc.terminate()
        try:
            child.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.proc.kill()
        worker.stop(timeout=300)


def log_in(page, name: str, password: str) -> None:
    page.get_by_label("Tên tài khoản").fill(name)
    page.locator('input[type="password"]').fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("tab", name="Hỏi đáp").wait_for()


def ask(page, question: str, expected: str) -> None:
    """Ask, and wait for an answer that says `expected` (an earlier answer on the page does not count)."""
    box = page.get_by_label("Câu hỏi")
    box.fill(question)
    box.press("Enter")
    page.locator(".tc-answer", has_text=expected).wait_for()


def test_editor_asks_uploads_through_the_queue_and_logs_out_then_a_reader_has_no_controls(
        server: str, browser, tmp_path: Path):  # noqa: F811
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page.set_default_timeout(HANG_MS)
    page.goto(server)
    page.get_by_label("Tên tài khoản").wait_for()
    assert page.get_by_role("tab", name="Hỏi đáp").count() == 0  # nothing before a login

    log_in(page, *EDITOR)
    ask(page, QUESTION, "14,33%")
    assert "14,33%" in page.locator("#trich-1 mark").first.inner_text()  # the passage, its answer marked
    assert page.locator("a.tc-cite").count() >= 1  # the answer cites its passage

    page.get_by_role("tab", name="Thư viện").click()
    upload = tmp_path / "bao-cao-bac-ha.md"
    upload.write_text(REPORT, encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(str(upload))
    queue = page.get_by_role("button", name="Đưa vào hàng đợi")
    expect(queue).to_be_enabled(timeout=HANG_MS)
    queue.click()
    page.get_by_text("Đã đưa vào hàng đợi (việc số 1): bao-cao-bac-ha.md").wait_for()
    # the queue, drawn again every few seconds on its own, shows the job done once the worker ran it
    jobs = page.locator('[data-testid="stTable"]')  # the queue is a plain table (the document list is a grid)
    jobs.locator("td", has_text="xong").first.wait_for()
    # while it is drawn again, the old table and the new may both be on the page: any cell of either will do
    jobs.locator("td", has_text="Đã thêm: bao-cao-bac-ha.md").first.wait_for()
    settle(page)
    page.get_by_role("tab", name="Hỏi đáp").click()
    ask(page, "Tổng thu ngân sách phường Bắc Hà năm 2023 đạt bao nhiêu?", "57,8 tỷ đồng")

    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_text("Đã đăng xuất.").wait_for()
    assert page.get_by_role("tab", name="Hỏi đáp").count() == 0

    log_in(page, *READER)
    page.get_by_role("tab", name="Thư viện").click()
    settle(page)
    library = page.get_by_role("tabpanel", name="Thư viện")
    library.locator('[data-testid="stCaptionContainer"]').first.wait_for()  # the tab is drawn: its count line
    assert page.locator('input[type="file"]').count() == 0
    assert page.get_by_role("button", name="Đưa vào hàng đợi").count() == 0
    assert page.get_by_text("Xoá văn bản khỏi thư viện").count() == 0
    assert page.get_by_text("Hàng đợi cập nhật").count() == 0
    page.close()

"""End to end in a real browser: `streamlit run app.py` on a free localhost port, driven by headless Chromium
(Debian's `chromium`, which `.ci/run` installs) through Playwright. Skipped, with the reason, where Chromium or
Playwright is missing.

Screenshots go to $TRACUU_SCREENSHOTS when set (`make screenshots` sets docs/screenshots), else to a temporary
folder, so a plain `make test` leaves the repository unchanged.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.embed import FakeEmbedder
from pipeline.store.ingest import ingest
from tests.procs import Watched

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
DOCS = [ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt", DATA / "qd-97-2025-ubnd.md",
        DATA / "nd-25-2025-cp.md", DATA / "qd-1378-bnv.md"]
CHROMIUM = Path(os.environ.get("TRACUU_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
QUESTION = "nganh thuong mai dich vu nam 2022 tang truong bao nhieu"  # typed without diacritics

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium "
                                                     "chromium-driver (.ci/run does)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, server: Watched) -> None:
    """Wait until streamlit says where it serves (its "URL:" line), then check that it answers its health check."""
    assert server.wait_for(r"URL: http"), f"streamlit exited first:\n{server.stderr[-2000:]}"
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as r:
        assert r.status == 200


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = Path(os.environ["TRACUU_E2E_INDEX"]) if os.environ.get("TRACUU_E2E_INDEX") else None
    if index is None:
        index = tmp_path_factory.mktemp("e2e-index")
        ingest(DOCS, FakeEmbedder(), root=index)
    port = free_port()
    env = {**os.environ, "TRACUU_INDEX": str(index), "PYTHONPATH": str(ROOT)}
    child = Watched(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        merged=True, cwd=ROOT, env=env,
    )
    proc = child.proc
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, child)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the [dev] extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("TRACUU_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settle(page) -> None:
    """Wait for the script run to finish (the sidebar's recent questions are drawn last)."""
    page.wait_for_selector('[data-test-script-state="notRunning"]')


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page.set_default_timeout(300_000)  # guards against a hang only: a busy machine is slow
    page.goto(url)
    page.get_by_role("tab", name="Hỏi đáp").wait_for()
    return page


def test_typed_question_shows_the_answer_and_its_cited_passage(server: str, browser, shots: Path):
    page = open_page(browser, server)
    box = page.get_by_label("Câu hỏi")
    box.fill(QUESTION)
    box.press("Enter")
    answer = page.locator(".tc-answer")
    answer.wait_for()
    assert "14,33%" in answer.inner_text()
    card = page.locator("#trich-1")
    card.wait_for()
    assert card.is_visible()
    assert "14,33%" in card.locator("mark").first.inner_text()
    assert "q=nganh+thuong+mai" in page.url  # the URL follows the question: the answer can be shared
    settle(page)
    assert page.get_by_text("Câu hỏi gần đây").is_visible()
    page.screenshot(path=str(shots / "hoi-dap.png"), full_page=False)
    assert (shots / "hoi-dap.png").stat().st_size > 10_000
    answer.locator("a.tc-cite").first.click()  # the [1] marker leads to its passage
    page.wait_for_function("document.querySelector('#trich-1').getBoundingClientRect().top < 200")
    page.close()


def test_shared_links_open_the_references_tab_and_the_library(server: str, browser, shots: Path):
    page = open_page(browser, f"{server}/?ref=nd+25/2025")
    page.get_by_text("Được dẫn chiếu bởi").first.wait_for()
    assert page.get_by_role("tab", name="Văn bản dẫn chiếu").get_attribute("aria-selected") == "true"
    assert page.locator("h4", has_text="25/2025/NĐ-CP").first.is_visible()
    settle(page)
    page.screenshot(path=str(shots / "van-ban-dan-chieu.png"), full_page=False)
    page.get_by_role("tab", name="Thư viện").click()
    page.get_by_text("Thêm văn bản (.docx, .pdf").wait_for()
    settle(page)
    page.screenshot(path=str(shots / "thu-vien.png"), full_page=False)
    assert (shots / "thu-vien.png").stat().st_size > 10_000
    page.close()


def test_a_shared_comparison_link_shows_the_table_the_gap_and_the_chart(server: str, browser, shots: Path):
    page = open_page(browser, f"{server}/?so_sanh=tang+truong+kinh+te")
    page.get_by_text("chênh lệch −0,17 điểm %").wait_for()
    assert page.get_by_role("tab", name="So sánh").get_attribute("aria-selected") == "true"
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()  # targets and results by year
    assert page.locator("mark", has_text="11,67%").first.is_visible()
    settle(page)
    page.screenshot(path=str(shots / "so-sanh.png"), full_page=False)
    assert (shots / "so-sanh.png").stat().st_size > 10_000
    page.close()

"""The app as staff meet it: `streamlit run app.py` over an index, driven by headless Chromium (Playwright).

Measures the server's start (process launch → health check), the first page (the index and the model load
into the server process), then questions typed into the page: the time from Enter to the answer on screen
and the time the app itself shows ("Trả lời trong … ms"). The first question also pays for the lazy loads
(word segmenter); the rest are warm.

Run:
    python bench/bench_app.py --index /tmp/ix          # needs /usr/bin/chromium and playwright
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common import default_out, shared, write_result

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, seconds: float = 120) -> None:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(url)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--questions", default=str(shared("eval", "dev_qa.jsonl")))
    ap.add_argument("-n", type=int, default=8, help="questions to ask (default 8)")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--out", default=str(default_out("app")))
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    questions = [json.loads(line)["q"] for line in Path(args.questions).read_text(encoding="utf-8").splitlines()
                 if line.strip()][: args.n]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TRACUU_INDEX": args.index, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
                             "true", "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--server.fileWatcherType", "none"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(url)
        server_s = time.perf_counter() - t0
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(180_000)
            t1 = time.perf_counter()
            page.goto(url)
            page.get_by_label("Câu hỏi").wait_for()
            first_page_s = time.perf_counter() - t1
            runs = []
            for q in questions:
                box = page.get_by_label("Câu hỏi")
                box.fill(q)
                t2 = time.perf_counter()
                box.press("Enter")
                # the run has started once the URL holds the new question, and ended when the script is idle
                page.wait_for_function(
                    "([q]) => new URL(location.href).searchParams.get('q') === q && ['notRunning', 'initial']"
                    ".includes(document.querySelector('[data-test-script-state]')"
                    "?.getAttribute('data-test-script-state'))", arg=[q], polling=20)
                seen_ms = (time.perf_counter() - t2) * 1000
                caption = page.get_by_text(re.compile(r"^Trả lời trong \d+ ms")).first.inner_text()
                app_ms = float(re.search(r"(\d+) ms", caption).group(1))
                runs.append({"question": q, "seen_ms": round(seen_ms), "app_ms": app_ms})
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    warm = runs[1:]
    result = {
        "index": args.index,
        "server_start_s": round(server_s, 2),
        "first_page_s": round(first_page_s, 2),
        "cold_start_s": round(server_s + first_page_s, 2),
        "first_question": runs[0],
        "warm_app_ms_p50": statistics.median(r["app_ms"] for r in warm),
        "warm_seen_ms_p50": statistics.median(r["seen_ms"] for r in warm),
        "warm_seen_ms_max": max(r["seen_ms"] for r in warm),
        "runs": runs,
    }
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, ensure_ascii=False, indent=2))
    print(f"wrote {write_result(args.out, result)}")


if __name__ == "__main__":
    main()

"""The Streamlit page over real small indexes (fake embedder), driven by streamlit's AppTest."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.embed import FakeEmbedder
from pipeline.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SEED = ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"

HOSTILE = """BÁO CÁO THỬ NGHIỆM AN TOÀN HIỂN THỊ

<script>alert(1)</script>

1. Kết quả thực hiện
Năm 2023, tổng thu ngân sách trên địa bàn phường Bắc Hà đạt 57,8 tỷ đồng, tăng 9,4% so với cùng kỳ.
Số hộ nghèo giảm còn 21 hộ.
"""


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("index-seed")
    ingest([SEED], FakeEmbedder(), root=root)
    return root


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = tmp_path_factory.mktemp("docs") / "bao-cao-script.txt"
    doc.write_text(HOSTILE, encoding="utf-8")
    root = tmp_path_factory.mktemp("index-hostile")
    ingest([doc], FakeEmbedder(), root=root)
    return root


def ask(question: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="question").input(question)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def passage_cards(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith('<div style="') and "<b>[" in m.value]


def test_question_shows_the_passage_that_holds_the_figure(seed_index: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACUU_INDEX", str(seed_index))
    at = ask("Ngành thương mại - dịch vụ năm 2022 tăng trưởng bao nhiêu phần trăm?")
    shown = markdown(at)
    assert "14,33%" in shown
    assert "<mark>" in shown
    assert at.query_params["q"] == "Ngành thương mại - dịch vụ năm 2022 tăng trưởng bao nhiêu phần trăm?"


def test_question_in_the_url_is_asked_on_load(seed_index: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACUU_INDEX", str(seed_index))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["q"] = "thương mại dịch vụ tăng bao nhiêu"
    at.run()
    assert not at.exception
    assert "14,33%" in markdown(at)


def test_missing_index_explains_how_to_add_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACUU_INDEX", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert not at.error
    assert "tracuu ingest" in at.info[0].value
    assert not at.text_input


def test_document_html_is_shown_as_text_never_run(hostile_index: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACUU_INDEX", str(hostile_index))
    at = ask("Tổng thu ngân sách phường Bắc Hà năm 2023 đạt bao nhiêu?")
    shown = markdown(at)
    assert "57,8 tỷ đồng" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<script" not in shown.lower()


def test_top_k_slider_sets_how_many_passages_are_shown(seed_index: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACUU_INDEX", str(seed_index))
    at = ask("tăng trưởng kinh tế")
    assert len(passage_cards(at)) == 5
    at.sidebar.slider[0].set_value(2).run()
    assert len(passage_cards(at)) == 2

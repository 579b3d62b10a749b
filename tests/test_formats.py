"""Every reader against the text form, end to end: the seed as .txt, .docx (LibreOffice) and .pdf (LibreOffice)
indexed with the fake embedder answers the dev questions from the same sections with the same sentences, and
the PDF's passages say which page they are on (`ask --json` "page", citations "trang N")."""

import json

import pytest

from pipeline import open_answerer
from pipeline.cli import main
from pipeline.embed import FakeEmbedder
from pipeline.store.ingest import ingest
from tests.conftest import DATA, SEED, SHARED

FORMATS = {"txt": SEED, "docx": DATA / "seed.docx", "pdf": DATA / "seed.pdf"}


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    out = {}
    for fmt, path in FORMATS.items():
        root = tmp_path_factory.mktemp(f"seed-{fmt}")
        report = ingest([path], FakeEmbedder(), root=root)
        assert not report.errors, report.errors
        out[fmt] = root
    return out


@pytest.fixture(scope="module")
def answerers(indexes):
    return {fmt: open_answerer(root, model=FakeEmbedder()) for fmt, root in indexes.items()}


def _questions() -> list[str]:
    path = SHARED / "eval" / "dev_qa.jsonl"
    if not path.exists():  # the checkout alone: the seed questions of the end-to-end test
        return ["Ngành thương mại - dịch vụ năm 2022 tăng trưởng bao nhiêu phần trăm?",
                "Mục tiêu thu nhập bình quân đầu người năm 2023 là bao nhiêu?",
                "Thành phố chi trả trợ cấp cho bao nhiêu đối tượng người có công và bảo trợ xã hội?"]
    return [json.loads(x)["q"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_dev_questions_are_answered_from_the_same_sections_with_the_same_sentences(answerers, fmt):
    for q in _questions():
        text, other = answerers["txt"].ask(q, k=5), answerers[fmt].ask(q, k=5)
        assert other.text == text.text, q
        assert [p.section for p in other.passages[:3]] == [p.section for p in text.passages[:3]], q


def test_pdf_passages_carry_their_page_and_text_passages_none(indexes, capsys):
    q = "Ngành thương mại - dịch vụ năm 2022 tăng trưởng bao nhiêu phần trăm?"
    pages = {}
    for fmt in ("txt", "pdf"):
        assert main(["ask", q, "--index", str(indexes[fmt]), "--json", "--top-k", "3"]) == 0
        pages[fmt] = [p["page"] for p in json.loads(capsys.readouterr().out)["passages"]]
    assert pages["txt"] == [None, None, None]
    assert all(isinstance(p, int) and 1 <= p <= 22 for p in pages["pdf"])
    assert pages["pdf"][0] == 1  # "ngành Thương mại - dịch Dịch vụ tăng 14,33%" is on the first page


def test_text_citations_name_the_page(indexes, capsys):
    assert main(["ask", "Tổng giá trị sản xuất các ngành theo giá so sánh 2010 ước đạt bao nhiêu?",
                 "--index", str(indexes["pdf"])]) == 0
    out = capsys.readouterr().out
    assert "[1] seed.pdf, trang 1 — " in out

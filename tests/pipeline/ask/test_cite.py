"""pipeline/cite.py: ready-to-paste citations, footnotes split from a chunk, answer spans located."""

from pathlib import Path

from pipeline.ask.cite import citation, date_text, section_label, spans_in, split_footnotes
from pipeline.readers import read_document
from pipeline.text.chunk import chunk_document
from pipeline.types import Passage

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"
QD = ROOT / "tests" / "data" / "qd-97-2025-ubnd.md"


def passage(doc, chunk) -> Passage:
    return Passage(1, doc.name, doc.meta.title, chunk.year, chunk.section, chunk.chunk_id, chunk.text, 1.0)


def test_report_citation_names_the_report_its_issuer_and_the_numbered_section():
    doc = read_document(SEED)
    chunk = next(c for c in chunk_document(doc) if c.section.endswith("1.4. Tài chính, tín dụng"))
    cite = citation(passage(doc, chunk), doc.meta)
    assert cite.startswith("Báo cáo tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội")
    assert "của Ủy ban nhân dân TP. Hà Tĩnh (tháng 11/2022)" in cite
    assert cite.endswith(", mục 1.4")


def test_decision_citation_is_number_date_issuer_article_and_clause():
    doc = read_document(QD)
    chunk = next(c for c in chunk_document(doc) if "#D2/3:" in c.chunk_id)
    assert citation(passage(doc, chunk), doc.meta) == (
        "Quyết định số 97/2025/QĐ-UBND ngày 25/11/2025 của Ủy ban nhân dân tỉnh Nghệ An, Điều 2, khoản 3")


def test_section_labels_follow_the_heading_grammar():
    doc = "bao-cao.txt"
    assert section_label(doc, f"{doc}#P1/I/1/1.4:0") == "mục 1.4"
    assert section_label(doc, f"{doc}#P2/I/2/a:1") == "Phần thứ hai, mục I.2, điểm a"
    assert section_label(doc, f"{doc}#P1/II/2:0") == "Phần thứ nhất, mục II.2"
    assert section_label(doc, f"{doc}#P2:0") == "Phần thứ hai"
    assert section_label(doc, f"{doc}#D5/2/b:0") == "Điều 5, khoản 2, điểm b"
    assert section_label(doc, f"{doc}#1.3~1:0") == "mục 1.3"
    assert section_label(doc, f"{doc}#front:0") == ""
    assert section_label("a#b.txt", "a#b.txt#D1:0") == "Điều 1"  # a '#' in the document name


def test_dates_read_as_a_citation_writes_them():
    assert date_text("2025-11-25") == "ngày 25/11/2025"
    assert date_text("2022-11") == "tháng 11/2022"
    assert date_text("2022") == "năm 2022"


def test_footnote_bodies_are_split_from_the_chunk_that_carries_them():
    doc = read_document(SEED)
    chunk = next(c for c in chunk_document(doc) if "\n[3] " in c.text)
    body, notes = split_footnotes(chunk.text)
    assert "[3]" not in body
    assert [k for k, _ in notes] == [1, 2, 3]  # the notes the chunk carries, in order, each with its own body
    assert all(doc.footnotes[k] == n for k, n in notes)
    assert notes[-1][1].startswith("Tổng vốn đầu tư phát triển toàn xã hội")
    assert body + "".join(f"\n[{k}] {n}" for k, n in notes) == chunk.text
    assert split_footnotes("[1] một dòng duy nhất") == ("[1] một dòng duy nhất", [])


def test_answer_spans_are_found_whole_or_part_by_part():
    text = "Kết quả như sau:\nThu ngân sách đạt 95%. Chi ngân sách đạt 90%."
    assert spans_in(text, ["Thu ngân sách đạt 95%."]) == [(17, 39)]
    joined = "Kết quả như sau: Thu ngân sách đạt 95%."  # the answerer joins a lead-in to the next sentence
    assert spans_in(text, [joined]) == [(0, 16), (17, 39)]
    assert spans_in(text, ["Không có trong đoạn."]) == []

"""pipeline/ask/cite.py: citations from typed heading paths, footnotes carried as records, answer spans."""

from pathlib import Path

from pipeline.ask.cite import citation, date_text, section_label, spans_in
from pipeline.readers import read_document
from pipeline.text.chunk import chunk_document
from pipeline.text.sections import parse_heading
from pipeline.types import Passage

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"
QD = ROOT / "tests" / "data" / "qd-97-2025-ubnd.md"


def passage(doc, chunk) -> Passage:
    return Passage(1, doc.name, doc.meta.title, chunk.year, chunk.section, chunk.chunk_id, chunk.text, 1.0,
                   headings=chunk.headings, footnotes=chunk.footnotes)


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


def path(*lines: str):
    """The heading path the grammar reads from these heading lines."""
    out = []
    for line in lines:
        parsed = parse_heading(line)
        assert parsed is not None, line
        out.append(parsed[0])
    return tuple(out)


def test_section_labels_follow_the_heading_grammar():
    p1, p2 = "Phần thứ nhất KẾT QUẢ", "Phần thứ hai NHIỆM VỤ"
    assert section_label(path(p1, "I. Kinh tế", "1. Tài chính", "1.4. Tài chính, tín dụng")) == "mục 1.4"
    assert section_label(path(p2, "II. Giải pháp", "2. Về kinh tế", "a) Nông nghiệp")) == \
        "Phần thứ hai, mục II.2, điểm a"
    assert section_label(path(p1, "II. Văn hóa", "2. Giáo dục")) == "Phần thứ nhất, mục II.2"
    assert section_label(path(p2)) == "Phần thứ hai"
    assert section_label(path("Điều 5. Mức hỗ trợ", "2. Hộ nghèo", "b) Hộ cận nghèo")) == "Điều 5, khoản 2, điểm b"
    assert section_label(path("1.3. Thu ngân sách")) == "mục 1.3"
    assert section_label(()) == ""  # the front matter


def test_citations_read_the_stored_heading_path_not_the_chunk_id():
    doc = read_document(QD)
    chunk = next(c for c in chunk_document(doc) if "#D2/3:" in c.chunk_id)
    moved = Passage(1, doc.name, doc.meta.title, chunk.year, chunk.section, "renamed#x:0", chunk.text, 1.0,
                    headings=chunk.headings)
    assert citation(moved, doc.meta).endswith("Điều 2, khoản 3")
    assert section_label(chunk.headings[:1]) == "Điều 2"


def test_dates_read_as_a_citation_writes_them():
    assert date_text("2025-11-25") == "ngày 25/11/2025"
    assert date_text("2022-11") == "tháng 11/2022"
    assert date_text("2022") == "năm 2022"


def test_footnote_bodies_travel_with_the_chunk_that_cites_them():
    doc = read_document(SEED)
    chunk = next(c for c in chunk_document(doc) if any(n == 3 for n, _ in c.footnotes))
    assert "[3]" not in chunk.text
    assert [k for k, _ in chunk.footnotes] == [1, 2, 3]  # the notes the chunk carries, in order, each with its body
    assert all(doc.footnotes[k] == n for k, n in chunk.footnotes)
    assert chunk.footnotes[-1][1].startswith("Tổng vốn đầu tư phát triển toàn xã hội")
    assert chunk.full_text == chunk.text + "".join(f"\n[{k}] {n}" for k, n in chunk.footnotes)


def test_answer_spans_are_found_whole_or_part_by_part():
    text = "Kết quả như sau:\nThu ngân sách đạt 95%. Chi ngân sách đạt 90%."
    assert spans_in(text, ["Thu ngân sách đạt 95%."]) == [(17, 39)]
    joined = "Kết quả như sau: Thu ngân sách đạt 95%."  # the answerer joins a lead-in to the next sentence
    assert spans_in(text, [joined]) == [(0, 16), (17, 39)]
    assert spans_in(text, ["Không có trong đoạn."]) == []

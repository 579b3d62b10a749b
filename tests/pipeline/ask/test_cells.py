"""Table cells as answers, over real tables of ../shared/corpus/local_gov_docs_2025 (the questions are new, not
those of bench/qa_corpus.jsonl)."""

import pytest

from pipeline import open_answerer
from pipeline.ask.cells import CellAnswer, cell_answers
from pipeline.embed import FakeEmbedder
from pipeline.types import RowKind, TableRow
from tests.conftest import SHARED

DOCS = SHARED / "corpus" / "local_gov_docs_2025" / "docs"
TABLES = ["36-2025-NQ-HĐND__3066a06b520a2418.md",  # Huế: tuition by area and level
          "66-2025-NQ-HĐND__1852f73167ca9236.md",  # Hà Nội: visiting fees, a header over two rows
          "0204-KH-UBND__9b7eebadf7081069.md"]  # Cà Mau: a three-year plan, years as columns


@pytest.fixture(scope="module")
def tables_index(tmp_path_factory):
    from pipeline.store.ingest import ingest

    root = tmp_path_factory.mktemp("tables")
    ingest([DOCS / name for name in TABLES], FakeEmbedder(), root=root)
    return open_answerer(root, model=FakeEmbedder())


ROW = TableRow(RowKind.DATA, 0, ("6", "Kim ngạch xuất khẩu hàng hóa", "Triệu USD", "2.614", "2.800", "3.100"),
               ("STT", "Nội dung", "Đơn vị tính", "Năm 2025", "Năm 2026", "Năm 2027"), ("II. Chỉ tiêu kinh tế",))


def test_a_cell_reads_with_its_row_its_column_and_its_unit():
    cells = list(cell_answers((ROW,)))
    assert [c.value for c in cells] == ["2.614", "2.800", "3.100"]  # not the number, the label or the unit
    assert cells[-1].text == "II. Chỉ tiêu kinh tế › Kim ngạch xuất khẩu hàng hóa · Năm 2027: 3.100 (Triệu USD)"


def test_a_column_naming_the_year_asked_for_is_preferred_and_one_naming_another_year_is_not():
    c2026, c2027 = CellAnswer(ROW, 4), CellAnswer(ROW, 5)
    assert (c2027.year_fit(2027), c2026.year_fit(2027), c2027.year_fit(None)) == (1.0, -1.0, 0.0)
    assert CellAnswer(ROW, 3).year_fit(2027) == -1.0  # "Năm 2025"


@pytest.mark.parametrize(("question", "value", "labels"), [
    ("Mức học phí trung học phổ thông ở địa bàn đô thị thành phố Huế là bao nhiêu?", "130",
     ("Đô thị", "Trung học phổ thông")),
    ("hoc phi mam non o mien nui thanh pho Hue bao nhieu", "105", ("Miền núi", "Mầm non")),
    ("Phí tham quan Đền Quan Đế, số 28 Hàng Buồm: tỷ lệ nộp ngân sách nhà nước là bao nhiêu?", "10%",
     ("Đền Quan Đế", "Nộp ngân sách nhà nước")),
    ("Tổng sản phẩm GRDP theo giá hiện hành của tỉnh Cà Mau dự kiến năm 2028 đạt bao nhiêu tỷ đồng?", "247.907",
     ("GRDP", "Năm 2028", "Tỷ đồng")),
])
def test_a_question_aimed_at_a_table_gets_the_cell_at_its_row_and_column(tables_index, question, value, labels):
    ans = tables_index.ask(question)
    assert f": {value}" in ans.text, ans.text
    assert all(label in ans.text for label in labels), ans.text
    rank, span = ans.spans[0]
    cited = ans.passages[rank - 1]
    assert span in cited.text.split("\n")  # the row that prints the cell is what gets highlighted
    assert any(r.kind is RowKind.HEADER for r in cited.rows)  # and its passage reads it under its header


# a plan's task table (body responsible, partners, time) and a list of procedures by code: documents of the corpus
# that bench/qa_corpus.jsonl asks nothing of
MORE = ["310-KH-UBND__31786b0833a4130d.md", "3782-QĐ-UBND__e83d7b60c0b1d639.md"]


@pytest.fixture(scope="module")
def plans_index(tmp_path_factory):
    from pipeline.store.ingest import ingest

    root = tmp_path_factory.mktemp("plans")
    ingest([DOCS / name for name in MORE], FakeEmbedder(), root=root)
    return open_answerer(root, model=FakeEmbedder())


@pytest.mark.parametrize("question", [
    "Theo Kế hoạch 310/KH-UBND, nhiệm vụ khảo sát, đánh giá thực trạng hạ tầng viễn thông trong các khu công nghệ "
    "cao do cơ quan nào chủ trì và thực hiện vào thời gian nào?",
    "nhiem vu khao sat danh gia thuc trang ha tang vien thong khu cong nghe cao do co quan nao chu tri, thuc hien "
    "khi nao",
])
def test_a_question_asking_two_things_of_a_row_gets_both_cells_under_their_headers(plans_index, question):
    text = plans_index.ask(question).text
    assert text.startswith("Khảo sát, đánh giá thực trạng hạ tầng viễn thông"), text  # the row asked about
    assert "Cơ quan chủ trì: Ban Quản lý các khu công nghệ cao và khu công nghiệp" in text
    assert "Thời gian thực hiện: Quý IV/2025- Quý II/2026" in text
    assert "phối hợp" not in text  # the partners' column is not what was asked


@pytest.mark.parametrize("question", [
    "Thủ tục sửa đổi, bổ sung/cấp lại giấy chứng nhận lưu hành tự do (CFS) đối với hàng hóa xuất khẩu trong lĩnh "
    "vực báo chí có mã số nào?",
    "ma so thu tuc cap lai giay chung nhan luu hanh tu do CFS linh vuc bao chi xuat ban",
])
def test_a_question_asking_for_a_code_gets_the_code_cell_of_its_procedure(plans_index, question):
    assert "Mã số TTHC: 1.014465" in plans_index.ask(question).text


def test_cells_for_two_kinds_need_a_column_for_each():
    from pipeline.ask.cells import asked_cells
    from pipeline.ask.features import Kind

    row = TableRow(RowKind.DATA, 0, ("2", "Đề xuất giải pháp", "Sở Tài chính", "Sở Công Thương", "2026"),
                   ("STT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian"))
    both = asked_cells(row, frozenset({Kind.BODY, Kind.DATE}), frozenset({"chu", "tri", "nam", "nao"}))
    assert both is not None and both.text == "Đề xuất giải pháp · Chủ trì: Sở Tài chính; Thời gian: 2026"
    assert asked_cells(row, frozenset({Kind.BODY}), frozenset()) is None  # one kind: the cell answers it
    assert asked_cells(row, frozenset({Kind.BODY, Kind.RATE}), frozenset()) is None  # no column holds a rate


def test_a_procedures_code_is_a_value_of_its_row_not_its_label():
    row = TableRow(RowKind.DATA, 0, ("01", "1.014466.H12", "Công nhận kết quả thăm dò khoáng sản", "48 ngày"),
                   ("STT", "Mã số TTHC", "Tên TTHC", "Thời hạn giải quyết"))
    assert row.label == "Công nhận kết quả thăm dò khoáng sản"
    assert "Công nhận kết quả thăm dò khoáng sản · Mã số TTHC: 1.014466.H12" in [c.text for c in cell_answers((row,))]

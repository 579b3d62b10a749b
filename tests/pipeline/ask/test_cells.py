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

"""The .docx reader, on the seed report written by LibreOffice (tests/data/seed.docx, made by
bench/make_format_fixtures.py) and on small documents built from their XML."""

import pytest

from pipeline.readers import ReadError, read_document
from pipeline.text.chunk import chunk_document
from pipeline.types import RowKind
from tests.conftest import DATA, SEED
from tests.pipeline.readers.helpers import TO_TCVN3, TO_VNI, W_NS, body_chunks, docx_bytes, note_ref, para, run, table

SEED_DOCX = DATA / "seed.docx"


def test_seed_docx_gives_the_text_forms_chunks_breadcrumbs_and_ids():
    assert body_chunks(SEED_DOCX) == body_chunks(SEED)


def test_seed_docx_footnotes_are_the_text_forms_and_attached_where_cited():
    docx, text = read_document(SEED_DOCX), read_document(SEED)
    assert docx.footnotes == text.footnotes and len(docx.footnotes) == 20
    cites_1 = next(c for c in chunk_document(docx) if "9 chỉ tiêu vượt kế hoạch," in c.text)
    assert "[1] Gồm các chỉ tiêu: Tăng trưởng kinh tế, Thu ngân sách" in cites_1.full_text


def test_seed_docx_letterhead_table_gives_the_same_metadata():
    assert read_document(SEED_DOCX).meta == read_document(SEED).meta


NUMBERING = (
    '<w:abstractNum w:abstractNumId="0">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%3."/></w:lvl>'
    '<w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%4)"/></w:lvl>'
    '<w:lvl w:ilvl="4"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>'
    '</w:abstractNum><w:num w:numId="7"><w:abstractNumId w:val="0"/></w:num>'
)
STYLES = ('<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
          '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="7"/></w:numPr></w:pPr></w:style>')


def _plan() -> bytes:
    """A district plan: letterhead table, numbered headings (one through its Heading style), a footnote, a table
    of indicators, a page header."""
    body = "".join([
        table([["ỦY BAN NHÂN DÂN HUYỆN CẨM XUYÊN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
               ["Số: 624/KH-UBND", "Cẩm Xuyên, ngày 15 tháng 3 năm 2023"]]),
        para(run("KẾ HOẠCH")),
        para(run("Phát triển kinh tế - xã hội năm 2023")),
        para(run("KẾT QUẢ THỰC HIỆN NĂM 2022"), style="Heading1"),
        para(run("Lĩnh vực kinh tế"), num=(7, 1)),
        para(run("Nông nghiệp"), num=(7, 2)),
        para(run("Tổng sản lượng lương thực đạt 52.000 tấn, vượt kế hoạch"), note_ref(5),
             run(" đề ra cho cả năm 2022 nhờ thời tiết thuận lợi và chuyển đổi cơ cấu cây trồng hợp lý.")),
        para(run("Trồng trọt"), num=(7, 3)),
        para(run("Diện tích lúa gieo cấy 9.800 ha, năng suất bình quân 58 tạ/ha."), num=(7, 4)),
        para(run("Thu ngân sách"), num=(7, 2)),
        table([["Chỉ tiêu", "Đơn vị", "Kế hoạch 2022", "Thực hiện 2022"],
               ["Thu ngân sách", "tỷ đồng", "520", "547,3"],
               ["Thu nhập bình quân đầu người", "triệu đồng", "55", "56,2"]]),
        para(run("KẾ HOẠCH NĂM 2023"), style="Heading1"),
        para(run("Mục tiêu tổng quát"), num=(7, 1)),
        para(run("Tiếp tục đẩy mạnh chuyển đổi số và cải cách hành chính trong toàn huyện năm 2023.")),
    ])
    return docx_bytes(body, footnotes={5: "Theo báo cáo của Chi cục Thống kê huyện."}, numbering=NUMBERING,
                      styles=STYLES, header=para(run("Kế hoạch 624/KH-UBND")))


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "ke-hoach-624.docx"
    path.write_bytes(_plan())
    return read_document(path)


def test_list_numbering_and_heading_styles_feed_the_section_tree(plan):
    sections = {c.section for c in chunk_document(plan)}
    assert "I. KẾT QUẢ THỰC HIỆN NĂM 2022 › 1. Lĩnh vực kinh tế › 1.1. Nông nghiệp" in sections
    item = next(c for c in chunk_document(plan) if "9.800 ha" in c.text)  # a bullet: body text under "a)"
    assert item.section.endswith("1.1. Nông nghiệp › a) Trồng trọt") and item.text.startswith("- Diện tích")
    assert "I. KẾT QUẢ THỰC HIỆN NĂM 2022 › 1. Lĩnh vực kinh tế › 1.2. Thu ngân sách" in sections
    assert "II. KẾ HOẠCH NĂM 2023 › 1. Mục tiêu tổng quát" in sections  # the counters restart under a new I.


def test_footnote_body_is_attached_to_the_chunk_that_cites_it(plan):
    chunk = next(c for c in chunk_document(plan) if "52.000 tấn" in c.text)
    assert "vượt kế hoạch đề ra" in chunk.text
    assert chunk.footnotes == ((1, "Theo báo cáo của Chi cục Thống kê huyện."),)


def test_tables_stay_tables_their_rows_under_their_headers(plan):
    (table,) = plan.tables
    assert [r.kind for r in table] == [RowKind.HEADER, RowKind.DATA, RowKind.DATA]
    assert [r.cells for r in table[1:]] == [("Thu ngân sách", "tỷ đồng", "520", "547,3"),
                                           ("Thu nhập bình quân đầu người", "triệu đồng", "55", "56,2")]
    assert table[1].header == ("Chỉ tiêu", "Đơn vị", "Kế hoạch 2022", "Thực hiện 2022")
    assert table[1].column("547,3") == "Thực hiện 2022"
    assert table[1].caption == "1.2. Thu ngân sách"
    chunk = next(c for c in chunk_document(plan) if "547,3" in c.text)
    assert "Thu ngân sách tỷ đồng 520 547,3" in chunk.text.split("\n")
    assert chunk.rows[1:] == table[1:]  # the chunk carries the rows it prints
    assert chunk.section.endswith("1.2. Thu ngân sách")


def test_letterhead_table_gives_number_issuer_and_date(plan):
    assert plan.meta.number == "624/KH-UBND"
    assert plan.meta.issuer == "ỦY BAN NHÂN DÂN HUYỆN CẨM XUYÊN"
    assert plan.meta.date == "2023-03-15"
    assert plan.meta.title.startswith("KẾ HOẠCH Phát triển kinh tế")


def test_page_header_supplies_the_number_when_the_body_lacks_it(tmp_path):
    body = para(run("KẾ HOẠCH")) + para(run("Triển khai chuyển đổi số năm 2023 trên địa bàn huyện."))
    path = tmp_path / "kh.docx"
    path.write_bytes(docx_bytes(body, header=para(run("Số: 77/KH-UBND"))))
    doc = read_document(path)
    assert doc.meta.number == "77/KH-UBND"
    assert [p.text for p in doc.paragraphs] == ["KẾ HOẠCH", "Triển khai chuyển đổi số năm 2023 trên địa bàn huyện."]


def test_runs_in_legacy_fonts_are_converted_to_unicode(tmp_path):
    text = "tổng thu ngân sách trên địa bàn ước đạt 547,3 tỷ đồng"
    body = para(run("".join(TO_TCVN3.get(ch, ch) for ch in text), ".VnTime")) + \
        para(run("".join(TO_TCVN3.get(ch, ch) for ch in "báo cáo"), ".VnTimeH")) + \
        para(run("".join(TO_VNI.get(ch, ch) for ch in "Người dân được hưởng lợi trực tiếp."), "VNI-Times"))
    path = tmp_path / "cu.docx"
    path.write_bytes(docx_bytes(body))
    assert [p.text for p in read_document(path).paragraphs] == [
        text, "BÁO CÁO", "Người dân được hưởng lợi trực tiếp."]


@pytest.mark.parametrize(("data", "reason"), [
    (b"PK\x03\x04broken", "not a valid .docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old Word .doc"),
    (docx_bytes("<w:p>"), "not valid XML"),
])
def test_broken_docx_is_reported_with_what_to_do(tmp_path, data, reason):
    path = tmp_path / "hong.docx"
    path.write_bytes(data)
    with pytest.raises(ReadError, match=reason) as e:
        read_document(path)
    assert "hong.docx" in str(e.value)


def test_heading_styles_without_a_label_still_open_sections(tmp_path):
    styles = ('<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Muc"><w:name w:val="Mục nhỏ"/>'
              '<w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="MucCon"><w:name w:val="Mục con"/>'
              '<w:basedOn w:val="Muc"/></w:style>')
    body = "".join([
        para(run("Kết quả thực hiện"), style="Heading1"),
        para(run("Nông nghiệp"), style="Muc"),
        para(run("Tổng sản lượng lương thực đạt 52.000 tấn.")),
        para(run("Thủy sản"), style="MucCon"),  # inherits the outline level of the style it is based on
        para(run("Sản lượng khai thác đạt 9.100 tấn.")),
        para(run("Kế hoạch năm 2023"), style="Heading1"),
        para(run("Tiếp tục cơ cấu lại ngành nông nghiệp gắn với xây dựng nông thôn mới. " * 3), style="Muc"),
    ])
    path = tmp_path / "bc.docx"
    path.write_bytes(docx_bytes(body, styles=styles))
    got = [(c.chunk_id, c.section, c.text[:20]) for c in chunk_document(read_document(path))]
    assert got == [
        ("bc.docx#kết-quả-thực-hiện/nông-nghiệp:0", "Kết quả thực hiện › Nông nghiệp", "Tổng sản lượng lương"),
        ("bc.docx#kết-quả-thực-hiện/thủy-sản:0", "Kết quả thực hiện › Thủy sản", "Sản lượng khai thác "),
        # a long paragraph in a heading style is text, not a heading
        ("bc.docx#kế-hoạch-năm-2023:0", "Kế hoạch năm 2023", "Tiếp tục cơ cấu lại "),
    ]


def test_text_boxes_are_read_once_and_endnotes_like_footnotes(tmp_path):
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    box = (f'<w:r><mc:AlternateContent {mc}><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
           f'{para(run("Số: 15/BC-UBND"))}</w:txbxContent></w:drawing></mc:Choice>'
           f'<mc:Fallback><w:pict><w:txbxContent>{para(run("Số: 15/BC-UBND"))}</w:txbxContent></w:pict>'
           "</mc:Fallback></mc:AlternateContent></w:r>")
    body = para(run("ỦY BAN NHÂN DÂN XÃ THẠCH BÌNH"), box) + para(
        run("Tỷ lệ hộ nghèo giảm còn 2,1%"), '<w:r><w:endnoteReference w:id="3"/></w:r>', run(" theo chuẩn mới."))
    endnotes = f'<w:endnotes {W_NS}><w:endnote w:id="3">{para(run("Theo Quyết định 24/2021/QĐ-UBND."))}' \
        "</w:endnote></w:endnotes>"
    path = tmp_path / "bc-15.docx"
    path.write_bytes(docx_bytes(body, parts={"word/endnotes.xml": endnotes}))
    doc = read_document(path)
    assert doc.paragraphs[0].text == "ỦY BAN NHÂN DÂN XÃ THẠCH BÌNH Số: 15/BC-UBND"
    assert doc.meta.number == "15/BC-UBND"
    assert doc.footnotes == {1: "Theo Quyết định 24/2021/QĐ-UBND."}
    assert chunk_document(doc)[-1].full_text.endswith("theo chuẩn mới.\n[1] Theo Quyết định 24/2021/QĐ-UBND.")


def test_merged_cells_keep_rows_whole_and_columns_aligned(tmp_path):
    def cell(text, props=""):
        return f"<w:tc><w:tcPr>{props}</w:tcPr>{para(run(text))}</w:tc>"

    rows = [
        cell("Nhóm") + cell("Chỉ tiêu") + cell("Năm 2022"),
        cell("I. Chỉ tiêu kinh tế", '<w:gridSpan w:val="3"/>'),
        cell("Kinh tế", '<w:vMerge w:val="restart"/>') + cell("Thu ngân sách (tỷ đồng)") + cell("547,3"),
        cell("", "<w:vMerge/>") + cell("Tăng trưởng kinh tế (%)") + cell("11,67"),
    ]
    body = para(run("Biểu tổng hợp kết quả thực hiện các chỉ tiêu chủ yếu năm 2022 của thành phố.")) + \
        "<w:tbl>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"
    path = tmp_path / "bieu.docx"
    path.write_bytes(docx_bytes(body))
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs[1:]] == [
        "Nhóm | Chỉ tiêu | Năm 2022",
        "I. Chỉ tiêu kinh tế",
        "Kinh tế Thu ngân sách (tỷ đồng) 547,3",
        "Kinh tế Tăng trưởng kinh tế (%) 11,67",
    ]
    last = doc.tables[0][3]
    assert last.cells == ("Kinh tế", "Tăng trưởng kinh tế (%)", "11,67")  # the merged cell read in both rows
    assert (last.context, last.column("11,67")) == (("I. Chỉ tiêu kinh tế",), "Năm 2022")

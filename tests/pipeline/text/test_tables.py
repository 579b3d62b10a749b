"""Tables as data, from the markdown bar form the corpus documents are written in (snippets of real documents
of ../shared/corpus/local_gov_docs_2025)."""

from pipeline.text.chunk import MAX_CHARS, chunk_document
from pipeline.text.clean import clean
from pipeline.text.tables import Cell, is_layout, table_paragraphs
from pipeline.types import Document, RowKind


def bars(*rows: list[str]) -> str:
    """Rows of cells in the bar form: a bar before each cell, two between rows, one after the last."""
    lines = []
    for r in rows:
        lines.append("|")
        for c in r:
            lines.extend([c, "|"] if c else ["|"])  # an empty cell: two bars meet
    return "\n".join(lines)


TUITION = "1. Mức học phí\n\nĐơn vị tính: 1.000 đồng/trẻ,học sinh/tháng\n\n" + bars(
    ["**Địa bàn**", "**Mầm non**", "**Tiểu học**", "**Trung học cơ sở**", "**Trung học phổ thông**"],
    ["Đô thị", "190", "190", "110", "130"],
    ["Nông thôn", "140", "140", "95", "115"],
) + "\n\n2. Mức học phí là căn cứ để xác định mức hỗ trợ học phí."


def rows_of(text: str):
    paragraphs, _, _ = clean(text)
    return paragraphs, [p.row for p in paragraphs if p.row is not None]


def test_a_bar_table_becomes_rows_under_their_headers_with_caption_and_unit():
    paragraphs, rows = rows_of(TUITION)
    assert [r.kind for r in rows] == [RowKind.HEADER, RowKind.DATA, RowKind.DATA]
    rural = rows[2]
    assert rural.cells == ("Nông thôn", "140", "140", "95", "115")
    assert rural.label == "Nông thôn"
    assert rural.column("95") == "Trung học cơ sở"
    assert (rural.caption, rural.unit) == ("1. Mức học phí", "1.000 đồng/trẻ,học sinh/tháng")
    # the row prints its cells in order, the text around the table is untouched
    assert "Nông thôn 140 140 95 115" in [p.text for p in paragraphs]
    assert paragraphs[-1].text == "2. Mức học phí là căn cứ để xác định mức hỗ trợ học phí."


def test_a_header_over_two_rows_is_merged_and_the_group_starts_at_the_first_column_of_figures():
    # Cà Mau's three-year plan: "Năm hiện hành 2025" spans "Kế hoạch" and "Ước thực hiện"; a row numbers the columns
    text = "(Kèm theo Kế hoạch số 0204/KH-UBND)\n\n" + bars(
        ["**STT**", "**Nội dung**", "**Đơn vị tính**", "**Năm hiện hành 2025**", "**Năm 2026**", "**Năm 2027**"],
        ["**Kế hoạch**", "**Ước thực hiện**"],
        ["*1*", "*2*", "*3*", "*4*", "*5*", "*6*", "*7*"],
        ["5", "Vốn đầu tư phát triển toàn xã hội", "Tỷ đồng", "72.000", "72.000", "80.000", "90.000"],
        ["6", "Kim ngạch xuất khẩu hàng hóa", "Triệu USD", "2.614", "2.600", "2.800", "3.100"],
    )
    _, rows = rows_of(text)
    export = rows[-1]
    assert export.label == "Kim ngạch xuất khẩu hàng hóa"
    assert export.header[3:5] == ("Năm hiện hành 2025 › Kế hoạch", "Năm hiện hành 2025 › Ước thực hiện")
    assert export.column("3.100") == "Năm 2027"
    assert not any(r.cells[:2] == ("1", "2") for r in rows)  # the numbering row is not data



def test_spans_of_unequal_width_are_told_apart_by_the_years_their_cells_name():
    # Cà Mau's budget plan: "Năm 2025" spans two columns, "Dự kiến 03 năm kế hoạch" three, one row under both
    text = "(Kèm theo Kế hoạch số 0204/KH-UBND)\n\n*Đơn vị: Triệu đồng.*\n\n" + bars(
        ["**STT**", "**Nội dung**", "**Năm 2025**", "**Dự kiến 03 năm kế hoạch**"],
        ["**Dự toán HĐND tỉnh quyết định**", "**Đánh giá thực hiện**", "**Năm 2026**", "**Năm 2027**", "**Năm 2028**"],
        ["*A*", "*B*", "*2*", "*3*", "*4*", "*5*", "*6*"],
        ["**A**", "**TỔNG CHI NSĐP**", "**26.811.096**", "**27.535.000**", "**26.278.107**", "**29.284.105**",
         "**30.928.602**"],
        ["**I**", "**CHI CÂN ĐỐI NSĐP**", "**21.049.188**", "**21.773.092**", "**22.228.100**", "**24.951.112**",
         "**26.145.609**"],
    )
    _, rows = rows_of(text)
    total = next(r for r in rows if r.label == "TỔNG CHI NSĐP")
    assert total.column("27.535.000") == "Năm 2025 › Đánh giá thực hiện"
    assert total.column("29.284.105") == "Dự kiến 03 năm kế hoạch › Năm 2027"


def test_meeting_bars_inside_a_full_width_row_are_an_empty_cell():
    text = bars(
        ["**TT**", "**Chỉ tiêu**", "**ĐVT**", "**2025**", "**2026**"],
        ["1", "Tỷ lệ hộ nghèo", "%", "3,2", "2,5"],
        ["", "Tỷ lệ so với GRDP", "%", "", "41"],
        ["2", "Thu ngân sách", "Tỷ đồng", "900", "1.000"],
    )
    _, rows = rows_of(text)
    assert [r.cells for r in rows[1:]] == [("1", "Tỷ lệ hộ nghèo", "%", "3,2", "2,5"),
                                           ("", "Tỷ lệ so với GRDP", "%", "", "41"),
                                           ("2", "Thu ngân sách", "Tỷ đồng", "900", "1.000")]
    assert rows[2].column("41") == "2026"


def test_an_empty_cell_read_before_a_rows_running_number_does_not_push_its_cells_out_of_their_columns():
    # a list of procedures (QĐ 3782/QĐ-UBND Nghệ An): after the bold group row three bars meet
    text = bars(["**TT**", "**Mã số TTHC**", "**Tên thủ tục hành chính**", "**Cách thức, địa điểm thực hiện**"],
                ["**I**", "**THỦ TỤC HÀNH CHÍNH CẤP TỈNH**"],
                ["", "1", "1.014464", "Thủ tục cấp giấy chứng nhận lưu hành tự do (CFS)", "Nộp hồ sơ trực tuyến"],
                ["2", "1.014465", "Thủ tục cấp lại giấy chứng nhận lưu hành tự do (CFS)", "Nộp hồ sơ trực tiếp"])
    _, rows = rows_of(text)
    first = next(r for r in rows if r.kind is RowKind.DATA)
    assert first.cells == ("1", "1.014464", "Thủ tục cấp giấy chứng nhận lưu hành tự do (CFS)", "Nộp hồ sơ trực tuyến")
    assert first.column("1.014464") == "Mã số TTHC"


def test_a_bold_group_row_keeps_its_own_empty_cells_and_the_row_below_starts_at_the_first_column():
    # an export plan (QĐ 2954/QĐ-UBND Sơn La): "1 Cà Phê" over the whole width, then its area and output rows
    text = bars(["**TT**", "**Chỉ tiêu**", "**ĐVT**", "**Năm 2026**", "**Năm 2030**"],
                ["**1**", "**Cà Phê**", "", "", ""],
                ["-", "Diện tích", "Ha", "27.000", "30.000"],
                ["-", "Sản lượng cà phê nhân", "Tấn", "39.800", "54.468"])
    _, rows = rows_of(text)
    assert [r.kind for r in rows] == [RowKind.HEADER, RowKind.GROUP, RowKind.DATA, RowKind.DATA]
    area = rows[2]
    assert area.cells == ("-", "Diện tích", "Ha", "27.000", "30.000") and area.context == ("1 Cà Phê",)
    assert area.column("30.000") == "Năm 2030"


def test_a_group_label_row_is_carried_into_the_rows_below_it():
    text = bars(["**STT**", "**Địa bàn/tên xã, phường**"], ["**I**", "**Đô thị (21 phường)**"],
                ["1", "Phường Phong Điền"], ["2", "Phường Phong Thái"], ["**II**", "**Nông thôn**"], ["3", "Xã Phú Hồ"])
    _, rows = rows_of(text)
    assert [r.kind for r in rows] == [RowKind.HEADER, RowKind.GROUP, RowKind.DATA, RowKind.DATA, RowKind.GROUP,
                                      RowKind.DATA]
    assert rows[3].context == ("I Đô thị (21 phường)",)
    assert rows[5].context == ("II Nông thôn",) and rows[5].label == "Xã Phú Hồ"


def test_letterhead_and_signature_tables_stay_plain_paragraphs():
    letterhead = bars(["**ỦY BAN NHÂN DÂN**\n**TỈNH ĐẮK LẮK**", "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**"],
                      ["Số: 0124/KH-UBND", "*Đắk Lắk, ngày 18 tháng 11 năm 2025*"])
    signature = bars(["Nơi nhận:\n- Như Điều 3;\n- Lưu: VT.", "**KT. CHỦ TỊCH**\nPHÓ CHỦ TỊCH\n**Đào Mỹ**"])
    paragraphs, rows = rows_of(letterhead + "\n\nKẾ HOẠCH\n\nPhát động thi đua.\n\n" + signature)
    assert rows == []
    texts = [p.text for p in paragraphs]
    assert "Số: 0124/KH-UBND" in texts and "Nơi nhận:" in texts and "- Lưu: VT." in texts  # as written
    assert is_layout([[Cell(("a",)), Cell(("b",))]], before=10)  # two cells, one row: layout


def test_a_table_row_is_never_a_heading_and_every_chunk_of_a_long_table_opens_with_its_header():
    rows = [["**STT**", "**Nội dung**", "**Mức thu phí (đồng)**"]]
    rows += [[str(i), f"II. DI TÍCH SỐ {i} PHỐ HÀNG BẠC VÀ CÁC PHỐ LÂN CẬN TRONG KHU PHỐ CỔ", f"{i}0.000"]
             for i in range(1, 40)]
    paragraphs, _, _ = clean("Điều 2. Mức thu phí\n\n" + bars(*rows))
    doc = Document("phi.md", "phi.md", "0" * 64, tuple(paragraphs))
    chunks = chunk_document(doc)
    assert len(chunks) > 2
    assert all(c.section == "Điều 2 Mức thu phí" for c in chunks)  # no row became a heading
    for c in chunks:
        assert c.text.split("\n")[0] == "STT | Nội dung | Mức thu phí (đồng)"
        assert c.rows[0].kind is RowKind.HEADER and len(c.text) <= MAX_CHARS + 100
    assert sum(len(c.rows) - 1 for c in chunks) == 39  # every data row in exactly one chunk


def test_table_paragraphs_without_bold_take_a_first_row_without_figures_as_the_header():
    cells = [[Cell(("Chỉ tiêu",)), Cell(("Thực hiện 2022",))], [Cell(("Thu ngân sách",)), Cell(("547,3",))],
             [Cell(("Chi ngân sách",)), Cell(("610",))]]
    out = table_paragraphs(cells, 0)
    assert [p.row.kind for p in out] == [RowKind.HEADER, RowKind.DATA, RowKind.DATA]
    numbers_first = [[Cell(("2020",)), Cell(("2021",))], [Cell(("1",)), Cell(("2",))], [Cell(("3",)), Cell(("4",))]]
    assert table_paragraphs(numbers_first, 0)[0].row.kind is RowKind.DATA


def test_a_chunk_opening_inside_a_group_carries_its_group_label_under_the_header():
    rows = [["**STT**", "**Chỉ tiêu**", "**ĐVT**", "**Năm 2030**"], ["**1**", "**Cà phê**"]]
    rows += [["-", f"Diện tích vùng nguyên liệu số {i} theo kế hoạch phát triển của tỉnh đến năm 2030", "Ha",
              f"{i}.000"] for i in range(1, 30)]
    paragraphs, _, _ = clean("Điều 1. Vùng nguyên liệu\n\n" + bars(*rows))
    chunks = chunk_document(Document("kh.md", "kh.md", "0" * 64, tuple(paragraphs)))
    assert len(chunks) > 2
    for c in chunks[1:]:
        assert c.text.split("\n")[:2] == ["STT | Chỉ tiêu | ĐVT | Năm 2030", "1 Cà phê"]
        assert [r.kind for r in c.rows[:2]] == [RowKind.HEADER, RowKind.GROUP]

"""HTML pages saved from a government portal: the report's text, not the portal around it."""

from xml.sax.saxutils import escape

import pytest

from pipeline.readers import read_document
from pipeline.text.clean import FOOTMARK_RE
from tests.conftest import SEED
from tests.pipeline.readers.helpers import as_cp1258, body_chunks

PORTAL_TOP = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Báo cáo KT-XH 2022</title>
<script>var menu = "Trang chủ | Tin tức"; function go() { return "Thông báo"; }</script>
<style>.menu { color: red }</style></head><body>
<div class="banner">CỔNG THÔNG TIN ĐIỆN TỬ THÀNH PHỐ HÀ TĨNH</div>
<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li>
<li><a href="/tin-tuc">Tin tức - Sự kiện</a></li><li><a href="/van-ban">Văn bản chỉ đạo điều hành</a></li></ul></nav>
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/van-ban">Văn bản</a></div>
<div class="container"><div class="row">
<div class="col-left" id="sidebar"><h3>Văn bản mới</h3><ul>
<li><a href="/vb/1">Quyết định 97/QĐ-UBND về việc phê duyệt kế hoạch sử dụng đất năm 2025 của thành phố</a></li>
<li><a href="/vb/2">Kế hoạch 624/KH-UBND triển khai chuyển đổi số năm 2023 trên địa bàn thành phố Hà Tĩnh</a></li>
</ul></div>
<div class="col-main"><div class="noidung">
"""
PORTAL_BOTTOM = """</div>
<div class="share-tools"><a href="#">Chia sẻ Facebook</a> <a href="#">In trang</a></div></div></div></div>
<footer><p>Bản quyền thuộc Ủy ban nhân dân thành phố Hà Tĩnh. Địa chỉ: 74 Phan Đình Phùng.</p></footer>
</body></html>"""


def _portal_page() -> str:
    """The seed as a portal publishes a Word report: one <p> a paragraph, footnotes as Word saves them."""
    doc = read_document(SEED)

    def inline(text: str) -> str:
        out, pos = [], 0
        for m in FOOTMARK_RE.finditer(text):
            n = m.group(1)
            out += [escape(text[pos : m.start()]), f'<a href="#_ftn{n}" name="_ftnref{n}"><sup>[{n}]</sup></a>']
            pos = m.end()
        return "".join(out) + escape(text[pos:])

    body = "\n".join(f"<p>{inline(p.text)}</p>" for p in doc.paragraphs)
    notes = "".join(f'<div id="ftn{n}"><p><a href="#_ftnref{n}" name="_ftn{n}">[{n}]</a> {escape(t)}</p></div>'
                    for n, t in doc.footnotes.items())
    return PORTAL_TOP + body + '<div style="mso-element:footnote-list"><hr>' + notes + "</div>" + PORTAL_BOTTOM


def test_portal_page_reads_as_the_report_alone(tmp_path):
    path = tmp_path / "bao-cao-ktxh-2022.html"
    path.write_text(_portal_page(), encoding="utf-8")
    html, text = read_document(path), read_document(SEED)
    assert [p.text for p in html.paragraphs] == [p.text for p in text.paragraphs]
    assert html.footnotes == text.footnotes
    assert html.meta == text.meta
    assert body_chunks(path) == body_chunks(SEED)


def test_menus_sidebars_scripts_and_footers_are_dropped(tmp_path):
    path = tmp_path / "trang.htm"
    path.write_text(_portal_page(), encoding="utf-8")
    text = " ".join(p.text for p in read_document(path).paragraphs)
    assert "Tăng trưởng kinh tế ước đạt 11,67%" in text  # the report itself is kept
    for noise in ("CỔNG THÔNG TIN", "Trang chủ", "Giới thiệu", "Văn bản mới", "Quyết định 97/QĐ-UBND về việc",
                  "Chia sẻ", "Bản quyền", "function", "color"):
        assert noise not in text


@pytest.mark.parametrize(("declared", "encode"), [("windows-1258", as_cp1258), ("windows-1258", str.encode),
                                                   ("utf-8", str.encode)])
def test_page_is_decoded_by_its_bytes_and_declared_charset(tmp_path, declared, encode):
    page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}"></head><body>'
            "<div><p>Tổng thu ngân sách năm 2022 ước đạt 1.172,5 tỷ đồng.</p></div></body></html>")
    path = tmp_path / "cu.html"
    path.write_bytes(encode(page))
    assert read_document(path).paragraphs[0].text == "Tổng thu ngân sách năm 2022 ước đạt 1.172,5 tỷ đồng."


def test_tables_read_like_the_docx_reader_reads_them(tmp_path):
    page = """<html><body><div class="content">
    <table><tr><td><p>ỦY BAN NHÂN DÂN</p><p>HUYỆN CẨM XUYÊN</p><p>Số: 624/KH-UBND</p></td>
    <td><p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p><p>Cẩm Xuyên, ngày 15 tháng 3 năm 2023</p></td></tr></table>
    <p>KẾ HOẠCH</p><p>Phát triển kinh tế - xã hội năm 2023</p>
    <p>1. Thu ngân sách</p>
    <table><thead><tr><th>Chỉ tiêu</th><th>Đơn vị</th><th>Thực hiện 2022</th></tr></thead>
    <tbody><tr><td>Thu ngân sách</td><td>tỷ đồng</td><td>547,3</td></tr></tbody></table>
    </div></body></html>"""
    path = tmp_path / "kh.html"
    path.write_text(page, encoding="utf-8")
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs[:5]] == ["ỦY BAN NHÂN DÂN", "HUYỆN CẨM XUYÊN", "Số: 624/KH-UBND",
                                                    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                                    "Cẩm Xuyên, ngày 15 tháng 3 năm 2023"]
    assert (doc.meta.number, doc.meta.date) == ("624/KH-UBND", "2023-03-15")
    (table,) = doc.tables
    assert [r.cells for r in table] == [("Chỉ tiêu", "Đơn vị", "Thực hiện 2022"), ("Thu ngân sách", "tỷ đồng", "547,3")]
    assert (table[1].column("547,3"), table[1].caption) == ("Thực hiện 2022", "1. Thu ngân sách")
    assert doc.paragraphs[-1].text == "Thu ngân sách tỷ đồng 547,3"

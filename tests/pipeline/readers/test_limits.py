"""Reader limits that do not depend on the file being well formed (pipeline/readers/safety.py): a few bytes that
ask for a huge span, list number, nesting or repetition end in a clear ReadError (or a correct read), in seconds
and megabytes. Every file is made here; each hostile read runs in a child process whose peak memory is measured.
The time and memory bounds are generous: they guard against a hang or a blow-up, they are not speed claims."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.readers import ReadError, read_document, safety
from pipeline.readers.docx import _roman
from tests.conftest import ROOT
from tests.pipeline.readers.helpers import docx_bytes, para, run

HANG = 120.0  # seconds: a guard against a hang on a loaded machine, not a speed claim
PEAK_MB = 600  # the interpreter with the readers is ~60 MB; the files below asked for gigabytes

CHILD = """
import json, resource, sys, time
from pathlib import Path
from pipeline.readers import ReadError, read_document
t0 = time.perf_counter()
try:
    doc = read_document(Path(sys.argv[1]))
    out = {"ok": " ".join(p.text for p in doc.paragraphs)[:2000]}
except ReadError as e:
    out = {"error": str(e)}
out["seconds"] = time.perf_counter() - t0
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def read_in_child(path: Path) -> dict:
    """Read `path` in a fresh interpreter: {"ok": text} or {"error": message}, and its peak memory in MB (the
    child's own peak: RUSAGE_CHILDREN in this process would mix in every earlier child)."""
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=HANG,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["peak_mb"] < PEAK_MB, out
    return out


def numbering(start: str, fmt: str = "upperRoman", ilvl: str = "0") -> str:
    return (f'<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/>'
            f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
            '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>')


BODY = para(run("Báo cáo tình hình kinh tế - xã hội năm 2022 của thành phố Hà Tĩnh."))


def cell(text: str, props: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{para(run(text))}</w:tc>"


def test_a_cell_spanning_a_hundred_million_columns_is_refused_in_bounded_memory(tmp_path):
    f = tmp_path / "span.docx"
    f.write_bytes(docx_bytes(BODY + "<w:tbl><w:tr>" + cell("Chỉ tiêu", '<w:gridSpan w:val="100000000"/>')
                             + cell("Năm 2022") + "</w:tr></w:tbl>"))
    assert f.stat().st_size < 2000
    out = read_in_child(f)
    assert "columns spanned by one table cell: 100,000,000" in out["error"]


def test_a_row_of_too_many_cells_is_refused(tmp_path):
    f = tmp_path / "cells.docx"
    f.write_bytes(docx_bytes(BODY + "<w:tbl><w:tr>" + cell("x", '<w:gridSpan w:val="900"/>') * 3
                             + "</w:tr></w:tbl>"))
    assert "cells in one table row" in read_in_child(f)["error"]


def test_a_merged_cell_repeated_down_many_rows_is_refused_past_the_character_limit(tmp_path):
    big = "Thu ngân sách nhà nước trên địa bàn đạt kết quả tốt. " * 4000  # 200 KB of text in one cell
    rows = "<w:tr>" + cell(big) + "</w:tr>" + ("<w:tr>" + cell("", '<w:gridSpan w:val="900"/><w:vMerge/>')
                                                 + "</w:tr>") * 300
    f = tmp_path / "merge.docx"
    f.write_bytes(docx_bytes(BODY + f"<w:tbl>{rows}</w:tbl>"))
    assert "characters of table text" in read_in_child(f)["error"]


def test_list_numbering_from_a_trillion_in_roman_is_refused_not_hung(tmp_path):
    f = tmp_path / "roman.docx"
    f.write_bytes(docx_bytes(para(run("Mục tiêu tổng quát của kế hoạch năm 2022"), num=(1, 0)) + BODY,
                             numbering=numbering("999999999999")))
    out = read_in_child(f)
    assert "the start number of a list: 999,999,999,999" in out["error"]


def test_a_large_roman_number_under_the_limit_is_read_in_linear_time(tmp_path):
    f = tmp_path / "roman.docx"
    f.write_bytes(docx_bytes(para(run("Mục tiêu tổng quát của kế hoạch năm 2022"), num=(1, 0)) + BODY,
                             numbering=numbering("99999")))
    assert read_in_child(f)["ok"].startswith("M" * 99 + "CMXCIX.")
    assert _roman(3_000_000).count("M") == 3000


@pytest.mark.parametrize("ilvl", ["20", "-1", "abc", "9" * 40])
def test_an_out_of_range_or_silly_list_level_reads_or_is_refused_cleanly(tmp_path, ilvl):
    f = tmp_path / "level.docx"
    f.write_bytes(docx_bytes(para(run("Mục tiêu tổng quát"), num=(1, 0))
                             .replace('w:ilvl w:val="0"', f'w:ilvl w:val="{ilvl}"') + BODY,
                             numbering=numbering("1", "decimal", ilvl)))
    try:
        doc = read_document(f)
    except ReadError as e:
        assert "a list level" in str(e)
    else:
        assert "Mục tiêu tổng quát" in doc.paragraphs[0].text


def test_tables_nested_a_thousand_deep_are_refused_without_recursion_error(tmp_path):
    inner = para(run("Ô trong cùng"))
    for _ in range(1000):
        inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl>"
    f = tmp_path / "nested.docx"
    f.write_bytes(docx_bytes(BODY + inner))
    assert "levels of elements nested in word/document.xml" in read_in_child(f)["error"]


def test_tables_nested_a_few_deep_are_read(tmp_path):
    inner = para(run("Ô trong cùng của bảng"))
    for _ in range(5):
        inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc><w:tc>{para(run('bên cạnh'))}</w:tc></w:tr></w:tbl>"
    f = tmp_path / "nested.docx"
    f.write_bytes(docx_bytes(BODY + inner))
    assert "Ô trong cùng của bảng" in " ".join(p.text for p in read_document(f).paragraphs)


def test_html_nested_ten_thousand_deep_is_refused_without_recursion_error(tmp_path):
    f = tmp_path / "deep.html"
    f.write_text("<html><body>" + "<div>" * 10000 + "Báo cáo tình hình kinh tế" + "</div>" * 10000
                 + "</body></html>", encoding="utf-8")
    assert "levels of HTML elements nested" in read_in_child(f)["error"]


def test_html_with_thousands_of_unclosed_paragraphs_is_read(tmp_path):
    f = tmp_path / "sloppy.html"
    f.write_text("<html><body>" + "".join(f"<p>Đoạn văn số {i} của báo cáo năm 2022." for i in range(3000))
                 + "</body></html>", encoding="utf-8")
    out = read_in_child(f)
    assert "Đoạn văn số 2999" in read_document(f).paragraphs[-1].text and "ok" in out


@pytest.mark.parametrize("unit", ["[1:", "[", "[a](", "](", "[footnoteRef:1"])
def test_repeated_footnote_and_link_openings_are_cleaned_in_linear_time(tmp_path, unit):
    f = tmp_path / "notes.txt"
    f.write_text("Báo cáo tình hình kinh tế năm 2022.\n\n" + unit * (90_000 // len(unit)) + "\n", encoding="utf-8")
    out = read_in_child(f)
    assert out["seconds"] < HANG / 6, out  # 90 KB of "[1:" took 11 s (the footnote scan, the link pattern)


def test_a_pdf_over_the_page_limit_is_refused(tmp_path, monkeypatch):
    from bench.fuzz_readers import make_pdf

    f = tmp_path / "pages.pdf"
    f.write_bytes(make_pdf("Báo cáo tình hình kinh tế - xã hội năm 2022 của thành phố Hà Tĩnh."))
    monkeypatch.setattr(safety, "limits", lambda: safety.Limits(max_pages=0))
    with pytest.raises(ReadError, match="pages in the PDF: 1, over the limit of 0"):
        read_document(f)


def test_a_text_over_the_character_limit_is_refused(tmp_path, monkeypatch):
    f = tmp_path / "long.txt"
    f.write_text("Báo cáo tình hình kinh tế năm 2022.\n" * 100, encoding="utf-8")
    monkeypatch.setattr(safety, "limits", lambda: safety.Limits(max_chars=1000))
    with pytest.raises(ReadError, match="characters of text"):
        read_document(f)


def test_numbers_with_a_million_digits_are_refused_without_converting_them():
    with pytest.raises(ValueError, match="a number of 1,000,000 digits"):
        safety.bounded_int("9" * 1_000_000, 1, 1000, "columns")
    assert safety.bounded_int("abc", 7, 1000, "columns") == 7


def test_a_file_mixing_utf8_and_cp1258_lines_is_decoded_line_by_line(tmp_path):
    from tests.pipeline.readers.helpers import as_cp1258

    lines = ["Báo cáo tình hình kinh tế - xã hội năm 2022 của thành phố Hà Tĩnh.",
             "Tổng thu ngân sách nhà nước trên địa bàn ước đạt 1.172,5 tỷ đồng.",
             "Công tác quản lý đất đai, tài nguyên và môi trường được tăng cường.",
             "Các chính sách an sinh xã hội được thực hiện đầy đủ, kịp thời."]
    f = tmp_path / "tron.txt"
    f.write_bytes(b"\n\n".join(line.encode() if i % 2 == 0 else as_cp1258(line) for i, line in enumerate(lines)))
    assert [p.text for p in read_document(f).paragraphs] == lines


def test_nul_bytes_anywhere_in_a_text_file_are_removed(tmp_path):
    body = "Báo cáo tình hình kinh tế - xã hội năm 2022 của thành phố Hà Tĩnh.\n\n" * 200  # past the first 8 KB
    f = tmp_path / "nul.txt"
    f.write_bytes(body.encode() + "Tổng thu ngân\x00 sách đạt 1.172,5 tỷ\x00\x00 đồng.\n".encode())
    text = " ".join(p.text for p in read_document(f).paragraphs)
    assert "\x00" not in text and "Tổng thu ngân sách đạt 1.172,5 tỷ đồng." in text

"""The PDF reader on the seed report printed to PDF by LibreOffice (tests/data/seed.pdf: 22 pages, footnotes at
the page bottoms, the page number in the header, a running footer), and on a scanned copy of one page."""

import io
import shutil

import pytest

from pipeline.readers import ReadError, read_document
from pipeline.readers.pdf import _assemble, _join, _Line
from pipeline.text.chunk import chunk_document
from pipeline.text.clean import strip_marks
from pipeline.text.sections import build_sections
from pipeline.types import ReadOptions
from tests.conftest import DATA, SEED
from tests.pipeline.readers.helpers import body_chunks

SEED_PDF = DATA / "seed.pdf"


@pytest.fixture(scope="module")
def pdf_doc():
    return read_document(SEED_PDF)


def test_seed_pdf_gives_the_text_forms_breadcrumbs_ids_and_chunks(pdf_doc):
    pdf, text = body_chunks(SEED_PDF), body_chunks(SEED)
    assert [c[:2] for c in pdf] == [c[:2] for c in text]  # every section, in order, with the same ids
    differ = [p[0] for p, t in zip(pdf, text, strict=True) if p != t]
    # one paragraph of the text form is cut after "ngày" (a stray line break in the source); the PDF, like a
    # reader, sees one paragraph: same words, one line break fewer
    assert differ == ["P1/I/1/1.6:0"]
    p, t = next((p, t) for p, t in zip(pdf, text, strict=True) if p[0] == differ[0])
    assert p[2].split() == t[2].split()


def test_seed_pdf_footnotes_from_the_page_bottoms_are_the_text_forms(pdf_doc):
    text = read_document(SEED)
    assert pdf_doc.footnotes == text.footnotes and len(pdf_doc.footnotes) == 20
    # note 7 runs over from page 2 to page 3, under a page header and above a running footer
    assert "Hiện nay UBND thành phố đã tổ chức lựa chọn nhà thầu tư vấn" in pdf_doc.footnotes[7]
    chunk = next(c for c in chunk_document(pdf_doc) if "9 chỉ tiêu vượt kế hoạch," in c.text)
    assert "[1] Gồm các chỉ tiêu: Tăng trưởng kinh tế, Thu ngân sách" in chunk.full_text


def test_running_headers_footers_and_page_numbers_are_removed(pdf_doc):
    texts = [strip_marks(p.text) for p in pdf_doc.paragraphs]
    assert not any("Báo cáo tình hình kinh tế - xã hội năm 2022 – TP. Hà Tĩnh" in t for t in texts)
    assert not any(t.isdigit() for t in texts)


def test_pages_are_kept_for_citations(pdf_doc):
    chunks = chunk_document(pdf_doc)
    pages = [c.page for c in chunks]
    assert all(isinstance(p, int) for p in pages) and pages == sorted(pages)
    assert pages[0] == 1 and pages[-1] == 22
    growth = next(c for c in chunks if "Tăng trưởng kinh tế ước đạt 11,67%" in c.text)
    assert growth.page == 1
    import pdfplumber

    with pdfplumber.open(SEED_PDF) as pdf:
        page_text = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
    starts = {" ".join(strip_marks(p.text).split()[:6]) for s in build_sections(pdf_doc.paragraphs)
              for p in s.paragraphs}
    for c in chunks:  # a chunk opening with a paragraph is cited with the page that paragraph starts on …
        words = strip_marks(c.text).split()
        first = " ".join(words[:3])
        if " ".join(words[:6]) in starts:
            assert first in page_text[c.page - 1], (c.chunk_id, c.page, first)
        else:  # … one opening mid-paragraph with the paragraph's page, its first words maybe past a page break
            assert first in page_text[c.page - 1] or first in page_text[c.page], (c.chunk_id, c.page, first)


def test_seed_pdf_metadata_is_the_text_forms(pdf_doc):
    assert pdf_doc.meta == read_document(SEED).meta


def _line(text, top, size=13.0, x0=85.0, x1=538.0, page=1):
    return _Line(page, x0, x1, top, top + size, size, text, [], 30.0)


def test_footnote_numbers_glued_to_words_refer_to_the_notes_at_the_page_bottom():
    page = [
        _line("(9 chỉ tiêu vượt kế hoạch1, 13 chỉ tiêu đạt2), diện tích sàn 1.200 m2 đã hoàn", 100),
        _line("thành và đưa vào sử dụng.", 115, x1=250),
        _line("1Gồm các chỉ tiêu: Tăng trưởng kinh tế, Thu ngân sách.", 700, size=10.0),
        _line("2Tỷ lệ người dân tham gia BHYT.", 712, size=10.0),
    ]
    doc = _assemble([page], 13.0, b"x", "a.pdf", "a.pdf")
    [para] = doc.paragraphs
    assert strip_marks(para.text) == ("(9 chỉ tiêu vượt kế hoạch, 13 chỉ tiêu đạt), diện tích sàn 1.200 m2 đã hoàn "
                                      "thành và đưa vào sử dụng.")
    assert doc.footnotes == {1: "Gồm các chỉ tiêu: Tăng trưởng kinh tế, Thu ngân sách.",
                             2: "Tỷ lệ người dân tham gia BHYT."}
    assert para.page == 1


def test_line_joins_reglue_codes_and_keep_spaced_dashes():
    assert _join("Nghị quyết 27/NQ-", "HĐND ngày 28/12/2021") == "Nghị quyết 27/NQ-HĐND ngày 28/12/2021"
    assert _join("phát triển kinh tế -", "xã hội") == "phát triển kinh tế - xã hội"
    assert _join("chuyển\u00ad", "đổi") == "chuyểnđổi"
    assert _join("ước đạt", "11,67%") == "ước đạt 11,67%"


def _scan(page_index: int, resolution: int) -> bytes:
    """One page of the seed PDF as an image-only PDF page, as a scanner would make it."""
    import pdfplumber

    with pdfplumber.open(SEED_PDF) as pdf:
        image = pdf.pages[page_index].to_image(resolution=resolution).original.convert("L")
    buf = io.BytesIO()
    image.save(buf, format="PDF", resolution=resolution)
    return buf.getvalue()


def _scanned(tmp_path, resolution=72):
    path = tmp_path / "ban-scan.pdf"
    path.write_bytes(_scan(0, resolution))
    return path


def _mixed(tmp_path, resolution=72):
    """Pages 1, 2 and 4 of the seed with their text layer, page 3 scanned."""
    from pypdf import PdfReader, PdfWriter

    seed, scan = PdfReader(SEED_PDF), PdfReader(io.BytesIO(_scan(2, resolution)))
    out = PdfWriter()
    for page in (seed.pages[0], seed.pages[1], scan.pages[0], seed.pages[3]):
        out.add_page(page)
    path = tmp_path / "mot-trang-scan.pdf"
    with path.open("wb") as f:
        out.write(f)
    return path


def test_scanned_pdf_without_text_layer_is_reported_with_the_ocr_flag(tmp_path):
    with pytest.raises(ReadError, match=r"ban-scan.pdf: scanned PDF: 1 of 1 pages have no text layer .*--ocr"):
        read_document(_scanned(tmp_path))


def test_a_scanned_page_among_text_pages_is_named_not_skipped(tmp_path):
    with pytest.raises(ReadError, match=r"page\(s\) 3 of 4 are scanned images without a text layer .*--ocr"):
        read_document(_mixed(tmp_path))


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr and tesseract-ocr-vie")
def test_ocr_reads_a_scanned_page_in_vietnamese_in_its_place(tmp_path):
    doc = read_document(_mixed(tmp_path, resolution=150), options=ReadOptions(ocr=True))
    pages = [p.page for p in doc.paragraphs]
    assert pages == sorted(pages) and set(pages) == {1, 2, 3, 4}
    ocr = " ".join(p.text for p in doc.paragraphs if p.page == 3)
    text = " ".join(strip_marks(p.text) for p in read_document(SEED_PDF).paragraphs if p.page == 3)
    words = [w for w in text.split() if len(w) > 3]
    assert len(words) > 50  # the page has text to compare with
    assert sum(w in ocr for w in words) >= 0.9 * len(words)  # Vietnamese read with its diacritics
    assert "Tăng trưởng kinh tế ước đạt 11,67%" in " ".join(p.text for p in doc.paragraphs if p.page == 1)


@pytest.mark.parametrize(("data", "reason"), [
    (b"%PDF-1.4\n%broken", "not a readable PDF|no pages"),
    (b"hello, not a pdf at all", "not a readable PDF"),
])
def test_broken_pdf_is_reported(tmp_path, data, reason):
    path = tmp_path / "hong.pdf"
    path.write_bytes(data)
    with pytest.raises(ReadError, match=reason):
        read_document(path)


def test_a_note_no_mark_cites_is_kept_as_text_of_its_page():
    page = [
        _line("Tổng thu ngân sách trên địa bàn ước đạt 1.172,5 tỷ đồng, đạt 101% kế hoạch.", 100, x1=500),
        _line("1Số liệu ước đến ngày 31/12/2022.", 700, size=10.0),
    ]
    doc = _assemble([page], 13.0, b"x", "a.pdf", "a.pdf")
    assert [p.text for p in doc.paragraphs] == [
        "Tổng thu ngân sách trên địa bàn ước đạt 1.172,5 tỷ đồng, đạt 101% kế hoạch.",
        "[1] Số liệu ước đến ngày 31/12/2022.",
    ]
    assert doc.footnotes == {}


def test_a_line_is_rebuilt_from_its_glyphs():
    from pipeline.readers.pdf import _line_text

    def glyphs(text, x, size=13.0, upright=True, space=3.3):
        out = []
        for word in text.split(" "):
            for ch in word:
                out.append({"text": ch, "x0": x, "x1": x + 6.0, "size": size, "upright": upright})
                x += 6.0
            x += space
        return out, x

    words, x = glyphs("vượt kế hoạch", 85.0)
    sup = [{"text": "1", "x0": x - 3.0, "x1": x + 1.0, "size": 7.5, "upright": True}]
    rest, x = glyphs(", 13 chỉ tiêu đạt", x + 1.5)
    mark, _ = glyphs("DỰ THẢO", 300.0, size=40.0, upright=False)  # a diagonal watermark crossing the line
    far, _ = glyphs("Độc lập", x + 60.0)  # the other column of a letterhead
    text, size, refs, first = _line_text(words + sup + rest + mark + far, 13.0)
    assert text == "vượt kế hoạch\ue0001\ue001, 13 chỉ tiêu đạt | Độc lập"
    assert (size, refs, first) == (13.0, [1], 24.0)

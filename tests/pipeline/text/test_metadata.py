from pipeline.readers import read_document
from tests.conftest import DATA


def test_seed_metadata_title_issuer_date_and_years(seed_path):
    meta = read_document(seed_path).meta
    assert meta.title.startswith("BÁO CÁO Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội")
    assert meta.issuer == "ỦY BAN NHÂN DÂN TP. Hà Tĩnh"
    assert meta.date == "2022-11"  # the day is left blank in the draft
    assert meta.years == (2022, 2023)


def test_markdown_decision_metadata_from_the_letterhead_table():
    meta = read_document(DATA / "qd-97-2025-ubnd.md").meta
    assert meta.number == "97/2025/QĐ-UBND"
    assert meta.issuer == "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN"
    assert meta.date == "2025-11-25"
    assert meta.title.startswith("QUYẾT ĐỊNH QUY ĐỊNH TRÌNH TỰ, THỦ TỤC HỖ TRỢ CHI PHÍ TƯ VẤN PHÁP LUẬT")

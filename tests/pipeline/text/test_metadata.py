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


def test_the_place_of_a_local_document_is_its_issuers_and_a_ministry_has_none():
    from pipeline.text.metadata import Place, issuer_place

    dongnai = read_document(DATA / "qd-2813-dongnai.md").meta
    ministry = read_document(DATA / "qd-1378-bnv.md").meta
    assert issuer_place(dongnai.issuer, "Đồng Nai") == Place("tinh", "dong nai")
    assert issuer_place(ministry.issuer, "Hà Nội") is None  # printed in Hà Nội, about the whole country
    # the seed's letterhead says only "ỦY BAN NHÂN DÂN"; its dateline names the city
    assert issuer_place("ỦY BAN NHÂN DÂN", "TP. Hà Tĩnh") == Place("thanh pho", "ha tinh")
    # "… XÃ HỘI TỈNH …": a social affairs department, not a commune
    assert issuer_place("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI TỈNH NGHỆ AN") == Place("tinh", "nghe an")


def test_the_dateline_is_read_from_the_first_lines_of_a_real_letterhead():
    from pipeline.readers import read_document as read
    from pipeline.text.metadata import dateline_place

    lines = [p.text for p in read(DATA / "qd-032-2025-daklak.md").paragraphs[:12]]
    assert dateline_place(lines) == "Đắk Lắk"
    assert dateline_place(["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025;"]) is None


def test_places_are_found_by_name_typed_with_or_without_diacritics_and_squashed():
    from pipeline.text.metadata import Place, find_places, title_places

    names = ["dak lak", "ha noi", "hue"]
    assert find_places("Ở tỉnh Đắk Lắk, nhà cấp IV", names) == [Place("tinh", "dak lak")]
    assert find_places("quy dinh cua hanoi ve phi", names) == [Place(None, "ha noi")]
    assert find_places("Tỷ lệ hộ nghèo của thành phố là bao nhiêu?", names) == []
    assert title_places("NGHỊ QUYẾT Về việc sắp xếp các đơn vị hành chính cấp xã của thành phố Hà Nội năm 2025") \
        == [Place("thanh pho", "ha noi")]

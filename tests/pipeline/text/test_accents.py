from pipeline.text.accents import build_accent_map, restore


def test_query_without_accents_is_restored_from_the_corpus_vocabulary():
    amap = build_accent_map(["tăng_trưởng kinh_tế năm", "tham_gia bảo_hiểm năm", "thăm giá"])
    assert restore("tang truong kinh te nam 2022", amap) == "tăng trưởng kinh tế năm 2022"
    assert restore("nguoi tham gia bao hiem", amap) == "nguoi tham gia bảo hiểm"  # unaccented words kept


def test_a_query_with_any_accent_is_left_as_typed():
    amap = build_accent_map(["tăng_trưởng", "số", "thứ"])
    assert restore("So sánh thu ngân sách", amap) == "So sánh thu ngân sách"
    assert restore("so thu", amap) == "số thứ"

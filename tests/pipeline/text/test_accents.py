from pipeline.text.accents import build_accent_map, restore


def test_query_without_accents_is_restored_from_the_corpus_vocabulary():
    amap = build_accent_map(["tăng_trưởng kinh_tế năm", "tham_gia bảo_hiểm năm", "thăm giá"])
    assert restore("tang truong kinh te nam 2022", amap) == "tăng trưởng kinh tế năm 2022"
    assert restore("nguoi tham gia bao hiem", amap) == "nguoi tham gia bảo hiểm"  # unaccented words kept


def test_a_query_with_any_accent_is_left_as_typed():
    amap = build_accent_map(["tăng_trưởng", "số", "thứ"])
    assert restore("So sánh thu ngân sách", amap) == "So sánh thu ngân sách"
    assert restore("so thu", amap) == "số thứ"


def _folded_dev_questions():
    from pipeline.ask.evaluate import load_questions
    from pipeline.search.query import normalize_query
    from pipeline.text.clean import fold
    from tests.conftest import SHARED

    out = []
    for q in load_questions(SHARED / "eval" / "dev_qa.jsonl"):
        accented = normalize_query(q["q"]).lower()
        if fold(accented) != accented:
            out.append((fold(accented), accented))
    return out


def test_the_word_before_decides_between_spellings_where_the_words_own_counts_would_not(seed_index_fake):
    from pipeline.store.reader import open_index
    from pipeline.text.accents import BestOnly

    lexicon = open_index(seed_index_fake).accents  # the seed's words and pairs, counted at ingest
    best_only = BestOnly({k: lexicon[k] for k in lexicon})
    # "lớn" is in 13 of the seed's chunks and "lợn" in one, but only "lợn" follows "tổng_đàn" there
    assert restore("tong dan lon cua thanh pho la bao nhieu?", lexicon) == "tổng đàn lợn của thành phố là bao nhiêu?"
    assert restore("tong dan lon cua thanh pho", best_only) == "tổng đàn lớn của thành phố"
    # the dev questions, folded, come back closer to how they were written than by each word's counts alone
    pairs = _folded_dev_questions()
    assert len(pairs) >= 15

    def right(lex):
        got = [(restore(typed, lex).lower().split(), accented.split()) for typed, accented in pairs]
        return sum(a == b for g, w in got for a, b in zip(g, w, strict=True)) / sum(len(w) for _, w in got)

    assert right(lexicon) > right(best_only) and right(lexicon) >= 0.97


def test_punctuation_stays_where_it_was_and_questions_ask_as_questions_do():
    amap = build_accent_map(["hà_nội báo_cáo nhiều", "thành_phố"])
    assert restore("ha noi, bao nhieu?", amap) == "hà nội, bao nhiêu?"  # not "báo nhiều": documents seldom ask
    assert restore("(thanh pho) bao lau", amap) == "(thành phố) bao lâu"


def test_an_index_segment_written_before_pairs_were_counted_still_re_accents(tmp_path):
    import json

    from pipeline.store.reader import SegmentAccents

    counts = {"lon": {"lớn": 13, "lợn": 1}, "tong_dan": {"tổng_đàn": 1}, "cua": {"của": 900, "cửa": 40}}
    (tmp_path / "accents.json").write_text(json.dumps(counts), encoding="utf-8")
    old = SegmentAccents([tmp_path / "accents.json"], [tmp_path / "accent_pairs.json"])  # no pairs file
    assert restore("tong dan lon", old) == "tổng đàn lớn" and old.counts("tong_dan lon") == {}
    (tmp_path / "accent_pairs.json").write_text(json.dumps({"tong_dan lon": {"tổng_đàn lợn": 1}}), encoding="utf-8")
    new = SegmentAccents([tmp_path / "accents.json"], [tmp_path / "accent_pairs.json"])
    assert restore("tong dan lon", new) == "tổng đàn lợn"

from pipeline.text.accents import build_accent_map, restore


def test_query_without_accents_is_restored_from_the_corpus_vocabulary():
    amap = build_accent_map(["tăng_trưởng kinh_tế năm", "tham_gia bảo_hiểm năm", "thăm giá"])
    assert restore("tang truong kinh te nam 2022", amap) == "tăng trưởng kinh tế năm 2022"
    assert restore("nguoi tham gia bao hiem", amap) == "nguoi tham gia bảo hiểm"  # unaccented words kept


def test_over_best_spellings_alone_a_query_with_any_accent_is_left_as_typed():
    amap = build_accent_map(["tăng_trưởng", "số", "thứ"])
    assert restore("So sánh thu ngân sách", amap) == "So sánh thu ngân sách"
    assert restore("so thu", amap) == "số thứ"


def _drop_marks(word: str) -> str:
    """`word` without its circumflex, breve and horn, the tone kept: "điều" → "đièu", "năm" → "nam"."""
    import unicodedata

    bare = "".join(c for c in unicodedata.normalize("NFD", word) if c not in "\u0302\u0306\u031b")
    return unicodedata.normalize("NFC", bare)


def test_a_syllable_mistyped_among_accented_ones_is_read_from_its_neighbours(seed_index_fake):
    from pipeline.store.reader import open_index
    from pipeline.text.accents import ASKING_SYLLABLES
    from pipeline.text.clean import fold

    lexicon = open_index(seed_index_fake).accents
    written = [accented for _, accented in _folded_dev_questions()]
    # as written, every syllable is one the seed spells so: nothing changes
    assert [restore(q, lexicon) for q in written] == written
    # syllables the index spells as typed stay, unaccented ones included ("so sánh", "thu ngân sách")
    assert restore("So sánh thu ngân sách năm 2022", lexicon) == "So sánh thu ngân sách năm 2022"
    assert restore("Tỏng thu ngân sách của thành phố", lexicon) == "Tổng thu ngân sách của thành phố"
    # one syllable typed without its accents, or without its circumflex/breve/horn, in an accented question
    got: dict[bool, list[str]] = {True: [], False: []}  # is the mistyped syllable one the index spells?
    for q in written:
        words = q.split()
        for i, w in enumerate(words):
            for bad in {fold(w), _drop_marks(w)} - {w} if w.isalpha() else ():
                typed = " ".join([*words[:i], bad, *words[i + 1 :]])
                read = restore(typed, lexicon)
                outcome = "right" if read == q else "as typed" if read == typed else "wrong"
                got[bad.lower() in lexicon.syllables | ASKING_SYLLABLES].append(outcome)
    unknown, known = got[False], got[True]
    # a syllable no word spells so comes back as written, or stays as typed where nothing around it decides
    assert len(unknown) >= 150 and unknown.count("right") / len(unknown) >= 0.9 and "wrong" not in unknown
    # one that spells another word ("nam" for "năm", "phó" for "phố") may be meant: it stays
    assert len(known) >= 50 and "wrong" not in known and known.count("right") <= 0.1 * len(known)


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

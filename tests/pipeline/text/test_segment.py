from hypothesis import given
from hypothesis import strategies as st

from pipeline.text.segment import folded_tokens, protected_tokens, split_sentences, words


def test_legal_codes_dates_and_numbers_stay_single_tokens():
    toks = protected_tokens("Theo Quyết định 996/QĐ-TTg ngày 18/8/2022 và Nghị định 59/2019/NĐ-CP, "
                            "Kết luận 09-KL/TU, Chỉ thị 36-CT/Th.U: tổng thu 1.172,5 tỷ đồng, tăng 11,67%.")
    for t in ["996/QĐ-TTg", "18/8/2022", "59/2019/NĐ-CP", "09-KL/TU", "36-CT/Th.U", "1.172,5", "11,67%"]:
        assert t in toks, t
    assert "Quyết định" in toks and "Nghị định" in toks


@given(st.integers(1, 9999), st.sampled_from(["QĐ-TTg", "NQ-HĐND", "KH-UBND", "NĐ-CP"]),
       st.one_of(st.none(), st.integers(1990, 2030)))
def test_any_document_number_survives_segmentation(n, kind, year):
    code = f"{n}/{year}/{kind}" if year else f"{n}/{kind}"
    assert code in protected_tokens(f"Căn cứ văn bản số {code} của cơ quan")
    assert code.lower() in words(f"Căn cứ văn bản số {code} của cơ quan")


def test_words_are_lower_case_compounds_without_punctuation():
    assert words("Tăng trưởng kinh tế.") == ["tăng_trưởng", "kinh_tế"]


def test_folded_tokens_match_queries_typed_without_accents():
    doc = set(folded_tokens("Tăng trưởng kinh tế đạt 11,67%"))
    assert {"tang", "tang_truong", "kinh_te", "11,67"} <= doc
    assert {"qd", "996"} <= set(folded_tokens("996/QĐ-TTg"))


def test_sentences_do_not_break_on_abbreviations_or_numbers():
    assert split_sentences("TP. Hà Tĩnh đạt 1.172,5 tỷ. Năm 2023 tăng.") == ["TP. Hà Tĩnh đạt 1.172,5 tỷ.",
                                                                             "Năm 2023 tăng."]


def test_no_separator_is_glued_to_a_word_of_an_indexed_chunk(seed_index_fake):
    import re

    from pipeline.store.reader import open_index

    # heading paths ("Chương II › Điều 5") and table rows ("Stt | Mã thủ tục") of the seed and a decision
    chunks = open_index(seed_index_fake).chunks_with_tokens()
    glued = [w for c in chunks for w in c.words.split() if any(not re.search(r"\w", p) for p in w.split("_"))]
    assert len(chunks) > 50 and glued == []
    # the words a question types are the words BM25 holds: the first word of a table cell is no "|_mã"
    assert words("Stt | Mã thủ tục hành chính | Tên thủ tục") == ["stt", "mã", "thủ_tục", "hành_chính", "tên",
                                                                "thủ_tục"]

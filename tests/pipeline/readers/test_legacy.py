"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI, Windows-1258 and UTF-16 text files read as Unicode."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.readers import ReadError, read_document
from pipeline.readers.legacy import fix_legacy_text, tcvn3_to_unicode, vni_to_unicode
from tests.conftest import SEED, SHARED
from tests.pipeline.readers.helpers import TO_TCVN3, as_cp1258, as_tcvn3, as_vni


def _paragraph() -> str:
    """A real paragraph of the seed (the one on the growth of trade and services)."""
    text = SEED.read_text(encoding="utf-8")
    start = text.index("- Thương mại - Dịch vụ: Mặc dù")
    return unicodedata.normalize("NFC", text[start : text.index("\n", start)].strip())


def _read(tmp_path, data: bytes) -> str:
    path = tmp_path / "bao-cao-cu.txt"
    path.write_bytes(data)
    return " ".join(p.text for p in read_document(path).paragraphs)


def test_tcvn3_text_file_is_converted(tmp_path):
    text = _paragraph()
    assert b"\xb8" in as_tcvn3(text)  # "á" in TCVN3
    expected = "".join(c if c in TO_TCVN3 or c.lower() not in TO_TCVN3 else c.lower() for c in text)
    assert _read(tmp_path, as_tcvn3(text)) == expected


def test_vni_text_file_is_converted(tmp_path):
    text = _paragraph()
    assert _read(tmp_path, as_vni(text)) == text


def test_cp1258_text_file_with_combining_tones_is_read(tmp_path):
    text = _paragraph()
    assert _read(tmp_path, as_cp1258(text)) == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path, encoding):
    text = _paragraph()
    assert _read(tmp_path, text.encode(encoding)) == text


def test_tcvn3_pasted_into_a_utf8_file_is_converted(tmp_path):
    text = _paragraph().lower()
    mojibake = as_tcvn3(text).decode("latin-1")
    assert _read(tmp_path, mojibake.encode("utf-8")) == text


def test_a_non_vietnamese_legacy_file_gets_a_clear_message(tmp_path):
    path = tmp_path / "brief.txt"
    path.write_bytes("Grüße aus München: schöne Straße, süße Äpfel.".encode("latin-1"))
    with pytest.raises(ReadError, match="brief.txt: not UTF-8 text .* re-save it as UTF-8"):
        read_document(path)


def test_known_words():
    assert tcvn3_to_unicode("ñy ban nh©n d©n tØnh Hµ TÜnh") == "ủy ban nhân dân tỉnh Hà Tĩnh"
    assert tcvn3_to_unicode("B¸o c¸o", upper=True) == "BÁO CÁO"  # .VnTimeH shows every letter as a capital
    assert vni_to_unicode("UÛY BAN NHAÂN DAÂN TÆNH HAØ TÓNH") == "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH"


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ "
               "0123456789,.;:-()", max_size=200))
def test_vni_and_tcvn3_round_trip_every_lower_case_vietnamese_text(text):
    assert vni_to_unicode(as_vni(text).decode("cp1252")) == text
    assert tcvn3_to_unicode(as_tcvn3(text).decode("latin-1")) == text


def test_unicode_vietnamese_and_english_are_left_alone():
    seed = SEED.read_text(encoding="utf-8")
    assert fix_legacy_text(seed) == (seed, None)
    english = "The quick brown fox jumps over the lazy dog; invoices 2022-2023."
    assert fix_legacy_text(english) == (english, None)


def test_no_unicode_document_of_the_corpus_is_mistaken_for_a_legacy_encoding():
    corpus = SHARED / "corpus" / "local_gov_docs_2025"
    if not corpus.exists():
        pytest.skip("../shared/corpus is not beside this checkout")
    files = sorted(corpus.rglob("*.md"))
    assert len(files) > 200
    assert [f.name for f in files if fix_legacy_text(f.read_text(encoding="utf-8"))[1]] == []

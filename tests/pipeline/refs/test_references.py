import dataclasses
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.refs.references import canonical, find_references, matches, parse_query
from pipeline.text.clean import fold

DATA = Path(__file__).resolve().parents[2] / "data"  # the real decisions

# Every reference in the seed report, read off it by hand (footnotes included): ref → (type, date).
SEED_REFERENCES = {
    "27/NQ-HĐND": ("Nghị quyết", "2021-12-28"), "996/QĐ-TTg": ("Quyết định", "2022-08-18"),  # also footnote 7
    "4919/UBND-GT1": ("Văn bản", "2022-09-05"),  # footnote 7: "Ngày 05/9/2022, UBND tỉnh có văn bản 4919/UBND-GT1"
    "1033/QĐ-UBND": ("Quyết định", "2022-05-19"), "09-KL/TU": ("Kết luận", "2021-04-12"),
    "931/QĐ-UBND": ("Quyết định", "2022-05-05"), "40/KH-UBND": ("Kế hoạch", "2022-03-09"),
    "03-NQ/Th.U": ("Nghị quyết", None), "128/NQ-CP": ("Nghị quyết", "2021-10-11"), "68/CP": ("Nghị quyết", None),
    "36-CT/Th.U": ("Chỉ thị", "2022-05-31"), "12-NQ/TU": ("Nghị quyết", "2022-05-26"),
    "966/QĐ-UBND": ("Quyết định", "2022-05-13"), "10/CT-TTg": ("Chỉ thị", "2019-04-22"),
    "1955/KL-UBND": ("Kết luận", "2022-08-22"), "137/2020/NĐ-CP": ("Nghị định", "2020-11-27"),
    "15/NQ-HĐND": ("Nghị quyết", None), "24/NQ-HĐND": ("Nghị quyết", None),
    "36/2021/NQ-HĐND": ("Nghị quyết", "2021-11-06"), "36/NQ-HĐND": ("Nghị quyết", "2021-11-06"),  # typed "HDND"
    "59/2019/NĐ-CP": ("Nghị định", "2019-07-01"),
    # partial: type + number (+ issuer), no issuer code
    "Kết luận 374 của Chủ tịch UBND tỉnh": ("Kết luận", None), "Nghị quyết 36 của HĐND tỉnh": ("Nghị quyết", None),
    "Chỉ thị 35 của Ban Thường vụ Thành ủy": ("Chỉ thị", "2022-05-24"),  # dated once, undated once
    "Nghị quyết 15 của HĐND thành phố": ("Nghị quyết", None), "Nghị quyết 24 của HĐND thành phố": ("Nghị quyết", None),
    "Đề án 06": ("Đề án", None), "Chỉ thị 09": ("Chỉ thị", None),
    "Nghị quyết 02 của BCH Đảng bộ thành phố": ("Nghị quyết", None),
    "Nghị quyết 04 của BTV Thành ủy": ("Nghị quyết", None),
    "Quyết định 130 của Hội đồng bộ trưởng": ("Quyết định", None),  # footnote 15: "Quyết định 130, 111 của …"
    "Quyết định 111 của Hội đồng bộ trưởng": ("Quyết định", None),
    "Nghị quyết 18": ("Nghị quyết", None), "Nghị quyết 19": ("Nghị quyết", None),  # "theo Nghị quyết 18, 19"
}


def test_every_seed_reference_is_found_with_type_and_date_and_nothing_else(seed_text):
    found: dict[str, set] = {}
    for r in find_references(seed_text):
        found.setdefault(r.ref, set()).add((r.type, r.date))
    missing = [ref for ref in SEED_REFERENCES if ref not in found]
    assert not missing  # recall 34/34
    wrong = [ref for ref, want in SEED_REFERENCES.items() if want not in found[ref]]
    assert not wrong
    assert set(found) == set(SEED_REFERENCES)  # precision: nothing extracted that a reader would not list
    # a dated mention carries its date wherever that number is written again undated
    assert all(d is not None for t, d in found["996/QĐ-TTg"])


def test_messy_numbers_are_tolerated():
    text = unicodedata.normalize("NFD", "Nghị quyết số 128/NQ- CP và Nghị quyết 36/NQ-HDND ngày 05 tháng 5 năm 2022")
    refs = find_references(text)
    assert [r.ref for r in refs] == ["128/NQ-CP", "36/NQ-HĐND"]
    assert refs[1].date == "2022-05-05" and refs[1].year == 2022


@given(st.text(alphabet="0123456789/-QĐNDHUBTgCPKL .", max_size=30))
def test_canonical_is_idempotent(s):
    assert canonical(canonical(s)) == canonical(s)


@given(st.integers(1, 9999), st.sampled_from([("QĐ", "Quyết định"), ("NQ", "Nghị quyết"), ("NĐ", "Nghị định")]),
       st.sampled_from(["TTg", "UBND", "CP", "HĐND"]), st.one_of(st.none(), st.integers(2000, 2030)))
def test_any_number_is_found_again_however_it_is_typed(n, kind, issuer, year):
    code, word = kind
    number = f"{n}/{year}/{code}-{issuer}" if year else f"{n}/{code}-{issuer}"
    (ref,) = find_references(f"Căn cứ {word} số {number} của cơ quan.")
    assert ref.ref == number
    for typed in (number, fold(number).upper(), f"{fold(code).lower()} {n}", f"{word} {n}",
                  f"{fold(word)} {n}"):
        q = parse_query(typed)
        assert q is not None and matches(q, ref), typed


def test_bad_queries_find_nothing_and_never_crash():
    for q in ["", "   ", "x" * 10_000, ".*(", "[[", "!!!", "quyết định"]:
        assert parse_query(q) is None


def test_real_corpus_shapes_found_in_the_precision_review():
    def one(text):
        (r,) = find_references(text)
        return r.ref, r.type, r.date

    assert one("Căn cứ Luật Thủ đô số 39/2024/QH15;") == ("39/2024/QH15", "Luật", None)
    assert one("Luật số 14/2012/QH13 của Quốc hội ngày 20/6/2012") == ("14/2012/QH13", "Luật", "2012-06-20")
    assert one("Công văn số 8935/BNV-CTTN&BĐG ngày 03 tháng 10 năm 2025") == (
        "8935/BNV-CTTN&BĐG", "Công văn", "2025-10-03")
    assert one("Nghị quyết liên tịch số 72/2025/NQLT/UBTVQH15-CP-ĐCTUBTWMTTQVN ngày 20 tháng 02 năm 2025") == (
        "72/2025/NQLT/UBTVQH15-CP-ĐCTUBTWMTTQVN", "Nghị quyết liên tịch", "2025-02-20")
    assert one("giáo dục pháp luật số 14/2012/QH13")[1] is None  # "pháp luật" is not the type word
    refs = find_references("Tờ trình số 394/TTr-CP và Đề án số 395/ĐA-CP ngày 09 tháng 5 năm 2025")
    assert [(r.ref, r.date) for r in refs] == [("394/TTr-CP", None), ("395/ĐA-CP", "2025-05-09")]


def test_partial_references_keep_type_number_and_issuer(seed_text):
    partial = {r.ref for r in find_references(seed_text) if r.partial}
    assert {"Nghị quyết 15 của HĐND thành phố", "Chỉ thị 35 của Ban Thường vụ Thành ủy",
            "Kết luận 374 của Chủ tịch UBND tỉnh", "Nghị quyết 02 của BCH Đảng bộ thành phố"} <= partial
    # a full number is never also reported as partial, and plan periods or years are not numbers
    assert not any(r.startswith(("Quyết định 996", "Nghị quyết 27")) for r in partial)
    assert find_references("Kế hoạch 5 năm 2021-2025 và kế hoạch 2025") == []


def test_a_partial_reference_is_found_by_a_loose_query(seed_text):
    from pipeline.refs.references import Mention, group, lookup

    mentions = [Mention(r, "seed", "", "seed#x:0", "") for r in find_references(seed_text)]
    found = lookup(group(mentions), "nghi quyet 15")
    assert found and found[0].partial and found[0].issuer == "HĐND thành phố"


def test_shapes_found_in_the_partial_reference_review():
    def refs(text):
        return [(r.ref, r.issuer, r.date) for r in find_references(text)]

    # "của tỉnh" belongs to "Ban Chỉ đạo", not to the scheme: no issuing body is named, so no issuer
    assert refs("Ban Chỉ đạo chuyển đổi số và đề án 06 của tỉnh, bảo đảm") == [("Đề án 06", None, None)]
    # a space typed for the slash is still the full number, with its date
    assert refs("Kèm theo Quyết định số 2665 QĐ/UBND ngày 26 tháng 11 năm 2025 của Chủ tịch") == [
        ("2665/QĐ-UBND", "UBND", "2025-11-26")]
    # a table cell "STT11 PL4 QĐ66"; a footnote number glued to a word ("quy định1") is not a reference
    assert [r[0] for r in refs("STT11 PL4 QĐ66; theo quy định1 hiện hành")] == ["Quyết định 66"]


def _scan(matches_, query):
    """`lookup` as it was before the number index: every reference read for every query (the reference)."""
    q = parse_query(query)
    if q is None:
        return []
    exact = fold(canonical(query))
    found = [m for m in matches_ if any(matches(q, x.ref) for x in m.mentions)]
    return sorted(found, key=lambda m: (fold(m.ref) != exact, -len(m.mentions), m.ref))


@pytest.fixture(scope="module")
def real_refs(seed_path: Path) -> list:
    """The references of the seed report and the real decisions of tests/data, each grouped twice over: once as
    found, once copied with another date and its mentions reversed, so that equal spellings with equal counts tie and
their order shows, and a mention read first in one is read last in its twin."""
    from pipeline.refs.references import Mention, group

    texts = {p.name: p.read_text(encoding="utf-8") for p in [seed_path, *sorted(DATA.glob("*.md"))]}
    # the seed's footnote 7, and the same number with no type word before it: one document, mentions that only a
    # typed query ("cv 4919") tells apart
    texts["footnote"] = ("Ngày 05/9/2022, UBND tỉnh có văn bản 4919/UBND-GT1. "
                         "Ngày 05/9/2022, UBND tỉnh có 4919/UBND-GT1.")
    mentions = [Mention(r, doc, "", f"{doc}#x:0", "") for doc, text in texts.items() for r in find_references(text)]
    refs = group(mentions)
    assert {x.ref.type for m in refs if m.ref == "4919/UBND-GT1" for x in m.mentions} == {"Văn bản", None}
    twins = [dataclasses.replace(m, date="1900-01-01", mentions=m.mentions[::-1]) for m in refs]  # read backwards
    out = [*refs, *twins]
    random.Random(15).shuffle(out)
    return out


LOOSE_QUERIES = ["qd 996", "QĐ 996", "qd 0996", "996/QĐ-TTg", "996/QD-TTg", "quyết định 996", "quyet dinh 996",
                 "59/2019/ND-CP", "59/2019/NĐ-CP", "nd 59/2019", "nghị định 59", "Nghị định 137/2020",
                 "nghi dinh 137/2021", "quyết định 97", "qd 97/2025", "97/2025/QĐ-UBND", "nq 12/2025", "nq 12",
                 "12-NQ/TU", "09-KL/TU", "9-KL/TU", "kl 9", "nghi quyet 27", "nghị quyết 15", "36/2021/NQ-HDND",
                 "36/NQ-HĐND", "nq 36", "25/2025/NĐ-CP", "nd 25/2025", "1378", "qd 1378", "nghi dinh 1378",
                 "cv 4919", "văn bản 4919", "qd 65/2024", "95/2025/QĐ-UBND", "đề án 06", "chỉ thị 35",
                 "qd 99999", "nq 4242/2019", "31337", "0", "quyết định", "nghị quyết", "qd", "không có số", "!!!", ""]


def test_the_number_index_returns_what_reading_every_reference_returns(real_refs):
    from pipeline.refs.references import RefLookup, lookup

    indexed = RefLookup(real_refs)
    queries = [*LOOSE_QUERIES, *(m.ref for m in real_refs), *(f"{m.type or ''} {m.number}" for m in real_refs),
               *(fold(m.ref) for m in real_refs),
               # each type asked of each number, and each year of a group's mentions and the one after: mentions of
               # one document differ in type word or year, and a query can fit one of them only
               *(f"{t} {m.number}" for m in real_refs for t in ("qd", "nq", "nd", "cv", "van ban", "kl", "ct", "kh")),
               *(f"{m.type or 'qd'} {m.number}/{y}" for m in real_refs for x in m.mentions if x.ref.year
                 for y in (x.ref.year, x.ref.year + 1))]
    for q in queries:
        assert indexed(q) == _scan(real_refs, q) == lookup(real_refs, q), q
    assert indexed("qd 996") and indexed("59/2019/ND-CP") and not indexed("qd 99999")  # both kinds are asked
    ties = indexed("996/QĐ-TTg")
    assert [m.ref for m in ties[:2]] == ["996/QĐ-TTg"] * 2 and ties[0] != ties[1]  # a tie, in the list's order


def test_a_query_reads_only_the_references_bearing_its_number(real_refs, monkeypatch):
    from pipeline.refs import references

    indexed = references.RefLookup(real_refs)
    calls = []
    real_matches = references.matches
    monkeypatch.setattr(references, "matches", lambda q, r: calls.append(r) or real_matches(q, r))
    assert indexed("qd 996")
    assert calls and {r.number.lstrip("0") for r in calls} == {"996"}  # the others are never read
    assert indexed("qd 99999") == [] and {r.number for r in calls} == {"996"}

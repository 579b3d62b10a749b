"""Legal references: document numbers found in text (``996/QĐ-TTg``, ``59/2019/NĐ-CP``, ``09-KL/TU``), in one
canonical spelling, with the type word, issuer and date around them; and queries typed loosely
(``qd 996``, ``59/2019/ND-CP``, ``nghi quyet 27``) matched against them.

First slice of the references issue: extraction and matching as pure functions. Storing references in the
index and the ``tracuu refs`` command build on these.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.text.clean import fold
from pipeline.text.segment import split_sentences
from pipeline.text.vocab import YEAR, iso_date
from pipeline.types import Chunk

# type word → the code used inside numbers (QĐ in 996/QĐ-TTg)
TYPES = {
    "quyết định": "QĐ", "nghị quyết": "NQ", "nghị định": "NĐ", "thông tư liên tịch": "TTLT", "thông tư": "TT",
    "chỉ thị": "CT", "kết luận": "KL", "kế hoạch": "KH", "thông báo": "TB", "công văn": "CV", "văn bản": "VB",
    "luật": "QH", "đề án": "ĐA", "quy định": "QĐ", "văn bản hợp nhất": "VBHN", "tờ trình": "TTr",
    "báo cáo": "BC", "công điện": "CĐ", "hướng dẫn": "HD", "nghị quyết liên tịch": "NQLT", "phương án": "PA",
    "quy chế": "QC", "quy chế phối hợp": "QCPH", "kế hoạch hành động": "KHHĐ", "pháp lệnh": "PL",
}
_CODE_NAMES: dict[str, str] = {}
for _name, _code in TYPES.items():
    _CODE_NAMES.setdefault(_code, _name)
_FOLDED_TYPES = {fold(k): v for k, v in TYPES.items()}
# codes typed without Đ, as staff type them: the issuer and type parts get their Đ back
_RESTORE_D = {"QD": "QĐ", "ND": "NĐ", "HDND": "HĐND", "DA": "ĐA", "CD": "CĐ", "BCĐ": "BCĐ", "BCD": "BCĐ",
              "QDDL": "QĐĐL", "UBMTTQVN": "UBMTTQVN", "DCS": "ĐCS", "DTN": "ĐTN", "TD": "TĐ"}

_SEG = r"[A-ZĐ][A-Za-zĐđ0-9]*(?:[.&][A-Za-zĐđ0-9]+)*"
_SP = r"[ \t]?"  # one stray space or tab at a dash or slash ("128/NQ- CP")
_NUMBER_RE = re.compile(
    rf"(?<![\w/])(?P<num>\d{{1,5}}[a-z]?)"
    rf"(?:{_SP}/{_SP}(?P<year>{YEAR}))?"
    rf"(?:"
    rf"{_SP}/{_SP}(?P<a>{_SEG}(?:{_SP}[-/]{_SP}{_SEG})*)"  # 996/QĐ-TTg, 45/2019/QH14, 72/2025/NQLT/UBTVQH15-CP
    rf"|-(?P<b>{_SEG}){_SP}/{_SP}(?P<c>{_SEG})"  # 09-KL/TU, 03-NQ/Th.U
    rf"|[ ](?P<d>QĐ|NQ|NĐ|KH|KL|CT|TB|TT|QD|ND)/(?P<e>{_SEG})"  # 2665 QĐ/UBND: a space typed for the slash
    rf")"
)
_TYPE_BEFORE_RE = re.compile(
    r"(" + "|".join(sorted((t for t in TYPES if t != "luật"), key=len, reverse=True)) + r")\s+(?:số\s*:?\s*)?$",
    re.IGNORECASE,
)
# a law is named between its type word and its number ("Luật Thủ đô số 39/2024/QH15"); "pháp luật số" is not one
_LAW_BEFORE_RE = re.compile(r"\b(Bộ luật|Luật|LUẬT|Pháp lệnh)\b[^;:.\d]{0,100}?(?:\s+số)?\s*:?\s*$")
_DATE_AFTER_RE = re.compile(
    r"^[\s,]*(?:của\s[^;,.()\d]{1,60}?\s)?(?:ngày|ban hành ngày)\s+"
    r"(?:(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})|"
    r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4}))",
    re.IGNORECASE,
)
# "Ngày 05/9/2022, UBND tỉnh có văn bản 4919/UBND-GT1": the date opens the sentence, before the number
_DATE_BEFORE_RE = re.compile(
    r"(?:^|[.;:\n])\s*Ngày\s+(?:(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})|"
    r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4}))\s*,"
    r"[^.;:\n\d]{0,60}\b(?:có|ban hành|ký|gửi)\s+[^.;:\n\d]{0,30}$",
)


@dataclass(frozen=True)
class Reference:
    """One mention of a document number. `ref` is the canonical number as printed on the document."""

    ref: str
    number: str
    code: str  # the type code inside the number: "QĐ" in 996/QĐ-TTg, "KL" in 09-KL/TU, "QH14" in 45/2019/QH14
    type: str | None  # the type word, e.g. "Quyết định"
    issuer: str | None  # the part after the type code: "TTg", "UBND", "CP", "TU"
    year: int | None
    date: str | None  # ISO date that follows the number ("ngày 18/8/2022")
    start: int
    end: int
    partial: bool = False


def _restore_d(part: str) -> str:
    return _RESTORE_D.get(part.upper(), part) if part.isupper() or part.upper() in _RESTORE_D else part


def canonical(raw: str) -> str:
    """One spelling per number: NFC, no spaces, Đ restored in type and issuer parts.

    >>> canonical("128/NQ- CP"), canonical("36/NQ-HDND"), canonical("996/QD-TTg")
    ('128/NQ-CP', '36/NQ-HĐND', '996/QĐ-TTg')
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFC", raw))
    return re.sub(r"[A-Za-zĐđ]+", lambda m: _restore_d(m.group(0)), text)


def _date(m: re.Match[str] | None) -> str | None:
    if not m:
        return None
    d, mo, y = (m.group("d"), m.group("m"), m.group("y")) if m.group("y") else (m.group("d2"), m.group("m2"),
                                                                                 m.group("y2"))
    return iso_date(y, mo, d)


def find_references(text: str) -> list[Reference]:
    """Every document number in `text`, with its type word (from the code or the words before it), issuer,
    year (from ``/2019/`` or the date) and date.

    >>> [r.ref for r in find_references("Theo Quyết định số 996/QĐ-TTg ngày 18/8/2022 và Kết luận 09-KL/TU")]
    ['996/QĐ-TTg', '09-KL/TU']
    """
    text = unicodedata.normalize("NFC", text)
    out = []
    for m in _NUMBER_RE.finditer(text):
        printed = m.group(0)
        if m.group("a"):
            a = m.group("a")
            code = re.split(r"\s?[-/]\s?", a)[0]
            issuer = a[len(code) :].lstrip("-/ \t") or None
        elif m.group("d"):
            code, issuer = m.group("d"), m.group("e")
            printed = f"{m.group('num')}/{code}-{issuer}"  # the number as the document prints it
        else:
            code, issuer = m.group("b"), m.group("c")
        code_c = canonical(code)
        before = _TYPE_BEFORE_RE.search(text[max(0, m.start() - 40) : m.start()])
        law = None if before else _LAW_BEFORE_RE.search(text[max(0, m.start() - 140) : m.start()])
        type_word = before.group(1) if before else law.group(1) if law else _CODE_NAMES.get(code_c)
        if type_word is None and not re.fullmatch(r"QH\d+|[A-ZĐ]{2,}", code_c):
            continue  # "1/2" or "5/Ha": not a document number
        date = _date(_DATE_AFTER_RE.match(text[m.end() : m.end() + 100]))
        if date is None:
            lo = max(0, m.start() - 120)
            before_date = _DATE_BEFORE_RE.search(text[lo : m.start()])
            if before_date and (before_date.start() > 0 or lo == 0 or text[lo - 1] in ".;:\n"):
                date = _date(before_date)
        if issuer and code_c not in _CODE_NAMES and not re.fullmatch(r"QH\d+", code_c):
            issuer = f"{code}-{issuer}"  # 4919/UBND-GT1: no type code, the issuer and its unit
        year = int(m.group("year")) if m.group("year") else (int(date[:4]) if date else None)
        out.append(Reference(
            ref=canonical(printed), number=m.group("num"), code=code_c,
            type=type_word[0].upper() + type_word[1:].lower() if type_word else None,
            issuer=canonical(issuer) if issuer else None, year=year, date=date, start=m.start(), end=m.end(),
        ))
    out.extend(_partial_references(text, out))
    return sorted(out, key=lambda r: r.start)


_PARTIAL_RE = re.compile(
    r"\b(?P<type>(?:" + "|".join(sorted((t for t in TYPES if t not in ("luật", "văn bản", "báo cáo")), key=len,
                                        reverse=True))
    + r")(?=\s)|NQ|CT|KL|QĐ)\s*(?:số\s+)?(?P<num>\d{1,5})\b"  # "QĐ66" in a table cell has no space
    r"(?![/\-.]\s?\w|,\w|\s+(?:năm|tháng|nhiệm vụ|chỉ tiêu|%)|\s+ngày(?!\s+\d{1,2}(?:[/.-]\d|\s+tháng)))",
    re.IGNORECASE,
)
# more numbers of the same type in a list: "Quyết định 130, 111 của …", "Nghị quyết 18, 19", "… 15 và 24"
_LIST_MORE_RE = re.compile(r"^(?:\s*,\s*|\s+và\s+)(?P<num>\d{1,5})\b(?![/\-.,]\w|\s+(?:năm|tháng|ngày|%))")
_DATE_CLAUSE_RE = re.compile(r"^\s*,?\s*ngày\s+(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+"
                             r"\d{4})", re.IGNORECASE)
_ISSUER_AFTER_RE = re.compile(r"^[^.;:()\d\n]{0,40}?\bcủa\s+(?P<issuer>[^,.;:()\[\]\d\n]{3,60}?)(?=\s+(?:về|ngày|"
                              r"tại|đã|đến|và|nhằm|trong)\b|[,.;:()\[\]\n]|$)")


_ISSUER_END_RE = re.compile(r"^.*?\b(?:thành phố|tỉnh|Thành ủy|Tỉnh ủy|Chính phủ|Quốc hội|Trung ương|huyện|"
                            r"thị xã|xã|phường|Thủ tướng Chính phủ|Thủ tướng)\b", re.IGNORECASE)


_ORGAN_RE = re.compile(r"HĐND|UBND|Hội đồng|Ủy ban|Uỷ ban|Chính phủ|Thủ tướng|Thành ủy|Tỉnh ủy|Huyện ủy|Quận ủy|"
                       r"Ban|BTV|BCH|Bộ|Sở|Chủ tịch|Quốc hội|Trung ương|Đảng|Tòa|Viện|Văn phòng|Cục|Tổng cục|"
                       r"Kiểm toán|Ngân hàng|Mặt trận|Liên", re.IGNORECASE)


def _issuer_phrase(phrase: str) -> str | None:
    """The body that issued it, not the rest of the clause: "HĐND thành phố đạt kết quả tốt" → "HĐND thành phố".
    None when the phrase names no issuing body ("đề án 06 của tỉnh": "của tỉnh" belongs to an earlier noun)."""
    words = " ".join(phrase.replace("…", " ").replace("...", " ").split())
    if not _ORGAN_RE.search(words):
        return None
    m = _ISSUER_END_RE.match(words)
    return m.group(0) if m else " ".join(words.split()[:5])


def _partial_references(text: str, full: list[Reference]) -> list[Reference]:
    """``Nghị quyết 15 của HĐND thành phố``, ``Chỉ thị 35 ngày 24/5/2022 của Ban Thường vụ Thành ủy``,
    ``Quyết định 130, 111 của Hội đồng bộ trưởng``: a type word and a number without the issuer code. Kept,
    marked partial, with the date and the issuer phrase that follow when there are."""
    taken = [(r.start, r.end) for r in full]
    out = []
    for m in _PARTIAL_RE.finditer(text):
        if any(a <= m.start("num") < b for a, b in taken) or re.fullmatch(YEAR, m.group("num")):
            continue  # part of a full number, or a year ("kế hoạch 2025")
        word = m.group("type").lower()
        code = TYPES.get(word) or canonical(word.upper())
        name = word if word in TYPES else _CODE_NAMES.get(code, word)
        name = name[0].upper() + name[1:]
        spans = [(m.group("num"), m.start(), m.end())]
        while more := _LIST_MORE_RE.match(text[spans[-1][2] : spans[-1][2] + 20]):
            end = spans[-1][2]
            spans.append((more.group("num"), end + more.start("num"), end + more.end("num")))
        tail = spans[-1][2]
        date = _date(_DATE_AFTER_RE.match(text[tail : tail + 100]))
        dated = _DATE_CLAUSE_RE.match(text[tail : tail + 40])
        after_at = tail + (dated.end() if dated else 0)
        after = _ISSUER_AFTER_RE.match(text[after_at : after_at + 110])
        issuer = _issuer_phrase(after.group("issuer")) if after else None
        for i, (num, start, end) in enumerate(spans):
            out.append(Reference(
                ref=f"{name} {num}" + (f" của {issuer}" if issuer else ""), number=num, code=code, type=name,
                issuer=issuer, year=int(date[:4]) if date else None, date=date, start=m.start() if i == 0 else start,
                end=end, partial=True,
            ))
    return out


@dataclass(frozen=True)
class RefQuery:
    """A reference as staff type it: any of number, type code, year, issuer."""

    number: str
    type_code: str | None = None
    year: int | None = None
    issuer: str | None = None


_QUERY_TYPE_RE = re.compile(r"^(" + "|".join(sorted(map(re.escape, _FOLDED_TYPES), key=len, reverse=True))
                            + r"|qd|nq|nd|tt|ct|kl|kh|tb|cv)\b\s*(?:so\s*)?", re.IGNORECASE)


def parse_query(query: str) -> RefQuery | None:
    """``qd 996``, ``quyết định 996``, ``Nghị định 137/2020``, ``59/2019/ND-CP``, ``nghi quyet 27`` → RefQuery.
    None when no number is there.

    >>> parse_query("qd 996")
    RefQuery(number='996', type_code='QĐ', year=None, issuer=None)
    >>> parse_query("59/2019/ND-CP")
    RefQuery(number='59', type_code='NĐ', year=2019, issuer='CP')
    """
    q = " ".join(query.split())[:200]
    refs = find_references(q)
    if refs:
        r = refs[0]
        return RefQuery(r.number, r.code, r.year, r.issuer)
    folded = fold(q)
    m = _QUERY_TYPE_RE.match(folded)
    type_code = None
    if m:
        word = m.group(1)
        type_code = _FOLDED_TYPES.get(word) or _restore_d(word.upper())
        folded = folded[m.end() :]
    n = re.match(rf"\s*(\d{{1,5}})(?:\s*/\s*({YEAR}))?\b", folded)
    if not n:
        return None
    return RefQuery(n.group(1), type_code, int(n.group(2)) if n.group(2) else None)


def bare_number(number: str) -> str:
    """The number as `matches` compares it, leading zeros dropped: ``"09"`` → ``"9"``."""
    return number.lstrip("0")


def matches(q: RefQuery, r: Reference) -> bool:
    """Does the reference fit everything the query says?"""
    if bare_number(q.number) != bare_number(r.number):  # RefLookup indexes on this: keep it the first check
        return False
    if q.year and r.year and q.year != r.year:
        return False
    if q.issuer and (not r.issuer or fold(q.issuer) != fold(r.issuer)):
        return False
    if q.type_code:
        names = {fold(r.type or ""), fold(_CODE_NAMES.get(r.code, ""))}
        if names & {"cong van", "van ban"}:
            names |= {"cong van", "van ban"}  # the same kind of paper, named either way
        if fold(q.type_code) != fold(r.code) and fold(_CODE_NAMES.get(q.type_code, "?")) not in names:
            return False
    return True


@dataclass(frozen=True)
class Mention:
    """A reference as the index keeps it: where it was found."""

    ref: Reference
    doc: str
    section: str
    chunk_id: str
    sentence: str


@dataclass(frozen=True)
class RefMatch:
    """One document number and every mention of it (mentions written differently merged)."""

    ref: str
    type: str | None
    number: str
    issuer: str | None
    year: int | None
    date: str | None
    partial: bool
    mentions: tuple[Mention, ...]

    def to_json(self, document: str | None = None) -> dict:
        """The `refs --json` shape; `document` names the indexed document that bears this number, if any."""
        return {"ref": self.ref, "type": self.type, "number": self.number, "issuer": self.issuer,
                "year": self.year, "date": self.date, "partial": self.partial, "document": document,
                "mentions": [{"doc": m.doc, "section": m.section, "chunk_id": m.chunk_id, "text": m.sentence}
                             for m in self.mentions]}


def _key(r: Reference) -> tuple[str, str, str]:
    return (bare_number(r.number), fold(r.code), fold(r.issuer or ""))


def number_key(r: Reference) -> tuple[str, str, str]:
    """What two spellings of one number share: number, type code and issuer, folded (years are checked apart)."""
    return _key(r)


def same_number(a: Reference, b: Reference) -> bool:
    """Whether two mentions name the same number: number, type code and issuer alike, years not in conflict
    (``36/2021/NQ-HĐND`` and ``36/NQ-HĐND`` dated 2021)."""
    return _key(a) == _key(b) and not (a.year and b.year and a.year != b.year)


def group(mentions: list[Mention]) -> list[RefMatch]:
    """Mentions of the same document merged: same number, type code and issuer, years not in conflict
    (``36/2021/NQ-HĐND`` and ``36/NQ-HĐND`` dated 06/11/2021 are one document)."""
    groups: dict[tuple, list[list[Mention]]] = {}
    years_of: dict[int, set[int]] = {}  # id of a bucket → the years its mentions state (kept as they join)
    for m in mentions:
        buckets = groups.setdefault(_key(m.ref), [])
        for b in buckets:
            years = years_of[id(b)]
            if not m.ref.year or not years or m.ref.year in years:
                b.append(m)
                if m.ref.year:
                    years.add(m.ref.year)
                break
        else:
            buckets.append([m])
            years_of[id(buckets[-1])] = {m.ref.year} if m.ref.year else set()
    out = []
    for buckets in groups.values():
        for b in buckets:
            best = max(b, key=lambda x: (x.ref.year is not None and f"/{x.ref.year}/" in x.ref.ref, len(x.ref.ref)))
            r = best.ref
            out.append(RefMatch(r.ref, r.type or next((x.ref.type for x in b if x.ref.type), None), r.number,
                                r.issuer, next((x.ref.year for x in b if x.ref.year), None),
                                next((x.ref.date for x in b if x.ref.date), None), r.partial, tuple(b)))
    return out


def mentions_in(chunk: Chunk) -> list[Mention]:
    """Every reference of a chunk (footnotes included), with the sentence that holds it."""
    out: list[Mention] = []
    for para in [*chunk.text.split("\n"), *(note for _, note in chunk.footnotes)]:
        for sentence in split_sentences(para):
            out.extend(Mention(r, chunk.doc, chunk.section, chunk.chunk_id, sentence)
                       for r in find_references(sentence))
    return out


def _ranked(found: list[RefMatch], query: str) -> list[RefMatch]:
    """The references found, exact spelling of `query` first, then by how often they are mentioned (ties in the
    order found)."""
    exact = fold(canonical(query))
    return sorted(found, key=lambda m: (fold(m.ref) != exact, -len(m.mentions), m.ref))


def lookup(matches_: Sequence[RefMatch], query: str) -> list[RefMatch]:
    """The references a query names, exact spelling first, then by how often they are mentioned. Reads every
    mention of every reference: for many queries over one list, `RefLookup` reads only those bearing the number."""
    q = parse_query(query)
    if q is None:
        return []
    return _ranked([m for m in matches_ if any(matches(q, x.ref) for x in m.mentions)], query)


def _as_matched(r: Reference) -> tuple:
    """Every field of `r` that `matches` reads: mentions alike in these are accepted or refused together."""
    return (r.number, r.year, r.issuer, r.type, r.code)


class RefLookup:
    """`lookup` over one list of references, indexed once by bare number: every match has the query's number
    (`matches` checks it first), so a query reads only the references bearing it, and of each only its mentions
    that differ in what `matches` reads. Same results, same order.

    >>> refs = group([Mention(r, "a.md", "I", "a.md#I:0", "") for r in find_references("QĐ 996/QĐ-TTg, 09-KL/TU")])
    >>> [m.ref for m in RefLookup(refs)("qd 996")]
    ['996/QĐ-TTg']
    """

    def __init__(self, matches_: Sequence[RefMatch]) -> None:
        self.matches = matches_  # the list indexed: a caller holding another list builds another RefLookup
        self._by_number: dict[str, list[tuple[RefMatch, tuple[Reference, ...]]]] = {}
        for m in matches_:
            distinct = tuple({_as_matched(x.ref): x.ref for x in m.mentions}.values())
            for number in dict.fromkeys(bare_number(r.number) for r in distinct):
                # in the list's order, so that ties rank as `lookup`'s
                self._by_number.setdefault(number, []).append((m, distinct))

    def __call__(self, query: str) -> list[RefMatch]:
        """The references `query` names, as `lookup(self.matches, query)` returns them."""
        q = parse_query(query)
        if q is None:
            return []
        candidates = self._by_number.get(bare_number(q.number), [])
        return _ranked([m for m, refs in candidates if any(matches(q, r) for r in refs)], query)


Bearers = dict[tuple[str, str, str], list[tuple[int | None, str]]]


def bearers(own_numbers: dict[str, str | None], years: dict[str, int | None] | None = None) -> Bearers:
    """Which indexed document bears which number ("Số: 624/KH-UBND" in its letterhead, dated in `years`),
    keyed like mentions: a reference to that number from another document links to it ("cites" / "cited by")."""
    out: Bearers = {}
    for doc, number in own_numbers.items():
        refs = find_references(number or "")
        if refs and not refs[0].partial:
            year = refs[0].year or (years or {}).get(doc)
            out.setdefault(_key(refs[0]), []).append((year, doc))
    return out


def bearer_of(match: RefMatch, bearers_: Bearers) -> str | None:
    """The one indexed document with this number and a year that does not conflict; None when unsure."""
    if match.partial:
        return None
    fits = [doc for year, doc in bearers_.get(_key(match.mentions[0].ref), [])
            if not (year and match.year and year != match.year)]
    return fits[0] if len(fits) == 1 else None


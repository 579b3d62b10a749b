"""Relations between documents as official texts state them in fixed formulas: what a document replaces, amends,
repeals, details, guides, implements or corrects, and the date it takes effect.

A relation sentence has a subject, a verb formula and an object (a document number)::

    Quyết định này   thay thế          Quyết định số 65/2024/QĐ-UBND ngày 05/12/2024 …
    (subject: self)  (verb: replaces)  (object)

    Căn cứ Nghị định số 10/2022/NĐ-CP … được sửa đổi, bổ sung bởi Nghị định số 175/2025/NĐ-CP;
    (the stating document implements 10/2022 and 175/2025; quoted: 175/2025 amends 10/2022)

The subject is the document making the statement ("… này", or a formula opening an article or the title), or,
in a quoted relation, the number written just before the verb (a title: "Thông tư số 13/2022/TT-BTC quy định chi
tiết …") or after "bởi/tại" (passive: "… được sửa đổi, bổ sung bởi Nghị định số 175/2025/NĐ-CP"). A verb with no
number close after it ("thay thế máy móc, thiết bị"), one in a condition ("Trường hợp … được sửa đổi, bổ sung
hoặc thay thế thì …") or one joined to others by "hoặc" (a general clause) states no relation.

Pure functions over one clause; `pipeline.refs.statements` reads a whole document with them, ingest stores what it
finds (`pipeline.store`), `pipeline.refs.status` reads it back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from pipeline.refs.references import Reference, find_references
from pipeline.text.vocab import iso_date


class RelationType(StrEnum):
    """What a document does to the one it names. The value is what the index and `refs --json` hold."""

    REPLACES = "replaces"  # "thay thế Quyết định số …", "… hết hiệu lực kể từ ngày Nghị quyết này có hiệu lực"
    AMENDS = "amends"  # "sửa đổi, bổ sung một số điều của …"
    REPEALS = "repeals"  # "bãi bỏ Điều 3 của …", "bãi bỏ toàn bộ …"
    DETAILS = "details"  # "quy định chi tiết một số điều của Luật …"
    GUIDES = "guides"  # "hướng dẫn thi hành Nghị định số …"
    IMPLEMENTS = "implements"  # "Căn cứ …", "Thực hiện …": a legal basis, not a change
    CORRECTS = "corrects"  # "đính chính …"

    @property
    def inverse(self) -> str:
        """The relation seen from the other side: ``replaces`` → ``replaced_by``."""
        return _INVERSE[self]


_INVERSE = {RelationType.REPLACES: "replaced_by", RelationType.AMENDS: "amended_by",
            RelationType.REPEALS: "repealed_by", RelationType.DETAILS: "detailed_by",
            RelationType.GUIDES: "guided_by", RelationType.IMPLEMENTS: "implemented_by",
            RelationType.CORRECTS: "corrected_by"}


@dataclass(frozen=True)
class Relation:
    """One relation a document states, with where it says so."""

    type: RelationType
    other: Reference  # the object: the number acted on (canonical in `other.ref`)
    subject: Reference | None  # None: the stating document itself; else the number of a quoted relation's subject
    scope: str | None  # the part acted on ("khoản 2 Điều 5", "một số điều"); None: the whole document
    effective: str | None  # ISO date the sentence says the change takes effect, if it says
    doc: str  # the stating document
    section: str
    chunk_id: str
    sentence: str


@dataclass(frozen=True)
class InForce:
    """A document's own effective date: "Quyết định này có hiệu lực từ ngày 01/01/2026", "… kể từ ngày ký"."""

    doc: str
    date: str  # ISO
    chunk_id: str
    sentence: str


_TYPE_WORDS = (r"(?:Quyết định|Nghị quyết|Nghị định|Thông tư(?: liên tịch)?|Chỉ thị|Kế hoạch|Luật|Bộ luật|"
               r"Pháp lệnh|Quy định|Quy chế|Hướng dẫn|Thông báo|Công văn|Văn bản|Kết luận|Đề án|Chương trình)")
_LISTED_EXPIRE_RE = re.compile(r"^\W*(?:\d+\.\s*)?Các\s+(?:\w+\s+){1,5}?sau(?:\s+đây)?\s+(?:đều\s+)?hết\s+hiệu\s+lực",
                               re.IGNORECASE)
_SELF_RE = re.compile(rf"\b{_TYPE_WORDS}\s+này\b", re.IGNORECASE)
# the verb formulas, longest first; "hoặc" between two of them makes a general clause
_VERBS: tuple[tuple[str, str], ...] = (
    ("amends", r"sửa đổi\s*(?:,|và)?\s*bổ sung|sửa đổi(?: kỹ thuật)?|bổ sung một số điều"),
    ("replaces", r"thay thế"),
    ("repeals", r"bãi bỏ|hủy bỏ|huỷ bỏ"),
    ("details", r"quy định chi tiết(?: thi hành)?"),
    ("guides", r"hướng dẫn (?:thi hành|thực hiện)|hướng dẫn(?= một số (?:điều|nội dung))"),
    ("corrects", r"đính chính"),
    ("expires", r"hết hiệu lực(?: thi hành)?"),
)
_VERB_RE = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _VERBS), re.IGNORECASE)
_PASSIVE_BEFORE_RE = re.compile(r"(?:đã\s+|đồng thời\s+)?(?:được|bị)\s*$", re.IGNORECASE)
_AGENT_RE = re.compile(r"^[\s,]*(?:một số điều\s+)?(?:bởi|tại|theo)\s+(?:các\s+)?" + _TYPE_WORDS + r"?\s*(?:số\s*)?$",
                       re.IGNORECASE)
_LAW_TITLE_RE = re.compile(r"\b(?:Luật|LUẬT|Pháp lệnh)\s+$")
_GENERAL_RE = re.compile(r"^\s*(?:,|hoặc|và|\s)*\s*$", re.IGNORECASE)
_CONDITION_RE = re.compile(r"^\W*(?:Trường hợp|Nếu|Khi|Trong trường hợp|Đối với trường hợp)\b", re.IGNORECASE)
_LIST_MARK = r"(?:[-+•*–]\s*|\d{1,2}(?:\.\d{1,2})*[.)]\s*|[a-zđ][)]\s*|[IVX]{1,5}\.\s*|Điều\s+\d+\.?\s*)"
_OPENING_RE = re.compile(rf"^\W*{_LIST_MARK}?\s*(?:[Đđ]ồng thời\s*,?\s*|[Vv]ề việc\s+|V/v\s+)?$")
_PART_WORDS = r"(?:điểm|khoản|Điều|Chương|Mục|Phụ lục|Phần)"
# "Thực hiện" is a basis only before a document named at once ("Thực hiện Kế hoạch số …"), not "thực hiện nghĩa vụ"
_BASIS_RE = re.compile(
    rf"^\W*{_LIST_MARK}?\s*(?:Căn cứ(?:\s*$|\s+(?=(?:các\s+|vào\s+)?(?:{_TYPE_WORDS}|{_PART_WORDS}|Hiến pháp)\b))"
    rf"|Thực hiện\s+(?=(?:các\s+)?{_TYPE_WORDS}\s*(?:số\s*)?\d))",
    re.IGNORECASE)
# between a document number and the verb of its title: its date and issuer ("… ngày 15/5/2025 của Chính phủ")
_TITLE_GAP_RE = re.compile(
    r"^\s*(?:\(\S[^()]{0,40}\)\s*)?,?\s*(?:ngày\s+(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+"
    r"\d{4})\s*)?,?\s*(?:của\s+[^;:,\d()]{2,90}?\s*)?(?:về\s+(?:việc\s+)?)?$", re.IGNORECASE)
# between a number and "được sửa đổi, bổ sung bởi …": its date, issuer and title ("… quy định về lệ phí trước bạ")
_PASSIVE_GAP_RE = re.compile(r"^(?:[^;:\d]|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|"
                             r"\d{1,2}\s+tháng|\d{4}\b)" r"{0,300}$", re.IGNORECASE)
_PART = r"(?<!\w)(?:điểm|khoản|Điều|Chương|Mục|tiểu mục|mục|Phụ lục|Phần|phụ lục|điều|chương)"
_LABEL = r"(?:\d+[\w.]*|[IVXLC]+\b|[a-zđ]\b)"  # "5", "2.5", "II", "b": what a part is numbered by
_SCOPE_RE = re.compile(
    rf"(?P<s>(?:(?:một số|các)\s+)?{_PART}\s+{_LABEL}"
    rf"(?:(?:\s*,\s*|\s+và\s+|\s+|\s*;\s*){_PART}?\s*{_LABEL})*"
    r"|một số (?:điều|nội dung|quy định)(?:\s*(?:,|và)\s+(?:phụ lục|khoản|điểm|biện pháp thi hành))?|một phần"
    r"|(?:một số\s+)?(?:từ|cụm từ)(?:\s*,\s*cụm từ)?)",
    re.IGNORECASE)
_WHOLE_RE = re.compile(r"\btoàn bộ\b", re.IGNORECASE)
_LIST_OPENS_RE = re.compile(r"(?::|\bsau(?: đây)?|\bcác\s+" + _TYPE_WORDS + r")\s*(?:(?:" + _TYPE_WORDS
                            + r")\s*)?(?:số\s*)?$", re.IGNORECASE)
_ITEM_SEP_RE = re.compile(rf"(?:;|,|\svà)\s*(?:{_TYPE_WORDS}\s*)?(?:số\s*:?\s*)?$", re.IGNORECASE)
# what may stand between a verb and the number it acts on: a scope, "của/tại", a type word, "các … sau đây:"
_OBJECT_GAP_RE = re.compile(
    rf"^[\s,:]*(?:toàn bộ\s*)?(?:nội dung\s*)?(?:{_SCOPE_RE.pattern})?\s*,?\s*(?:của|tại|trong)?\s*"
    rf"(?:(?:các|những)\s+(?:văn bản|{_TYPE_WORDS})"
    rf"(?:\s+[^\d:;]{{0,60}}?\s+sau(?:\s+đây)?|\s+sau(?:\s+đây)?)?\s*:?\s*)?"
    rf"(?:[^\d;:]{{0,220}}?\s(?:ban hành\s+)?kèm theo\s+)?"
    rf"(?:(?:Luật|Bộ luật|Pháp lệnh)\s+(?:(?!\bvà\b)[^\d;:,]){{0,60}}?|{_TYPE_WORDS}(?:\s+[^\d;:]{{0,12}}?)?)?"
    rf"\s*(?:số\s*:?\s*)?$",
    re.IGNORECASE)
# between two numbers of one list: the first's date, issuer and title, then a comma, "và" or a list mark
_LIST_GAP_RE = re.compile(
    rf"^\s*(?:ngày\s+(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}}|\d{{1,2}}\s+tháng\s+\d{{1,2}}\s+năm\s+\d{{4}})\s*)?"
    rf"(?:của\s+[^;:,\d]{{2,90}}?\s*)?(?:\([^()]{{0,60}}\)\s*)?(?:,|và|;)\s*(?:các\s+)?{_TYPE_WORDS}?"
    rf"\s*(?:số\s*)?$",
    re.IGNORECASE)
_DATE = (r"(?:(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
         r"|(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4}))")
_FROM_RE = re.compile(rf"\b(?:kể\s+)?từ\s+ngày\s+(?:{_DATE}|(?P<signed>ký))", re.IGNORECASE)
_IN_FORCE_RE = re.compile(rf"(?:\b{_TYPE_WORDS}\s+này|^\W*{_LIST_MARK}?{_TYPE_WORDS})\b[^;]{{0,160}}?\bcó hiệu lực"
                          rf"(?:\s+thi hành)?"
                          rf"(?:\s+(?:kể\s+)?từ\s+ngày\s+(?:{_DATE}|(?P<signed>ký))|\s+(?P<signed2>kể từ ngày ký))",
                          re.IGNORECASE)
_MAX_CLAUSE = 1500
_STANDARD_RE = re.compile(r"\d:$")  # "QCVN 85:2025/BNNMT": a technical standard, not a document number


@dataclass(frozen=True)
class _Verb:
    """A verb formula found in a clause."""

    type: str  # a RelationType value, or "expires"
    start: int
    end: int
    lead: int  # where "được/bị" starts in a passive formula; `start` otherwise
    joined: int = 1  # how many verbs joined by "," or "và" it stands for ("sửa đổi, bổ sung và bãi bỏ")

    @property
    def passive(self) -> bool:
        """Whether the formula is passive ("được sửa đổi, bổ sung bởi …")."""
        return self.lead < self.start


def _verbs(clause: str) -> list[_Verb]:
    """The verb formulas of a clause, those joined by "hoặc" to another (a general clause) left out."""
    found = [(m.lastgroup or "", m.start(), m.end()) for m in _VERB_RE.finditer(clause)]
    out = []
    for i, (kind, start, end) in enumerate(found):
        between = [clause[min(end, found[j][2]) : max(start, found[j][1])] for j in (i - 1, i + 1)
                   if 0 <= j < len(found)]
        if any(_GENERAL_RE.match(b) and "hoặc" in b for b in between):
            continue  # "sửa đổi, bổ sung hoặc thay thế": whatever replaces it, not a relation
        if _LAW_TITLE_RE.search(clause[max(0, start - 12) : start]):
            continue  # "Luật sửa đổi, bổ sung một số điều của Luật Đất đai số 43/2024/QH15": the number is its own
        lead = _PASSIVE_BEFORE_RE.search(clause[max(0, start - 16) : start])
        out.append(_Verb(kind, start, end, max(0, start - 16) + lead.start() if lead else start))
    return _merged(clause, out)


def _merged(clause: str, verbs: list[_Verb]) -> list[_Verb]:
    """Verbs joined by "," or "và" act on the same objects as one formula: "sửa đổi, bổ sung và bãi bỏ một số điều
    của …" amends (so does "Bãi bỏ, sửa đổi, thay thế một số điều …"); "quy định chi tiết và hướng dẫn thi hành …"
    both details and guides."""
    groups: list[list[_Verb]] = []
    for v in verbs:
        if groups and re.fullmatch(r"\s*(?:,|và)?\s*", clause[groups[-1][-1].end : v.start]):
            groups[-1].append(v)
        else:
            groups.append([v])
    out: list[_Verb] = []
    for g in groups:
        kinds = list(dict.fromkeys(v.type for v in g))
        if len(kinds) > 1 and set(kinds) <= {"details", "guides"}:
            out.extend(_Verb(k, g[0].start, g[-1].end, g[0].lead, 1) for k in kinds)
        else:
            kind = "amends" if len(kinds) > 1 and ("amends" in kinds or "expires" not in kinds) else kinds[0]
            out.append(_Verb(kind, g[0].start, g[-1].end, g[0].lead, len(g)))
    return out


def _date(m: re.Match[str], signed: str | None) -> str | None:
    groups = m.groupdict()
    if groups.get("signed") or groups.get("signed2"):
        return signed
    if groups.get("y"):
        return iso_date(m.group("y"), m.group("m"), m.group("d"))
    return iso_date(m.group("y2"), m.group("m2"), m.group("d2"))


def _scope(text: str) -> str | None:
    """The part of a document a verb acts on, read from the words between the verb and the number."""
    if _WHOLE_RE.search(text):
        return None
    m = _SCOPE_RE.search(text)
    if not m:
        return None
    scope = re.sub(r"\s+(?:của|tại|trong|theo|bởi)$", "", " ".join(m.group("s").split()).rstrip(" ,;"),
                   flags=re.IGNORECASE)
    return scope.lower() if scope.isupper() else scope


def chain(clause: str, refs: list[Reference], items: bool = True) -> list[Reference]:
    """`refs[0]` and the numbers listed right after it ("Quyết định số 12/2020 … và Quyết định số 15/2021 …");
    not past a ";" unless `items` (in a quoted title, ";" ends the item that holds it)."""
    out = refs[:1]
    for r in refs[1:]:
        gap = clause[out[-1].end : r.start]
        if not _LIST_GAP_RE.match(gap) or (not items and ";" in gap):
            break
        out.append(r)
    return out


@dataclass(frozen=True)
class Found:
    """A relation read off one clause, before it is placed in its chunk."""

    type: RelationType
    other: Reference
    subject: Reference | None  # None: the stating document
    scope: str | None


@dataclass(frozen=True)
class Opener:
    """A clause that ends in a list to come: "Quyết định này thay thế các Quyết định sau:"; the numbers are on the
    lines (or clauses) that follow."""

    type: RelationType
    scope: str | None


def _subject(clause: str, verb: _Verb, refs: list[Reference], opening: bool) -> tuple[bool, Reference | None]:
    """(stated, subject) for an active verb: the document itself ("Quyết định này …", or a formula that opens a
    clause where `opening` allows it), or the number whose title the verb begins; (False, None) when neither."""
    before = clause[: verb.start]
    prior = [r for r in refs if r.end <= verb.start]
    if prior and _TITLE_GAP_RE.match(gap := clause[prior[-1].end : verb.start]):
        return _acts(prior[-1], gap), prior[-1]
    selfs = list(_SELF_RE.finditer(before))
    if selfs and not any(r.start > selfs[-1].end() for r in prior):
        return True, None
    if not prior and _IN_FORCE_RE.search(before):
        return True, None  # "Quyết định có hiệu lực kể từ ngày ký, đồng thời thay thế …"
    return (opening and bool(_OPENING_RE.match(_VERB_RE.sub("", before).replace(",", " ")))), None


def _kind(verb: _Verb, scope: str | None) -> RelationType:
    """The relation a verb states: "thay thế một số từ, cụm từ" amends (the wording is changed)."""
    kind = RelationType(verb.type)
    if kind in (RelationType.REPLACES, RelationType.REPEALS) and scope and re.search(r"\btừ\b", scope):
        return RelationType.AMENDS
    return kind


def list_items(clause: str, refs: list[Reference]) -> list[Reference]:
    """The first number of each item of a list written in one clause: "…: số 23/2016/QĐ-UBND … ; số 21/2023/QĐ-UBND
    …", "… Quyết định 3526/QĐ-UBND …, Quyết định số 800/QĐ-UBND … và Quyết định số 1995/QĐ-UBND …"."""
    out = refs[:1]
    for r in refs[1:]:
        if _ITEM_SEP_RE.search(clause[out[-1].end : r.start]):
            out.append(r)
    return out


def _has_title_verb(clause: str, r: Reference) -> bool:
    """Whether the number `r` is followed by the verb of its own title ("số 22/2025/NĐ-CP ngày … sửa đổi …")."""
    m = _VERB_RE.search(clause, r.end)
    return m is not None and _TITLE_GAP_RE.match(clause[r.end : m.start()]) is not None


def _active(clause: str, verb: _Verb, refs: list[Reference], opening: bool, until: int) -> list[Found]:
    """An active verb: the numbers it acts on, right after it (up to the next verb at `until`), or each item of
    the list it opens ("… thay thế các Quyết định: số …; số …")."""
    after = [r for r in refs if verb.end <= r.start < until]
    if not after or not _OBJECT_GAP_RE.match(gap := clause[verb.end : after[0].start]):
        return []
    stated, subject = _subject(clause, verb, refs, opening)
    if not stated:
        return []
    scope = _scope(gap)
    listed = list_items(clause, [r for r in refs if r.start >= verb.end]) if _LIST_OPENS_RE.search(gap) else []
    objects = listed if subject is None and listed else chain(clause, after, items=subject is None)
    if subject is not None:  # "… của Nghị định số 37/2019 và số 22/2025 … sửa đổi …": 22/2025 opens a new item
        objects = objects[:1] + [r for r in objects[1:] if not _has_title_verb(clause, r)]
    if subject is None and verb.type in ("replaces", "repeals"):  # "thay thế Nghị định số 98/2010 … và Nghị định
        more = list_items(clause, [r for r in refs if r.start >= verb.end])  # số 61/2016 …": the same kind of text
        objects += [r for r in more if r.code == objects[0].code and r not in objects]
    return [Found(_kind(verb, scope), r, subject, scope) for r in objects]


def _passive(clause: str, verb: _Verb, refs: list[Reference]) -> list[Found]:
    """"A … được sửa đổi, bổ sung bởi B": B acts on A (a relation quoted between two documents), or the stating
    document does ("… được bãi bỏ bởi Quyết định này")."""
    prior = [r for r in refs if r.end <= verb.lead]
    after = [r for r in refs if r.start >= verb.end]
    if not prior or not _PASSIVE_GAP_RE.match(clause[prior[-1].end : verb.lead]):
        return []
    agents: list[Reference | None]
    if after and _AGENT_RE.match(clause[verb.end : after[0].start]):
        agents = [*chain(clause, after)]  # "… bởi Luật số 56/2024/QH15 và Luật số 90/2025/QH15"
    elif re.match(rf"^[\s,]*(?:bởi|tại|theo)\s+{_TYPE_WORDS}\s+này\b", clause[verb.end :], re.IGNORECASE):
        agents = [None]
    else:
        return []
    scope = _scope(clause[verb.end : after[0].start]) if after else None
    return [Found(RelationType(verb.type), prior[-1], a, scope) for a in agents]


_NOT_ACTING = {"TTr", "BC", "TB", "CV", "CĐ", "VBHN", "BB", "GM"}  # a proposal, report or notice changes nothing


def _acts(subject: Reference, gap: str) -> bool:
    """Whether the number before a verb is a text that can act on another (not "Tờ trình số … đề nghị ban hành
    Nghị quyết thay thế …")."""
    return subject.code not in _NOT_ACTING and not re.search(r"đề nghị|dự thảo|trình", gap, re.IGNORECASE)


_PART_BEFORE_RE = re.compile(rf"{_PART_WORDS}\s+[\w.]+(?:[\s,]+(?:và\s+)?{_PART_WORDS}?\s*[\w.]+)*\s*(?:của\s+)?"
                             rf"(?:{_TYPE_WORDS})?\s*(?:số\s*)?$")


def _expiry(clause: str, verb: _Verb, refs: list[Reference]) -> list[Found]:
    """"Nghị quyết số 15/2013/NQ-HĐND … hết hiệu lực kể từ ngày Nghị quyết này có hiệu lực": the stating document
    replaces the numbers listed before the formula (or after it: "…: số 15/2013/NQ-HĐND …")."""
    if not _SELF_RE.search(clause):
        after = [r for r in refs if r.start >= verb.end]
        if _LISTED_EXPIRE_RE.match(clause) and after:  # "Các quyết định sau hết hiệu lực … (:) a) Quyết định số …"
            return [Found(RelationType.REPLACES, r, None, None) for r in list_items(clause, after)]
        return []
    prior = [r for r in refs if r.end <= verb.start]
    if prior:
        lead = clause[: prior[0].start]
        part = _PART_BEFORE_RE.search(lead)
        if part or re.search(r"\bkèm theo\s+(?:" + _TYPE_WORDS + r")?\s*(?:số\s*)?$", lead, re.IGNORECASE):
            # "Điều 9 Thông tư số 16/2017/TT-BGDĐT … hết hiệu lực": that part ceases, the rest stays
            scope = _scope(part.group(0)) if part else "một phần"
            return [Found(RelationType.REPEALS, prior[0], None, scope or "một phần")]
        return [Found(RelationType.REPLACES, r, None, None) for r in chain(clause, prior)]
    after = [r for r in refs if r.start >= verb.end]
    if after and ":" in clause[verb.end : after[0].start]:
        return [Found(RelationType.REPLACES, r, None, None) for r in list_items(clause, after)]
    return []


def _basis(clause: str, refs: list[Reference], verbs: list[_Verb], going_on: bool = False) -> list[Found]:
    """"Căn cứ …", "Thực hiện …" opening a clause (or a clause that `going_on` a basis list after its ";"): every
    number named there is a basis of the stating document, except the object of another's title ("Thông tư …
    quy định chi tiết … Nghị định số 10/2022/NĐ-CP")."""
    m = _BASIS_RE.match(clause)
    if not m and not going_on:
        return []
    out = []
    for i, r in enumerate(refs):
        last = refs[i - 1].end if i else (m.end() if m else 0)
        between = [v for v in verbs if last <= v.start and v.end <= r.start]
        gap = clause[last : r.start]
        if (between and not between[-1].passive) or (i and _IMPLEMENTING_TITLE_RE.search(gap)):
            continue  # the object of the previous number's title ("… quy định chi tiết … của Nghị định số …")
        out.append(Found(RelationType.IMPLEMENTS, r, None, None if _VERB_RE.search(gap) else _scope(gap)))
    return out


# a list item naming a number first: "a) Quyết định số 12/2020/QĐ-UBND …", "số 15/2013/NQ-HĐND …"
ITEM_RE = re.compile(rf"^\W*{_LIST_MARK}?\s*(?:{_TYPE_WORDS}\s*)?(?:số\s*:?\s*)?(?=\d)", re.IGNORECASE)
# a basis list going on after ";" on the next line: "Luật sửa đổi … số 87/2025/QH15;"
BASIS_GOES_ON_RE = re.compile(rf"^\W*(?:{_TYPE_WORDS}|số\s*\d)", re.IGNORECASE)


_IMPLEMENTING_TITLE_RE = re.compile(r"\bvề\s+(?:việc\s+)?(?:thực hiện|triển khai)\b", re.IGNORECASE)


def opens_basis(clause: str) -> bool:
    """Whether a clause opens a legal basis ("Căn cứ …", "Thực hiện Quyết định số …")."""
    return bool(_BASIS_RE.match(clause))


def _until(clause: str, verbs: list[_Verb], i: int) -> int:
    """Where the objects of verb `i` end: at the next verb after it."""
    return next((v.start for v in verbs[i + 1 :] if v.start >= verbs[i].end), len(clause))


def _opener(clause: str, verbs: list[_Verb], refs: list[Reference], opening: bool) -> Opener | None:
    """The relation a clause opens when it ends "… thay thế các Quyết định sau:" with no number after the verb,
    or begins "Các quyết định sau hết hiệu lực …" (its items go on in the clauses that follow)."""
    if any(v.type == "expires" for v in verbs) and _LISTED_EXPIRE_RE.match(clause):
        return Opener(RelationType.REPLACES, None)
    if verbs and clause.rstrip().endswith(";"):
        return _list_goes_on(clause, verbs, refs, opening)
    if not verbs or not clause.rstrip().endswith(":"):
        return None
    v = verbs[-1]
    tail = clause[v.end :].rstrip()
    if any(r.start >= v.end for r in refs) or v.passive:
        return None
    if v.type == "expires":  # "… hết hiệu lực kể từ ngày Nghị quyết này có hiệu lực:", and under an article
        listed = opening and bool(_LISTED_EXPIRE_RE.match(clause))  # "2. Các quyết định sau hết hiệu lực …:"
        return Opener(RelationType.REPLACES, None) if _SELF_RE.search(clause) or listed else None
    if not _OBJECT_GAP_RE.match(tail) or not _subject(clause, v, refs, opening) == (True, None):
        return None
    return Opener(_kind(v, _scope(tail)), _scope(tail))


def _list_goes_on(clause: str, verbs: list[_Verb], refs: list[Reference], opening: bool) -> Opener | None:
    """A list opened in this clause and not closed by it ("… thay thế các Nghị định sau: Nghị định số …;"): its
    next items are the clauses that follow."""
    for v in verbs:
        after = [r for r in refs if r.start >= v.end]
        if v.passive or v.type == "expires" or not after:
            continue
        gap = clause[v.end : after[0].start]
        # "… thay thế A; B …" (a whole text each: after "Bãi bỏ Điều 1 của A;" what follows is A's title)
        listing = _LIST_OPENS_RE.search(gap) or (v.type in ("replaces", "repeals") and _scope(gap) is None)
        if listing and _OBJECT_GAP_RE.match(gap) and _subject(clause, v, refs, opening) == (True, None):
            return Opener(_kind(v, _scope(gap)), _scope(gap))
    return None


def relations_of_clause(clause: str, opening: bool = True, basis: bool = False
                        ) -> tuple[list[Found], Opener | None]:
    """The relations one clause states, and the list it opens if it ends in one; `opening`: a formula that opens
    the clause speaks for the document (true in the body of an article and in the title, not in a report's list
    of tasks); `basis`: the clause goes on a list of legal bases ("Căn cứ …; Luật … số 87/2025/QH15;").

    >>> found, _ = relations_of_clause(
    ...     "Quyết định này có hiệu lực từ ngày 05/12/2025 và thay thế Quyết định số 65/2024/QĐ-UBND ngày 05/12/2024")
    >>> [(f.type.value, f.other.ref) for f in found]
    [('replaces', '65/2024/QĐ-UBND')]
    >>> relations_of_clause("Thay thế máy móc, thiết bị theo Quyết định số 12/2024/QĐ-UBND")
    ([], None)
    """
    clause = unicodedata.normalize("NFC", clause)[:_MAX_CLAUSE]
    if _CONDITION_RE.match(clause):
        return [], None
    refs = [r for r in find_references(clause) if not r.partial and not _STANDARD_RE.search(clause[: r.start])]
    verbs = _verbs(clause)
    out = _basis(clause, refs, verbs, basis)
    for i, v in enumerate(verbs):
        until = _until(clause, verbs, i)
        if v.type == "expires":
            out.extend(_expiry(clause, v, refs))
        elif v.passive:
            out.extend(_passive(clause, v, refs))
        else:
            out.extend(_active(clause, v, refs, opening, until))
    return out, _opener(clause, verbs, refs, opening)


def effective_date(clause: str, signed: str | None = None) -> str | None:
    """The date from which a clause says something takes effect ("kể từ ngày 05/12/2025"; "kể từ ngày ký": the
    document's own date `signed`).

    >>> effective_date("có hiệu lực thi hành kể từ ngày 05/12/2025 và thay thế …")
    '2025-12-05'
    """
    m = _FROM_RE.search(clause)
    return _date(m, signed) if m else None


def in_force_date(clause: str, signed: str | None = None) -> str | None:
    """The stating document's own effective date, when the clause gives it ("Nghị quyết này có hiệu lực từ ngày
    01 tháng 01 năm 2026"; "… kể từ ngày ký" → `signed`).

    >>> in_force_date("Quyết định này có hiệu lực thi hành kể từ ngày ký.", signed="2025-11-24")
    '2025-11-24'
    """
    if _CONDITION_RE.match(clause):
        return None
    m = _IN_FORCE_RE.search(unicodedata.normalize("NFC", clause))
    if not m or any(not r.partial for r in find_references(clause[m.start() : m.end()])):
        return None  # "Nghị định 08/2022/NĐ-CP có hiệu lực từ …": another document's date
    return _date(m, signed)

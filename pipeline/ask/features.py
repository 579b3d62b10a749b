"""What a question requires of its answer sentence, and how far a candidate sentence meets it, as numbers.

A question is read once into a `Need`: its terms weighted by rarity, the words next to the question word, the
kind of value it asks for (`Kind`: an amount, a rate, a date, a duration, a time of day, a frequency, a
body responsible …), the unit it names ("bao nhiêu *ngày làm việc*"), a bound ("tối đa", "tối thiểu") and
whether it is negated ("không phải là …", "trừ …"). Each candidate sentence then gets one number per entry of
`FEATURES`: how much of the question it covers, and covers next to the value it states; whether it states a
value of the kind asked, in the unit asked, under the bound asked; whether it brings a negation or exclusion
the question does not have; whether it is a plan's or a decision's front matter ("Căn cứ …", "Trên cơ sở …
như sau:", "(Ban hành kèm theo …)"), a letterhead, only restates the question, or is its document's title.
`score` weighs them with `weights.WEIGHTS`, which ``bench/fit_select.py`` fits on development questions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from pipeline.ask import weights as _fitted
from pipeline.refs.references import find_references
from pipeline.text.abbreviations import in_other_form
from pipeline.text.clean import fold
from pipeline.text.segment import CODE_RE
from pipeline.text.vocab import DATE_MENTION_RE, QUESTION_STOP_WORDS, YEAR_RE

_NUM = r"\(?\d+(?:[.,]\d+)*\)?"
_SYL_RE = re.compile(rf"{CODE_RE.pattern}|\d+(?:[.,]\d+)*%?|\w+")


class Kind(Enum):
    """The kind of value a question asks for (several may apply: "bao nhiêu phần trăm và cơ quan nào")."""

    FIGURE = "figure"  # "bao nhiêu", "mấy": some figure
    AMOUNT = "amount"  # "bao nhiêu tiền", "mức phí", "kinh phí": a sum of money
    RATE = "rate"  # "bao nhiêu phần trăm", "tỷ lệ", "hệ số", "bao nhiêu lần"
    DATE = "date"  # "khi nào", "trước ngày nào", "từ ngày nào"
    DURATION = "duration"  # "bao lâu", "thời hạn bao nhiêu ngày", "mấy tuần"
    TIME = "time"  # "giờ nào", "mấy giờ": a time of day
    FREQUENCY = "frequency"  # "tần suất", "bao lâu một lần"
    BODY = "body"  # "cơ quan nào", "đơn vị nào chủ trì", "ai"
    CODE = "code"  # "mã số nào", "ký hiệu là gì": an identifier (a procedure's code "1.013225")


# the question words (folded): a question with two of them asks two things ("cơ quan nào chủ trì và năm nào")
WH_RE = re.compile(r"\b(bao nhieu|may|la gi|nhu the nao|khi nao|o dau|ai|nao)\b")
# what a question (folded) says it asks for; DURATION is tested before DATE ("thời hạn bao nhiêu ngày")
_ASKS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.FREQUENCY, re.compile(r"\b(tan suat|bao lau mot lan|may lan mot|dinh ky bao lau)\b")),
    (Kind.DURATION, re.compile(r"\b(bao lau|(bao nhieu|may) (ngay|thang|tuan|gio|phut|nam)\b|thoi han bao)")),
    (Kind.TIME, re.compile(r"\b(gio nao|may gio|khung gio|luc may)\b")),
    (Kind.DATE, re.compile(r"\b(khi nao|ngay nao|thang nao|nam nao|bao gio|thoi diem nao|thoi han nao|"
                          r"thoi gian nao)\b")),
    (Kind.RATE, re.compile(r"\b(phan tram|ty le|he so|bao nhieu lan|may lan)\b|%")),
    (Kind.AMOUNT, re.compile(r"\b(bao nhieu tien|bao nhieu dong|so tien|tong tien|kinh phi|muc (phi|thu|chi|gia|"
                             r"thuong|luong|tro cap|ho tro|cho vay|phat|hoc phi)|hoc phi|le phi|tong muc dau tu|"
                             r"muc tien)\b")),
    (Kind.BODY, re.compile(r"\b(co quan nao|don vi nao|to chuc nao|ai|(?<!ma )so nao|bo nao|cap nao|chu tri|nhung "
                           r"co quan|ben nao)\b")),
    (Kind.CODE, re.compile(r"\b(ma so|ma (?:thu tuc|tthc|dinh danh|ho so|nao|gi|la gi)|ky hieu|so hieu)\b")),
    (Kind.FIGURE, re.compile(r"\b(bao nhieu|may|so luong)\b")),
)
# what a sentence states, kind by kind (accented text; BODY is matched case-sensitively: "Sở Nội vụ")
_STATES: dict[Kind, re.Pattern[str]] = {
    Kind.AMOUNT: re.compile(rf"{_NUM}\s*(?:đồng|triệu|tỷ|nghìn|ngàn|usd|vnđ|vnd)\b", re.IGNORECASE),
    Kind.RATE: re.compile(rf"{_NUM}\s*%|phần trăm|hệ số\s*{_NUM}|{_NUM}\s*lần\b(?!\s*/)", re.IGNORECASE),
    Kind.DATE: DATE_MENTION_RE,
    Kind.DURATION: re.compile(rf"{_NUM}\s*(?:ngày|tháng|năm|tuần|giờ|phút|h)\b(?!\s*\d)", re.IGNORECASE),
    Kind.TIME: re.compile(rf"{_NUM}\s*(?:giờ|h)(?:\s*{_NUM}\s*(?:phút)?)?|\b24/(?:24|7)\b", re.IGNORECASE),
    Kind.FREQUENCY: re.compile(r"lần\s*/\s*(?:ngày|tuần|tháng|quý|năm)|\b(?:hằng|hàng|mỗi)\s+(?:ngày|tuần|tháng|"
                               r"quý|năm)|định kỳ", re.IGNORECASE),
    Kind.BODY: re.compile(r"\b(?:Sở|Bộ|Ủy ban|Uỷ ban|UBND|Công an|Cục|Chi cục|Ban|Trung tâm|Phòng|Hội đồng|"
                          r"Chủ tịch|Thanh tra|Kho bạc|Văn phòng|Bảo hiểm|Ngân hàng|Đoàn|Tòa án|Viện|Tổng cục)"
                          r"\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ]"),
    # a procedure's code ("1.013225", "2.002345.000.00.00.H12") or a value introduced as a code ("Mã số: QT-01")
    Kind.CODE: re.compile(r"(?<![\d.,])\d{1,2}\.\d{5,6}(?:\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?(?![\d,]|\.\d)|"
                          r"\b(?:mã|ký hiệu|số hiệu)(?: số)?\s*:\s*[A-Z0-9][\w.\-/]*", re.IGNORECASE),
}
_DOC_TYPES = ("nghị quyết|quyết định|nghị định|thông tư|chỉ thị|kế hoạch|công văn|luật|báo cáo|tờ trình|"
              "thông báo|hướng dẫn|đề án|chương trình|pháp lệnh|văn bản")
_NOT_FIGURE = [re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"), CODE_RE,
               re.compile(rf"\b(?:năm|ngày|tháng|Điều|khoản|điểm|số|lần thứ|{_DOC_TYPES})\s+\d+\b", re.IGNORECASE),
               YEAR_RE,
               re.compile(r"^\s*\(?\d+[.)]\s")]
# a bound the question puts on the value, and the ways a sentence states each (folded)
# (a deadline is an upper bound on a date: "trước ngày nào" ↔ "chậm nhất", "không sau"; a start a lower one)
_MAX_Q = re.compile(r"\b(toi da|khong qua|nhieu nhat|khong vuot qua|tran|truoc ngay|truoc thoi diem|cham nhat|"
                    r"han cuoi)\b")
_MIN_Q = re.compile(r"\b(toi thieu|it nhat|khong duoi|khong it hon|tu ngay|ke tu ngay|bat dau tu)\b")
_MAX_S = re.compile(r"\b(toi da|khong qua|khong vuot qua|nhieu nhat|tro xuong|khong lon hon|chua vuot|"
                    r"truoc ngay|cham nhat|khong sau|khong muon hon|han cuoi)\b")
_MIN_S = re.compile(r"\b(toi thieu|it nhat|khong duoi|khong it hon|tro len|khong thap hon|tu ngay|ke tu ngay|"
                    r"bat dau tu)\b")
# negation and exclusion (accented: folded "ngoai" is also "ngoại lai"); a bound is not a negation
# and "not counting" does not change the case stated ("(chưa kể thiệt hại tài sản trong dân)")
_BOUNDS = re.compile(r"\bkhông\s+(?:để\s+)?(?:quá|vượt quá|dưới|sau|muộn hơn|ít hơn|thấp hơn|lớn hơn|chậm hơn)\b|"
                     r"\b(?:chưa|không)\s+(?:kể|tính)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:không|trừ|chưa)\b", re.IGNORECASE)
# the front matter of a decision or plan: its legal bases, the lead-in to its content, its attachments
_PREAMBLE = re.compile(r"^\W*(?:căn cứ|xét|theo đề nghị|trên cơ sở|thực hiện (?:quyết định|nghị quyết|kế hoạch|"
                       r"chỉ thị|công văn|thông tư|nghị định|luật|văn bản|ý kiến|chỉ đạo|chương trình)|"
                       r"(?:ủy|uỷ) ban nhân dân \S+ (?:\S+ )?(?:ban hành|xây dựng))|như sau\s*:?\s*$",
                       re.IGNORECASE)
_FRONT = re.compile(r"^\W*(?:\(?\s*(?:ban hành |)kèm theo|số\s*:|v/v\b|nơi nhận)", re.IGNORECASE)
_TITLE_TYPE = re.compile(rf"^\W*(?:{_DOC_TYPES}|quy chế|quy định)\b", re.IGNORECASE)
_CITES = re.compile(rf"\b(?:{_DOC_TYPES})\s+(?:số\s+)?(\d+)(?!\s*năm)", re.IGNORECASE)
# a document named as staff type it: "qd 996", "nghi quyet 36/2025", "NQ 1661/UBTVQH15" (folded)
_NAMED = re.compile(rf"\b(?:{fold(_DOC_TYPES)}|qd|nq|nd|tt|ct|kh|cv)\s*(?:so\s*)?(\d+)")
_STOP_FOLDED = frozenset(fold(w) for w in QUESTION_STOP_WORDS)
fold_word = lru_cache(maxsize=1 << 16)(fold)  # syllables and pairs recur across sentences: fold each once
_MACHINE = re.compile(r"(?<=\bnhà )máy\b|\bmáy(?= (?:móc|tính|bay|chủ|in|phát|kéo|xúc|ảnh)\b)", re.IGNORECASE)
_TIME_UNITS = frozenset("ngay thang nam tuan gio phut quy lan".split())
_UNIT_STOP = frozenset("la duoc co phai thi con tren duoi trong vao tu den cho nguoi moi".split())

FEATURES = (
    "cover",  # share of the question's term weight the sentence holds (heading-only terms count half)
    "lex",  # log(1 + that weight): the absolute evidence
    "focus",  # share of the weight of the words next to the question word ("mức cho vay *tối đa*")
    "context",  # share of the term weight found only in the lines just before the sentence (a list's lead-in)
    "near_value",  # share of the term weight in the clause(s) that state the value asked for
    "kind",  # +1 the sentence states a value of each kind asked (amount, rate, date, body …), -1 of none
    "unit",  # a figure in the sentence carries the unit the question names ("bao nhiêu *tuần*" → "03 tuần")
    "bound",  # the question's bound ("tối đa") is the sentence's ("không quá")
    "other_bound",  # the sentence states the opposite bound only
    "negation",  # the sentence negates or excludes ("không", "trừ") and the question does not
    "negates_term",  # … right before a question term: "không có *khiếu nại*", "trừ *nhiệm vụ* đấu tranh …"
    "both_negated",  # both do
    "preamble",  # legal bases and lead-ins: "Căn cứ …", "Thực hiện Quyết định …", "… như sau:"
    "front",  # attachments and numbers: "(Ban hành kèm theo …)", "Số: …"
    "cites_other",  # the sentence names a document the question does not ("Quyết định số 02110/QĐ-UBND …")
    "subject_for_what",  # share of the sentence in its document's title subject, for "… quy định về gì?"
    "subject",  # the same for other questions
    "novelty",  # share of the sentence's content words that the question does not have
    "letterhead",  # the issuer's name or the bare document type ("BỘ TÀI CHÍNH CỤC THUẾ", "NGHỊ ĐỊNH")
    "title_for_what",  # an upper-case title, for a question asking what a document is about
    "title",  # an upper-case title otherwise
    "year",  # +1 the passage is about the year asked, -1 about another
    "code_missing",  # the question names a document number the sentence lacks
    "rank",  # log of the passage's rank
    "length",  # log(1 + syllables / 60)
    "cell",  # the candidate is a table cell read with its row and column ("Nông thôn · Trung học cơ sở: 95")
    "table_row",  # … a whole table row read under its headers
    "row_named",  # +1 the question names the cell's or row's row (its label, its group), -1 it does not
    "column_focus",  # the words next to the question word name the cell's column ("tần suất nào" → Tần suất)
    "column_year",  # +1 the cell's column names the year asked, -1 only other years
    "row_for_two",  # a whole row, for a question asking two things ("cơ quan nào chủ trì và năm nào")
    "doc_title",  # the candidate is the title of a document the question names by number
)


@dataclass(frozen=True)
class Source:
    """Where a candidate comes from when it is not a sentence of its passage: a table cell or row (`TableRow`
    records), or the title of the document the question names. Values as `features` reads them."""

    cell: bool = False
    row: bool = False
    title: bool = False
    row_named: float = 0.0  # +1 / -1, 0 for a sentence
    column_focus: bool = False
    column_year: float = 0.0  # +1 / -1 / 0
    asks_two: bool = False
    holds_asked: bool = False  # cells chosen, one under a header holding each kind of value asked


SENTENCE = Source()


@dataclass(frozen=True)
class Need:
    """What a question requires of its answer, read once per question.

    `terms` are the question's terms (accented syllables and pairs; a term typed without accents matches
    folded text) with their weights; `focus` those next to the question word."""

    terms: dict[str, float]
    focus: frozenset[str] = frozenset()
    asks: frozenset[Kind] = frozenset()
    unit: tuple[str, ...] = ()  # folded syllables after "bao nhiêu"/"mấy": ("ngay", "lam")
    bound: str = ""  # "max", "min" or ""
    negated: bool = False
    year: int | None = None
    codes: tuple[str, ...] = ()
    for_what: bool = False  # "… quy định về gì?", "… là nghị quyết gì?": asks what a document is about
    words: frozenset[str] = frozenset()  # the question's folded syllables
    numbers: frozenset[str] = frozenset()  # the numbers of the documents it names: "996" of "qd 996"
    asks_year: bool = False  # "năm nào": a bare year ("2026") states the date asked
    asks_two: bool = False  # two question words: each kind of value it asks is to be stated
    total: float = field(init=False, default=0.0)
    # each term with its weight and whether it is matched accented (typed with accents) or folded
    keyed: tuple[tuple[str, float, bool], ...] = field(init=False, default=())
    content: frozenset[str] = field(init=False, default=frozenset())  # the terms that are not function words

    def __post_init__(self) -> None:
        """The total term weight, for the shares, and each term's way of matching, read once."""
        object.__setattr__(self, "total", sum(self.terms.values()) or 1.0)
        object.__setattr__(self, "keyed", tuple((t, w, fold_word(t) != t) for t, w in self.terms.items()))
        object.__setattr__(self, "content", frozenset(t for t in self.terms if fold_word(t) not in _STOP_FOLDED))

    @classmethod
    def of(cls, question: str, terms: dict[str, float], focus: frozenset[str] = frozenset(),
           year: int | None = None) -> Need:
        """Read a question (accents restored where they were missing) with its weighted terms.

        >>> n = Need.of("Thời hạn giải quyết tối đa bao nhiêu ngày làm việc?", {"thời_hạn": 1.0})
        >>> sorted(k.value for k in n.asks), n.unit, n.bound
        (['duration', 'figure'], ('ngay', 'lam'), 'max')
        """
        # "nhà máy", "máy móc" are not "mấy" (a bare "máy" may be "mấy" restored wrongly: "máy giờ sáng")
        folded = fold(_MACHINE.sub("máy_", question))
        asks = frozenset(k for k, pattern in _ASKS if pattern.search(folded))
        if re.search(r"\bmức\b", question, re.IGNORECASE):  # "mức" (folded "muc" is also "mục đích")
            asks |= {Kind.FIGURE}
        bound = "max" if _MAX_Q.search(folded) else "min" if _MIN_Q.search(folded) else ""
        negated = bool(_NEGATION.search(_BOUNDS.sub(" ", question))) or " khong phai " in f" {folded} "
        codes = tuple(t for t in terms if CODE_RE.fullmatch(t.upper()))
        numbers = _numbers(question) | _numbers(question.upper())  # "172/2025/nđ-cp" typed in lower case
        # "… quy định về gì?", "… ban hành quy chế về hệ thống nào?" of a document it names by number, or
        # the number with a word or two ("172/2025/NĐ-CP", "tt 69/2025/tt-bnnmt")
        upper = question.upper()  # "172/2025/nd-cp" typed in lower case is still a document number
        rest = [w for w in syllables(CODE_RE.sub(" ", upper)) if not w.isdigit() and fold(w) not in _STOP_FOLDED]
        what = bool(re.search(r"\b(ve (viec )?gi|la gi|gi\??$|nhung gi|noi dung gi)", folded))
        for_what = not asks and bool(numbers) and (what or len(rest) <= 3 or " nao" in f" {folded}")
        words = frozenset(fold(w) for w in syllables(question))
        asks_year = bool(re.search(r"\b(vao |trong |tu |den )?nam nao\b", folded))
        return cls(terms, focus, asks, _unit(folded), bound, negated, year, codes, for_what, words, numbers,
                   asks_year, len(WH_RE.findall(folded)) > 1)


def _numbers(text: str) -> frozenset[str]:
    """The numbers of the documents a text names ("Quyết định số 996/QĐ-TTg", "qd 996": "996"), leading zeros
    dropped."""
    found = [r.number for r in find_references(text)] + _NAMED.findall(fold(text))
    found += [m.group(1) for m in _CITES.finditer(text)]
    return frozenset(n.lstrip("0") or "0" for n in found)


def _unit(folded: str) -> tuple[str, ...]:
    """The (up to two) content syllables after "bao nhiêu" or "mấy": what the figure is counted in."""
    m = re.search(r"\b(?:bao nhieu|may)\s+((?:\w+\s*){0,2})", folded)
    if not m:
        return ()
    out = []
    for w in m.group(1).split():
        if w in _UNIT_STOP or w in _STOP_FOLDED:
            break
        out.append(w)
    return tuple(out)


def syllables(text: str) -> list[str]:
    """Lower-case syllables; a document number (``59/2019/NĐ-CP``) is one."""
    return [w.lower() for w in _SYL_RE.findall(text)]


@lru_cache(maxsize=4096)
def tokens(text: str) -> frozenset[str]:
    """Lower-case syllables and adjacent pairs, accents kept: ``đạt`` and ``đất`` stay apart. Cached: a
    passage's heading and a sentence's lead-in are read once per candidate."""
    syl = syllables(text)
    out = set(syl) | {f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False)}
    # "TỔNG CHI NSĐP" also holds "tổng chi ngân sách địa phương", and a text that spells it out the abbreviation
    if (other := in_other_form(syl)) is not None:
        out.update(other, (f"{a}_{b}" for a, b in zip(other, other[1:], strict=False)))
    return frozenset(out)


def has_figure(sentence: str) -> bool:
    """A figure, not a document number, date, year or list number: ``1.172,5 tỷ``, ``95%``, ``639 em``."""
    for pattern in _NOT_FIGURE:
        sentence = pattern.sub(" ", sentence)
    return any(c.isdigit() for c in sentence)


def _states_count(sentence: str) -> bool:
    """A figure that is not a duration or a time ("639 em", not "kỷ niệm 65 năm")."""
    return has_figure(_STATES[Kind.TIME].sub(" ", _STATES[Kind.DURATION].sub(" ", sentence)))


def states(sentence: str, kind: Kind) -> bool:
    """Whether the sentence states a value of this kind.

    >>> states("trong thời hạn 07 ngày làm việc", Kind.DURATION), states("trước ngày 20 tháng 12", Kind.DURATION)
    (True, False)
    """
    if kind is Kind.FIGURE:
        return has_figure(sentence)
    return bool(_STATES[kind].search(sentence))


def matched(need: Need, toks: frozenset[str]) -> dict[str, float]:
    """The question terms a token set holds: an accented term in accented tokens, an unaccented one in folded
    tokens."""
    folded = {fold_word(t) for t in toks}
    return {t: w for t, w, exact in need.keyed if (t in toks if exact else t in folded)}


def _has_unit(sentence: str, unit: Sequence[str]) -> bool:
    """A number followed (perhaps after a bracketed figure) by the unit's first syllable."""
    if not unit:
        return False
    pattern = rf"\d\)?\s*(?:\(\w+\)\s*)?{re.escape(unit[0])}\b"
    return bool(re.search(pattern, fold(sentence)))


def _near_value(sentence: str, need: Need) -> float:
    """The best share of term weight in one ';'-clause stating the value asked (with the sentence's lead-in
    before its first ':'), so that the condition is read where the figure is, not anywhere in the sentence."""
    kinds: list[Kind] = [k for k in need.asks if k is not Kind.FIGURE] or list(need.asks)
    if not kinds:
        return 0.0
    lead = sentence.split(":", 1)[0] if ":" in sentence else ""
    best = 0.0
    for clause in re.split(r";\s+|\.\s+", sentence):
        if not any(states(clause, k) for k in kinds):
            continue
        got = matched(need, tokens(f"{lead} {clause}"))
        best = max(best, sum(got.values()) / need.total)
    return best


def _is_title(sentence: str) -> bool:
    """Most letters upper case: a document's or section's title."""
    letters = [c for c in sentence if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _novelty(sentence: str, question_words: frozenset[str]) -> float:
    """The share of the sentence's content syllables (folded) the question does not have."""
    words = [w for w in map(fold_word, syllables(sentence)) if w not in _STOP_FOLDED and not w.isdigit()]
    if not words:
        return 0.0
    return sum(w not in question_words for w in words) / len(words)


def score(values: Sequence[float], weights: dict[str, float] | None = None) -> float:
    """A candidate's score: its features weighed (by default with the fitted `weights.WEIGHTS`)."""
    w = _fitted.WEIGHTS if weights is None else weights
    return sum(w[name] * v for name, v in zip(FEATURES, values, strict=True))


def _kind_met(stated: list[bool], asks_two: bool) -> float:
    """+1 when the candidate states a value of the kind asked, -1 when of none. A question asking two things
    needs both: stating one of them is half-way (0). With one question word, one kind stated is enough (the
    others read from the question may name its topic: "lệ phí trước bạ … tỷ lệ bao nhiêu")."""
    if not stated:
        return 0.0
    if asks_two:
        return 2.0 * sum(stated) / len(stated) - 1.0
    return 1.0 if any(stated) else -1.0


def _negates_term(sentence: str, need: Need) -> bool:
    """A negation or exclusion word within two syllables before a question term ("không có khiếu nại")."""
    syl = syllables(_BOUNDS.sub(" ", sentence))
    for i, w in enumerate(syl):
        if w in ("không", "trừ", "chưa"):
            if need.content & matched(need, tokens(" ".join(syl[i + 1 : i + 4]))).keys():
                return True
    return False


def _cites_other(sentence: str, need: Need) -> bool:
    """The sentence names a document (by number) that the question does not name."""
    return bool(_numbers(sentence) - need.numbers)


@lru_cache(maxsize=1024)
def _subject(title: str) -> frozenset[str]:
    """The folded syllables of a title without its document type."""
    return frozenset(fold_word(w) for w in syllables(_TITLE_TYPE.sub(" ", title)))


def _subject_share(sentence: str, title: str) -> float:
    """The share of the sentence's syllables that are in the subject of its document's title (the title
    without its type: "QUYẾT ĐỊNH *BAN HÀNH QUY CHẾ …*"); 0 for a sentence of fewer than three syllables."""
    words = [fold_word(w) for w in syllables(sentence)]
    subject = _subject(title)
    if len(words) < 3 or not subject:
        return 0.0
    return sum(w in subject for w in words) / len(words)


def _letterhead(sentence: str, issuer: str) -> bool:
    """The sentence only names the issuer ("BỘ TÀI CHÍNH CỤC THUẾ") or the type of the document."""
    words = [fold_word(w) for w in syllables(sentence)]
    if not words:
        return False
    if _TITLE_TYPE.sub("", sentence).strip(" .:*_-") == "":
        return True
    named = _subject(issuer) if issuer else frozenset()
    return bool(named) and all(w in named for w in words)


def features(sentence: str, need: Need, *, heading: str = "", rank: int = 1, year: int | None = None,
             title: str = "", issuer: str = "", before: str = "", source: Source = SENTENCE) -> list[float]:
    """One number per entry of `FEATURES` for a candidate sentence of the passage at `rank` (whose last
    heading is `heading`, whose year is `year`, whose document's title and issuer are `title` and `issuer`,
    and which `before` precedes in its passage); `source` says when it is a table cell or row, or a title."""
    toks = tokens(sentence)
    head = tokens(heading)
    body = matched(need, toks)
    in_head = {t: w for t, w in matched(need, head).items() if t not in body}
    weight = sum(body.values()) + 0.5 * sum(in_head.values())
    context = sum(w for t, w in matched(need, tokens(before)).items() if t not in body)
    focus_total = sum(w for t, w in need.terms.items() if t in need.focus)
    focus = sum(w for t, w in body.items() if t in need.focus) / focus_total if focus_total else 0.0
    specific: list[Kind] = [k for k in need.asks if k is not Kind.FIGURE] or list(need.asks)
    if specific == [Kind.FIGURE] and need.unit and need.unit[0] not in _TIME_UNITS:
        kind = [_states_count(sentence)]  # "bao nhiêu học sinh": a count, not "65 năm"
    else:
        kind = [states(sentence, k) or (k is Kind.DATE and need.asks_year and bool(YEAR_RE.search(sentence)))
                for k in specific]
    f_sent = fold(sentence)
    has_max, has_min = bool(_MAX_S.search(f_sent)), bool(_MIN_S.search(f_sent))
    negation = bool(_NEGATION.search(_BOUNDS.sub(" ", sentence)))
    title_case = _is_title(sentence)
    subject = _subject_share(sentence, title)
    return [
        weight / need.total,
        math.log1p(weight),
        focus,
        context / need.total,
        _near_value(sentence, need),
        _kind_met(kind, need.asks_two) if not source.holds_asked else 1.0,
        float(_has_unit(sentence, need.unit)),
        float(need.bound == "max" and has_max or need.bound == "min" and has_min),
        float(need.bound == "max" and has_min and not has_max or need.bound == "min" and has_max and not has_min),
        float(negation and not need.negated),
        float(not need.negated and _negates_term(sentence, need)),
        float(negation and need.negated),
        float(bool(_PREAMBLE.search(sentence))),
        float(bool(_FRONT.search(sentence))),
        float(_cites_other(sentence, need)),
        subject if need.for_what else 0.0,
        0.0 if need.for_what else subject,
        _novelty(sentence, need.words),
        float(_letterhead(sentence, issuer)),
        float(title_case and need.for_what),
        float(title_case and not need.for_what),
        0.0 if need.year is None or year is None else (1.0 if year == need.year else -1.0),
        float(bool(need.codes) and not any(c in toks for c in need.codes)),
        math.log(rank),
        math.log1p(len(toks) / 2 / 60),
        float(source.cell),
        float(source.row),
        source.row_named,
        float(source.column_focus),
        source.column_year,
        float(source.row and source.asks_two),
        float(source.title),
    ]

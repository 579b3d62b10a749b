"""Indicator statements: what a report says was achieved (``result``) or is committed (``target``), with the
indicator's name, value, unit, year and the sentence it comes from.

``- Tăng trưởng kinh tế đạt 11,5%.`` under "Dự kiến các chỉ tiêu chủ yếu" (2023) is a target; ``Tổng thu ngân
sách nhà nước năm 2022 ước đạt 1.172,5 tỷ đồng, vượt 17% kế hoạch năm`` is a 2022 result with its plan ratio.
Pure functions over text and chunks; the store keeps what `indicators_in` finds, `compare.py` lines them up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from pipeline.text.clean import strip_marks
from pipeline.text.segment import split_sentences
from pipeline.text.vocab import MEASURE_UNITS, YEAR, YEAR_OF_RE, YEAR_RE
from pipeline.types import Chunk, RowKind, TableRow


class Kind(StrEnum):
    """Whether a statement reports a result (``đạt 6,8%``) or sets a target (``phấn đấu 7,5%``)."""
    RESULT = "result"
    TARGET = "target"


@dataclass(frozen=True)
class Indicator:
    """One indicator statement. `value` is the parsed number, `raw` the number as printed."""

    name: str
    year: int | None
    kind: Kind
    value: float
    unit: str | None
    qualifier: str | None  # "trên", "dưới", "gần", "hơn", "khoảng", or the direction "tăng"/"giảm"/"vượt"
    raw: str
    plan_ratio: str | None = None  # "bằng 100,6%KH", "vượt 17% kế hoạch"
    total: float | None = None  # "70/70 xã": 70 of 70
    doc: str = ""
    section: str = ""
    chunk_id: str = ""
    text: str = ""  # the sentence

    def to_json(self) -> dict:
        """The indicator as the JSON object `compare --json` and the exports show."""
        return {"name": self.name, "year": self.year, "kind": self.kind.value, "value": self.value,
                "unit": self.unit, "qualifier": self.qualifier, "raw": self.raw, "plan_ratio": self.plan_ratio,
                "total": self.total, "doc": self.doc, "section": self.section, "chunk_id": self.chunk_id,
                "text": self.text}


# --- Vietnamese numbers: "." groups thousands, "," is the decimal mark -------------------------------------

NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:\.\d{1,3})+|\d+(?:,\d+)?"


def parse_number(raw: str) -> float:
    """``1.172,5`` → 1172.5, ``118.979`` → 118979, ``11,67`` → 11.67, ``0,61`` → 0.61; a dot before one or two
    final digits is a decimal typed the English way (``2.447.6`` → 2447.6, ``11.5`` → 11.5).
    Raises ValueError on anything else.

    >>> parse_number("1.172,5"), parse_number("118.979"), parse_number("2.447.6")
    (1172.5, 118979.0, 2447.6)
    """
    s = raw.strip()
    if not re.fullmatch(NUMBER, s):
        raise ValueError(f"not a Vietnamese number: {raw!r}")
    if "," in s:
        whole, dec = s.rsplit(",", 1)
        return float(f"{whole.replace('.', '')}.{dec}")
    groups = s.split(".")
    if all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups))
    return float("".join(groups[:-1]) + "." + groups[-1])


def format_number(value: float) -> str:
    """The Vietnamese way back: 1172.5 → ``1.172,5``; parse_number(format_number(x)) == x for 3 decimals."""
    whole, _, dec = f"{value:.3f}".rstrip("0").rstrip(".").partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    grouped = ".".join(digits[max(0, i - 3) : i] for i in range(len(digits), 0, -3)[::-1])
    return sign + grouped + ("," + dec if dec else "")


# --- statements --------------------------------------------------------------------------------------------

# units that name what is counted ("Xây dựng 45 Tổ dân phố mẫu"): part of the indicator's name when no verb
# stands between name and value; measures (%, km, tỷ đồng…) never are
_COUNT_NOUNS = {"cây xanh", "cây", "tổ dân phố", "khu dân cư", "tuyến phố", "tuyến", "trường", "doanh nghiệp",
                "hợp tác xã", "htx", "công trình", "dự án", "hộ", "xã", "phường", "nhà", "lớp", "học sinh",
                "sản phẩm", "cơ sở",
                "thôn", "đơn vị", "căn hộ", "căn", "giường", "lao động", "hồ sơ", "trường hợp", "cuộc", "con", "người",
                "lượt người", "lượt khách", "lượt", "bác sĩ", "dn"}
_SAME_NOUN = {"dn": "doanh nghiệp", "htx": "hợp tác xã", "doanh nghiệp": "dn", "hợp tác xã": "htx"}
_UNIT_RE = "|".join(sorted((re.escape(u) for u in MEASURE_UNITS), key=len, reverse=True))
_VALUE_RE = re.compile(
    rf"(?<![\w.,/])(?P<num>{NUMBER})(?:/(?P<total>\d+(?:[.,]\d+)?))?"
    rf"\s?(?P<unit>(?i:{_UNIT_RE}))(?P<per>(?:/[^\W\d_]+)*)(?!\w)",
)
_PLAN_RE = re.compile(
    rf"^\s*,?\s*(?P<plan>(?:bằng|đạt|vượt|tăng|giảm)?\s*(?:{NUMBER})\s*%\s*(?:KH|kế hoạch)(?:\s+năm)?)",
    re.IGNORECASE,
)
# the verb between an indicator's name and its value; the nearest one before the value splits them
_CUE_RE = re.compile(
    r"\b(?:ước đạt|ước thực hiện|ước tính|ước|đạt|thực hiện|tăng|giảm|còn|là|hoàn thành|với|lên|xuống|được)\b"
    r"|:", re.IGNORECASE,
)
_QUALIFIER_RE = re.compile(
    r"(?:\b(?P<q>trên|dưới|hơn|gần|khoảng|tối thiểu|ít nhất|tối đa|xấp xỉ|trở lên)\s*)$", re.IGNORECASE)
_DIRECTION_RE = re.compile(r"\b(tăng|giảm|vượt)\b", re.IGNORECASE)
_TARGET_SECTION_RE = re.compile(r"chỉ tiêu|dự kiến|kế hoạch năm|mục tiêu|nhiệm vụ", re.IGNORECASE)
_TARGET_SENTENCE_RE = re.compile(r"\b(?:phấn đấu|mục tiêu|dự kiến|chỉ tiêu (?:năm \d{4} )?(?:là|:)|"
                                 r"kế hoạch năm \d{4} (?:là|:))", re.IGNORECASE)
_RESULT_SENTENCE_RE = re.compile(r"\b(?:ước đạt|ước thực hiện|đã|so với cùng kỳ|lũy kế|đến nay)\b",
                                 re.IGNORECASE)
_LEAD_RE = re.compile(r"^[\s\-–+•*]*(?:[a-zđ]\)\s*|\d+(?:\.\d+)*\.\s+)?(?:trong đó\s*:?\s*|và\s+|,\s*)*",
                      re.IGNORECASE)
_NAME_TRIM_RE = re.compile(rf"\s*\bnăm\s+{YEAR}\b|\s*\(\s*\)", re.IGNORECASE)
_MAX_NAME_WORDS = 20
# the words after a value that may name it ("5 km đường giao thông hoàn thành …"): up to a verb or a clause end
_REST_RE = re.compile(r"(?:(?!\b(?:vượt|đạt|bằng|tăng|giảm|hoàn thành|theo|đối với|trong đó|lũy kế|gồm|của|và|được|"
                      r"thì|nếu|trong khi)\b)[^.;:()\d])*")
_PART_OF_NAME_RE = re.compile(rf"^[^,.;:]*:\s*(?:trên|dưới|hơn|gần|khoảng)?\s*(?:{NUMBER})")


def _clean_name(text: str) -> str:
    name = _LEAD_RE.sub("", re.sub(r"^\s*\[\d+\]\s*", "", text))
    name = _NAME_TRIM_RE.sub("", name)
    name = " ".join(name.strip(" ,;:-–").split())
    return name[:1].upper() + name[1:] if name else ""


# --- what is not an indicator statement: a sentence that sets a rule, a number that is not a value -----------

_CONDITION_RE = re.compile(r"(?:^|[,;:.(]\s*|\btrong\s+)trường hợp\b|\b(?:nếu|cứ mỗi|mỗi khi|đối tượng có|có từ)\b",
                           re.IGNORECASE)
_BOUND_RE = re.compile(r"\b(?:tối đa|tối thiểu|không quá|không vượt quá|không thấp hơn)\b", re.IGNORECASE)
_FEE_RE = re.compile(r"\b(?:mức phạt|lệ phí|mức thu)\b", re.IGNORECASE)
_NORM_RE = re.compile(r"\b(?:mức hỗ trợ|được hỗ trợ|mức cho vay|định mức|đơn giá|giá bán|hệ số)\b"
                      r"|^\W*(?:[a-zđ]\)\s*)?Mức\b", re.IGNORECASE)
_SCORING_RE = re.compile(r"\b(?:được tính|điểm chuẩn|cứ tăng thêm|cộng \d+ điểm|thêm \d+ điểm|trừ \d+ điểm)\b",
                         re.IGNORECASE)
_ELIGIBILITY_RE = re.compile(r"\bchỉ những\b.*\bmới được\b", re.IGNORECASE)
_CRITERION_RE = re.compile(r"^\W*(?:[a-zđ]\)\s*)?Có (?:dưới|trên|từ|ít nhất|không quá)\b", re.IGNORECASE)
_CALCULATION_RE = re.compile(r"\s[x×]\s*\d|\d\s*[x×=]\s", re.IGNORECASE)


def is_table_fragment(text: str) -> bool:
    """``Chỉ tiêu | Đơn vị | 2022``: a table row out of its table, its cells without their headers."""
    return "|" in text


def is_condition(text: str) -> bool:
    """``Trường hợp người lao động có từ 10 năm công tác …``, ``Nếu …``, ``Cứ mỗi …``: a condition, not a level."""
    return bool(_CONDITION_RE.search(text))


def is_bound(text: str) -> bool:
    """``Thời gian giải quyết tối đa 15 ngày``, ``không quá 30%``: a ceiling or a floor a rule sets."""
    return bool(_BOUND_RE.search(text))


def is_fee_or_fine(text: str) -> bool:
    """``Mức phạt tiền từ 2.000.000 đồng …``, ``Lệ phí 50.000 đồng``: a fine or a fee."""
    return bool(_FEE_RE.search(text))


def is_rate_norm(text: str) -> bool:
    """``Mức hỗ trợ 300.000 đồng/người``, ``c) Mức 1.500.000 đồng …``, ``định mức``, ``đơn giá``: a rate a rule
    sets."""
    return bool(_NORM_RE.search(text))


def is_scoring(text: str) -> bool:
    """``… được tính 0,5 điểm``, ``cộng 2 điểm``: how something is scored."""
    return bool(_SCORING_RE.search(text))


def is_eligibility(text: str) -> bool:
    """``Chỉ những cá nhân đạt ít nhất 80% … mới được cấp``: who may be granted something."""
    return bool(_ELIGIBILITY_RE.search(text))


def is_criterion(text: str) -> bool:
    """``+ Có dưới 60% đường thôn, xóm được cứng hóa``: a criterion of a classification."""
    return bool(_CRITERION_RE.search(text))


def is_calculation(text: str) -> bool:
    """``50 người/lớp x 02 lớp = 100 người``: a calculation, its factors are no statements."""
    return bool(_CALCULATION_RE.search(text))


# a sentence any of these says yes to sets rules or conditions rather than reports or commits a level
SENTENCE_SKIPS = (is_table_fragment, is_condition, is_bound, is_fee_or_fine, is_rate_norm, is_scoring,
                  is_eligibility, is_criterion, is_calculation)


@dataclass(frozen=True)
class Candidate:
    """A number with a unit in a sentence, and what stands before it since the previous statement ended."""

    text: str  # the sentence
    m: re.Match[str]  # the number, its total and unit (`_VALUE_RE`)
    left: str  # the text from the previous statement's end to the number
    value: float

    @property
    def unit(self) -> str:
        """The unit printed after the number (``%``, ``tỷ đồng``, ``km``)."""
        return self.m.group("unit")

    @property
    def after(self) -> str:
        """The rest of the sentence after the number and its unit."""
        return self.text[self.m.end() :]


def is_year_or_date(c: Candidate) -> bool:
    """``năm 2022 người``, ``ngày 15/3``, a bare 2022: a year or a date, not a value."""
    return bool(re.search(r"(?:\bnăm|\bgiai đoạn|\bngày|/)\s*$", c.left)) or (
        c.unit != "%" and 1900 <= c.value <= 2100 and "." not in c.m.group("num"))


def is_range_start(c: Candidate) -> bool:
    """``từ 30.000.000 đồng đến 50.000.000 đồng``: the lower bound of a range, the bounds of a rule."""
    return bool(re.search(r"\btừ\s*$", c.left) and re.match(r"\s*(?:đến|tới|-)\s*\d", c.after))


def is_range_end(c: Candidate) -> bool:
    """``… đến 50.000.000 đồng``, ``Đến 01 tỷ đồng``, ``Đơn vị tính: 1.000 đồng``: the upper bound of a range,
    or the unit a table's numbers are given in."""
    return bool(re.search(r"\b(?:đến|tới)\s*$|\d\s*[-–]\s*$|\b(?:đơn vị(?: tính)?|đvt)\s*:\s*$", c.left,
                          re.IGNORECASE))


def is_list_number(c: Candidate) -> bool:
    """``5 Trường hợp có nhiều tổ chức …``: a list number before a capitalised heading."""
    return c.m.start() == 0 and c.unit[:1].isupper() and c.unit != "DN"


def is_rate(c: Candidate) -> bool:
    """``300.000 đồng/người/buổi``, ``1.296.000 đồng/ha/năm``: a rate set by a rule."""
    return bool(re.match(r"(?:nghìn |ngàn )?đồng/", c.unit + (c.m.group("per") or "")))


def is_part_of_name(c: Candidate) -> bool:
    """``thu nhập trên 1ha canh tác: 87 triệu đồng/ha``: the number belongs to the name, the value comes after
    the colon."""
    return bool(_PART_OF_NAME_RE.match(c.after)) or (c.value == 1 and bool(re.search(r"\btrên\s*$", c.left)))


# a number any of these says yes to is no value; (rule, passed): a passed number also ends the name of the next
VALUE_SKIPS = ((is_year_or_date, False), (is_range_start, True), (is_range_end, True), (is_list_number, False),
               (is_rate, False), (is_part_of_name, False))


def find_indicators(sentence: str, *, year: int | None = None, target_section: bool = False) -> list[Indicator]:
    """The indicator statements of one sentence or list item. `year` is the year its section is about;
    `target_section` says the section sets targets ("Dự kiến các chỉ tiêu chủ yếu").

    >>> [(i.name, i.value, i.unit, i.kind.value) for i in find_indicators("- Tăng trưởng kinh tế đạt 11,5%.",
    ...                                                                      year=2023, target_section=True)]
    [('Tăng trưởng kinh tế', 11.5, '%', 'target')]
    """
    text = " ".join(strip_marks(sentence).split())
    if any(rule(text) for rule in SENTENCE_SKIPS):
        return []
    out: list[Indicator] = []
    start = 0  # where the current statement's name may begin
    for m in _VALUE_RE.finditer(text):
        if m.start() < start:
            continue
        try:
            c = Candidate(text, m, text[start : m.start()], parse_number(m.group("num")))
        except ValueError:
            continue
        passed = next((passed for rule, passed in VALUE_SKIPS if rule(c)), None)
        if passed is not None:
            start = m.end() if passed else start
            continue
        found, start = _statement(c, year, target_section)
        if found is not None:
            out.append(found)
    return out


def _statement(c: Candidate, year: int | None, target_section: bool) -> tuple[Indicator | None, int]:
    """The statement a value makes (None when nothing names it), and where the next one may begin."""
    text, m, left = c.text, c.m, c.left
    end = m.end()
    at_least = re.match(r"\s*trở lên\b", text[end:])
    if at_least:
        end += at_least.end()
    plan = _PLAN_RE.match(text[end:])
    plan_ratio = " ".join(plan.group("plan").split()) if plan else None
    if plan:
        end += plan.end()
    qual = _QUALIFIER_RE.search(left)
    head = left[: qual.start()] if qual else left
    name_text, direction, counted, end, plan_ratio = _name_text(c, head, end, plan_ratio)
    name = _name(name_text, counted)
    if len(name) < 3 or not re.search(r"[^\W\d_]{2}", name):
        return None, end
    stmt_year = _statement_year(left, year)
    return Indicator(
        name=name, year=stmt_year, kind=_kind(left, stmt_year, year, target_section), value=c.value,
        unit=c.unit + (m.group("per") or ""),
        qualifier=(qual.group("q").lower() if qual else "trở lên" if at_least else None) or direction or None,
        raw=m.group(0).strip(), plan_ratio=plan_ratio,
        total=parse_number(m.group("total").replace(".", ",")) if m.group("total") else None,
        text=text,
    ), end


def _name_text(c: Candidate, head: str, end: int, plan_ratio: str | None
               ) -> tuple[str, str | None, str | None, int, str | None]:
    """(the words that name the value, the direction its verb gives, what it counts, where the statement ends,
    its plan ratio). The name stands before the value up to the nearest verb (``Tổng thu ngân sách … ước đạt``)
    or, when nothing before it names the value, after it (``hoàn thành 12 km mương``, ``Xây dựng 45 Tổ dân phố
    mẫu``); then the statement ends after those words and a plan ratio may follow them."""
    text = c.text
    cues = list(_CUE_RE.finditer(head))
    rest = _REST_RE.match(text[end:]).group(0)  # type: ignore[union-attr]  # the pattern also matches ""
    rest_words = rest.strip(" ,").split()
    at_cue = bool(cues) and head[cues[-1].end() :].strip() == ""
    before = head[: cues[-1].start()] if at_cue else head
    # nothing names the value before it ("…31/12/2022: 5 km đường giao thông", "; hoàn thành 12 km mương, …"):
    # the words after it do
    nameless = not before.rsplit(";", 1)[-1].strip() or (at_cue and cues[-1].group(0) == ":")
    if at_cue and not (nameless and rest_words and (len(rest_words) >= 2 or not before.strip())):
        cue = cues[-1].group(0).lower()
        direction = _DIRECTION_RE.fullmatch(cue) and cue
        counted = c.unit if c.unit.lower() in _COUNT_NOUNS else None
        return before, direction or None, counted, end, plan_ratio
    # "Xây dựng 45 Tổ dân phố mẫu", "Trồng mới 20.000 cây xanh": the noun after the number names it
    noun = c.unit if c.unit.lower() in _COUNT_NOUNS else ""
    rest_text = " ".join(rest_words[:12])  # what follows the value: its beginning names it
    name_text = f"{noun} {rest_text}" if at_cue else f"{head} {noun} {rest_text}"
    end += len(rest)
    if not plan_ratio and (plan := _PLAN_RE.match(" " + text[end:].lstrip(" ,")[:60])):
        plan_ratio = " ".join(plan.group("plan").split())
        end += len(text[end:]) - len(text[end:].lstrip(" ,")) + plan.end() - 1
    return name_text, None, None, end, plan_ratio


def _name(name_text: str, counted: str | None) -> str:
    """The indicator's name from the words that name it: at most the last clause of 20 words, after the last
    colon or semicolon, cleaned; what is counted added when the name does not say it."""
    if len(name_text.split()) > _MAX_NAME_WORDS:
        cuts = [i for i, ch in enumerate(name_text) if ch == "," and len(name_text[i:].split()) >= 4]
        name_text = name_text[cuts[-1] + 1 :] if cuts else " ".join(name_text.split()[-_MAX_NAME_WORDS:])
    for sep in (":", ";"):
        if sep in name_text and name_text.rsplit(sep, 1)[1].strip():
            name_text = name_text.rsplit(sep, 1)[1]
    name = _clean_name(name_text)
    if counted and not any(x in name.lower() for x in (counted.lower(), _SAME_NOUN.get(counted.lower(), "\0"))):
        # what is counted belongs to the name: "trồng mới ước đạt 20.000 cây xanh" → "Trồng mới cây xanh",
        # "Đăng ký thành lập mới trong năm ước đạt 394 doanh nghiệp" → "… trong năm (doanh nghiệp)"
        name = f"{name} {counted}" if len(name.split()) <= 3 else f"{name} ({counted})"
    return name


def _statement_year(left: str, year: int | None) -> int | None:
    """The year the words before the value name (``năm 2025``), else the section's. A date (``tháng 11 năm
    2025``) or a start (``từ năm 2020``) names none."""
    years = [y.group(1) for y in YEAR_OF_RE.finditer(left)
             if not re.search(r"(?:\btừ|tháng\s+\d{1,2})\s*$", left[: y.start()])]
    return int(years[-1]) if years else year


def _kind(left: str, stmt_year: int | None, year: int | None, target_section: bool) -> Kind:
    """A target in a section that sets targets, after "phấn đấu/mục tiêu/dự kiến …", or for a year after the
    section's; a result otherwise."""
    if target_section or _TARGET_SENTENCE_RE.search(left):
        return Kind.TARGET
    if stmt_year and year and stmt_year > year:
        return Kind.TARGET
    return Kind.RESULT


_ROW_NAME_KEY = re.compile(r"^(?:chỉ tiêu|tên chỉ tiêu|nội dung|danh mục|hạng mục|lĩnh vực)$", re.IGNORECASE)
_ROW_UNIT_KEY = re.compile(r"^(?:đơn vị(?: tính)?|đvt)$", re.IGNORECASE)
_COL_TARGET = re.compile(r"\b(?:kế hoạch|KH|mục tiêu|chỉ tiêu|dự kiến|dự toán|phấn đấu)\b", re.IGNORECASE)
_COL_RESULT = re.compile(r"\b(?:thực hiện|TH|ước|ước đạt|kết quả|đạt|năm)\b", re.IGNORECASE)
_COL_RATIO = re.compile(r"so sánh|tỷ lệ|%|so với|tăng|giảm|ghi chú", re.IGNORECASE)


def table_row_indicators(row: TableRow) -> list[Indicator]:
    """A data row of an indicator table (`TableRow`: Thu ngân sách | tỷ đồng | 1.100 | 1.172,5 under Chỉ tiêu |
    Đơn vị | Kế hoạch 2022 | Thực hiện 2022): one statement per column headed by a year, a target under
    "Kế hoạch/Mục tiêu …", a result under "Thực hiện/Ước …"; ratio columns ("So sánh (%)") are left out."""
    if row.kind is not RowKind.DATA or not row.header:
        return []
    cells = list(zip(row.header, row.cells, strict=False))
    name = next((v for k, v in cells if v and _ROW_NAME_KEY.match(k)), None) or row.label
    if not name or _numeric_cell(name):
        return []
    unit = next((v for k, v in cells if v and _ROW_UNIT_KEY.match(k)), None) or row.unit or None
    out = []
    for key, raw in cells:
        years = YEAR_RE.findall(key)
        value = re.fullmatch(rf"(?P<q>trên|dưới|hơn|gần|khoảng)?\s*(?P<n>{NUMBER})\s*(?P<pct>%)?", raw, re.IGNORECASE)
        if not years or not value or _COL_RATIO.search(key.replace(str(years[-1]), "")):
            continue
        kind = Kind.TARGET if _COL_TARGET.search(key) else Kind.RESULT if _COL_RESULT.search(key) else None
        if kind is None:
            continue
        out.append(Indicator(
            name=_clean_name(name), year=int(years[-1]), kind=kind, value=parse_number(value.group("n")),
            unit="%" if value.group("pct") else unit, qualifier=(value.group("q") or "").lower() or None, raw=raw,
            text=row.printed))
    return out


def _numeric_cell(text: str) -> bool:
    return bool(re.fullmatch(rf"{NUMBER}\s*%?", text))


def is_target_section(heading: str) -> bool:
    """A heading that sets targets ("Dự kiến các chỉ tiêu chủ yếu năm 2023"), not one that reports on them."""
    last = heading
    return bool(_TARGET_SECTION_RE.search(last)) and not re.search(r"kết quả|tình hình|đánh giá", last,
                                                                    re.IGNORECASE)


def indicators_in(chunk: Chunk) -> list[Indicator]:
    """Every indicator statement of a chunk (footnotes included), located by document, section and chunk: its
    table rows read as rows under their headers (`table_row_indicators`), any other paragraph sentence by
    sentence."""
    target = any(is_target_section(h.text) for h in chunk.headings)
    article = in_legal_article(chunk)
    rows = {r.printed: r for r in chunk.rows}
    out: list[Indicator] = []
    for para in chunk.full_text.split("\n"):
        row = rows.get(para)
        found = table_row_indicators(row) if row is not None else _paragraph_indicators(para, chunk.year, target,
                                                                                        article)
        out.extend(replace(i, doc=chunk.doc, section=chunk.section, chunk_id=chunk.chunk_id) for i in found)
    return out


def _paragraph_indicators(para: str, year: int | None, target: bool, article: bool) -> list[Indicator]:
    """A paragraph's indicator statements, sentence by sentence; in a legal article only the sentences that speak
    of goals or results."""
    return [i for sentence in split_sentences(para) if not (article and not speaks_of_goals(sentence))
            for i in find_indicators(sentence, year=year, target_section=target)]


def in_legal_article(chunk: Chunk) -> bool:
    """A chunk in an article of a legal text (a heading ``Điều 5. …`` on its path) that does not speak of goals,
    targets or results (``Điều 2. Mục tiêu, chỉ tiêu chủ yếu: … đạt 8%`` does): its numbers are norms."""
    return any(_ARTICLE_RE.match(h.text) for h in chunk.headings) and not speaks_of_goals(chunk.section)


def speaks_of_goals(text: str) -> bool:
    """``mục tiêu``, ``chỉ tiêu``, ``kết quả``, ``ước đạt``, ``tăng trưởng`` …: words of goals and results."""
    return bool(_GOAL_RE.search(text))


_ARTICLE_RE = re.compile(r"Điều \d+", re.IGNORECASE)
_GOAL_RE = re.compile(r"mục tiêu|chỉ tiêu|phấn đấu|kết quả|tình hình|ước đạt|ước thực hiện|dự kiến|kế hoạch|"
                      r"nhiệm vụ|so với cùng kỳ|tăng trưởng|đạt được", re.IGNORECASE)

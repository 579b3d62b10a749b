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
from pipeline.types import Chunk


class Kind(StrEnum):
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

_UNITS = [
    "%", "tỷ đồng", "triệu đồng", "nghìn đồng", "ngàn đồng", "đồng", "USD", "km", "m2", "m²", "m3", "ha", "tấn",
    "tạ", "con", "người", "lượt người", "lượt khách", "lượt", "doanh nghiệp", "DN", "HTX", "hợp tác xã", "trường",
    "cây xanh", "cây", "hộ", "tuyến phố", "tổ dân phố", "khu dân cư", "xã", "phường", "công trình", "dự án",
    "hồ sơ", "trường hợp", "cuộc", "lao động", "giường", "sản phẩm", "cơ sở", "thôn", "đơn vị", "căn hộ", "căn",
    "nhà", "km2", "MW", "kWh", "triệu USD", "nghìn tỷ đồng", "tuyến", "lớp", "học sinh", "bác sĩ",
]
# units that name what is counted ("Xây dựng 45 Tổ dân phố mẫu"): part of the indicator's name when no verb
# stands between name and value; measures (%, km, tỷ đồng…) never are
_COUNT_NOUNS = {"cây xanh", "cây", "tổ dân phố", "khu dân cư", "tuyến phố", "tuyến", "trường", "doanh nghiệp",
                "hợp tác xã", "htx", "công trình", "dự án", "hộ", "xã", "phường", "nhà", "lớp", "học sinh",
                "sản phẩm", "cơ sở",
                "thôn", "đơn vị", "căn hộ", "căn", "giường", "lao động", "hồ sơ", "trường hợp", "cuộc", "con", "người",
                "lượt người", "lượt khách", "lượt", "bác sĩ", "dn"}
_SAME_NOUN = {"dn": "doanh nghiệp", "htx": "hợp tác xã", "doanh nghiệp": "dn", "hợp tác xã": "htx"}
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
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
_YEAR_RE = re.compile(r"\bnăm\s+((?:19|20)\d{2})\b", re.IGNORECASE)
_LEAD_RE = re.compile(r"^[\s\-–+•*]*(?:[a-zđ]\)\s*|\d+(?:\.\d+)*\.\s+)?(?:trong đó\s*:?\s*|và\s+|,\s*)*",
                      re.IGNORECASE)
_NAME_TRIM_RE = re.compile(r"\s*\bnăm\s+(?:19|20)\d{2}\b|\s*\(\s*\)", re.IGNORECASE)
_MAX_NAME_WORDS = 20
# sentences that set rules or conditions rather than report or commit a level: fines, ceilings, eligibility
_NORM_RE = re.compile(
    r"(?:^|[,;:.(]\s*|\btrong\s+)trường hợp\b|"  # "Trường hợp …", "trong trường hợp …": a condition
    r"\b(?:mức phạt|tối đa|tối thiểu|không quá|không vượt quá|không thấp hơn|nếu|"
    r"được tính|điểm chuẩn|cứ mỗi|mỗi khi|đối tượng có|có từ|lệ phí|mức thu|mức hỗ trợ|được hỗ trợ|mức cho vay|"
    r"định mức|đơn giá|giá bán|hệ số|cứ tăng thêm|cộng \d+ điểm|thêm \d+ điểm|trừ \d+ điểm)\b"
    r"|\bchỉ những\b.*\bmới được\b"  # "Chỉ những cá nhân đạt ít nhất 80% … mới được cấp": a condition
    r"|^\W*(?:[a-zđ]\)\s*)?Mức\b"  # "c) Mức 300.000 đồng …"
    r"|^\W*(?:[a-zđ]\)\s*)?Có (?:dưới|trên|từ|ít nhất|không quá)\b"  # "+ Có dưới 60% đường thôn …": a criterion
    r"|\s[x×]\s*\d|\d\s*[x×=]\s",  # "50 người/lớp x 02 lớp = …": a calculation
    re.IGNORECASE)
# the words after a value that may name it ("5 km đường giao thông hoàn thành …"): up to a verb or a clause end
_REST_RE = re.compile(r"(?:(?!\b(?:vượt|đạt|bằng|tăng|giảm|hoàn thành|theo|đối với|trong đó|lũy kế|gồm|của|và|được|"
                      r"thì|nếu|trong khi)\b)[^.;:()\d])*")
_PART_OF_NAME_RE = re.compile(rf"^[^,.;:]*:\s*(?:trên|dưới|hơn|gần|khoảng)?\s*(?:{NUMBER})")


def _clean_name(text: str) -> str:
    name = _LEAD_RE.sub("", re.sub(r"^\s*\[\d+\]\s*", "", text))
    name = _NAME_TRIM_RE.sub("", name)
    name = " ".join(name.strip(" ,;:-–").split())
    return name[:1].upper() + name[1:] if name else ""


def find_indicators(sentence: str, *, year: int | None = None, target_section: bool = False) -> list[Indicator]:
    """The indicator statements of one sentence or list item. `year` is the year its section is about;
    `target_section` says the section sets targets ("Dự kiến các chỉ tiêu chủ yếu").

    >>> [(i.name, i.value, i.unit, i.kind.value) for i in find_indicators("- Tăng trưởng kinh tế đạt 11,5%.",
    ...                                                                      year=2023, target_section=True)]
    [('Tăng trưởng kinh tế', 11.5, '%', 'target')]
    """
    text = " ".join(strip_marks(sentence).split())
    if (row := table_row_indicators(text)) is not None:
        return row
    if "|" in text or _NORM_RE.search(text):
        return []  # a table row out of its table, or a rule (a fine, a ceiling, a condition): not an indicator
    out: list[Indicator] = []
    start = 0  # where the current statement's name may begin
    for m in _VALUE_RE.finditer(text):
        if m.start() < start:
            continue
        left = text[start : m.start()]
        try:
            value = parse_number(m.group("num"))
        except ValueError:
            continue
        if re.search(r"(?:\bnăm|\bgiai đoạn|\bngày|/)\s*$", left) or (m.group("unit") != "%" and 1900 <= value <= 2100
                                                                      and "." not in m.group("num")):
            continue  # "năm 2022 người", a year or a date, not a value
        if re.search(r"\btừ\s*$", left) and re.match(r"\s*(?:đến|tới|-)\s*\d", text[m.end() :]):
            start = m.end()
            continue  # "từ 30.000.000 đồng đến 50.000.000 đồng": a range, the bounds of a rule
        if re.search(r"\b(?:đến|tới)\s*$|\d\s*[-–]\s*$|\b(?:đơn vị(?: tính)?|đvt)\s*:\s*$", left, re.IGNORECASE):
            start = m.end()
            continue  # the upper bound of a range ("… đến 50.000.000 đồng", "Đến 01 tỷ đồng")
        if m.start() == 0 and m.group("unit")[:1].isupper() and m.group("unit") != "DN":
            continue  # "5 Trường hợp có nhiều tổ chức …": a list number before a capitalised heading
        if re.match(r"(?:nghìn |ngàn )?đồng/", m.group("unit") + (m.group("per") or "")):
            continue  # "300.000 đồng/người/buổi", "1.296.000 đồng/ha/năm": a rate set by a rule
        if _PART_OF_NAME_RE.match(text[m.end() :]) or (value == 1 and re.search(r"\btrên\s*$", left)):
            continue  # "thu nhập trên 1ha canh tác: 87 triệu đồng/ha": the value comes after the colon
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
        cues = list(_CUE_RE.finditer(head))
        direction = counted = None
        rest = _REST_RE.match(text[end:]).group(0)
        rest_words = rest.strip(" ,").split()
        at_cue = bool(cues) and head[cues[-1].end() :].strip() == ""
        before = head[: cues[-1].start()] if at_cue else head
        # nothing names the value before it ("…31/12/2022: 5 km đường giao thông", "; hoàn thành 12 km mương, …"):
        # the words after it do
        nameless = not before.rsplit(";", 1)[-1].strip() or (at_cue and cues[-1].group(0) == ":")
        if at_cue and not (nameless and rest_words and (len(rest_words) >= 2 or not before.strip())):
            cue = cues[-1]
            name_text = before
            direction = _DIRECTION_RE.fullmatch(cue.group(0).lower()) and cue.group(0).lower()
            counted = m.group("unit") if m.group("unit").lower() in _COUNT_NOUNS else None
        else:  # "Xây dựng 45 Tổ dân phố mẫu", "Trồng mới 20.000 cây xanh": the noun after the number names it
            noun = m.group("unit") if m.group("unit").lower() in _COUNT_NOUNS else ""
            rest_text = " ".join(rest_words[:12])  # what follows the value: its beginning names it
            name_text = f"{noun} {rest_text}" if at_cue else f"{head} {noun} {rest_text}"
            end += len(rest)
            if not plan and (plan := _PLAN_RE.match(" " + text[end:].lstrip(" ,")[:60])):
                plan_ratio = " ".join(plan.group("plan").split())
                end += len(text[end:]) - len(text[end:].lstrip(" ,")) + plan.end() - 1
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
        start = end
        if len(name) < 3 or not re.search(r"[^\W\d_]{2}", name):
            continue
        # "năm 2025" names the year; "tháng 11 năm 2025" (a date) and "từ năm 2020" (a start) do not
        years = [y.group(1) for y in _YEAR_RE.finditer(left)
                 if not re.search(r"(?:\btừ|tháng\s+\d{1,2})\s*$", left[: y.start()])]
        stmt_year = int(years[-1]) if years else year
        if target_section or _TARGET_SENTENCE_RE.search(left):
            kind = Kind.TARGET
        elif stmt_year and year and stmt_year > year:
            kind = Kind.TARGET
        else:
            kind = Kind.RESULT
        unit = m.group("unit") + (m.group("per") or "")
        out.append(Indicator(
            name=name, year=stmt_year, kind=kind, value=value, unit=unit,
            qualifier=(qual.group("q").lower() if qual else "trở lên" if at_least else None) or direction or None,
            raw=m.group(0).strip(), plan_ratio=plan_ratio,
            total=parse_number(m.group("total").replace(".", ",")) if m.group("total") else None,
            text=text,
        ))
    return out


_ROW_NAME_KEY = re.compile(r"^(?:chỉ tiêu|tên chỉ tiêu|nội dung|danh mục|hạng mục|lĩnh vực)$", re.IGNORECASE)
_ROW_UNIT_KEY = re.compile(r"^(?:đơn vị(?: tính)?|đvt)$", re.IGNORECASE)
_COL_TARGET = re.compile(r"\b(?:kế hoạch|KH|mục tiêu|chỉ tiêu|dự kiến|dự toán|phấn đấu)\b", re.IGNORECASE)
_COL_RESULT = re.compile(r"\b(?:thực hiện|TH|ước|ước đạt|kết quả|đạt|năm)\b", re.IGNORECASE)
_COL_RATIO = re.compile(r"so sánh|tỷ lệ|%|so với|tăng|giảm|ghi chú", re.IGNORECASE)


def table_row_indicators(text: str) -> list[Indicator] | None:
    """A row of an indicator table as the readers write it, ``Chỉ tiêu: Thu ngân sách; Đơn vị: tỷ đồng;
    Kế hoạch 2022: 1.100; Thực hiện 2022: 1.172,5``: one statement per column headed by a year, a target under
    "Kế hoạch/Mục tiêu …", a result under "Thực hiện/Ước …"; ratio columns ("So sánh (%)") are left out.
    None when `text` is not such a row."""
    pairs = [p.split(": ", 1) for p in text.rstrip(".").split("; ")]
    if len(pairs) < 3 or any(len(p) != 2 for p in pairs):
        return None
    cells = {k.strip(): v.strip() for k, v in pairs}
    name = next((v for k, v in cells.items() if _ROW_NAME_KEY.match(k)), None)
    if not name:
        return None
    unit = next((v for k, v in cells.items() if _ROW_UNIT_KEY.match(k)), None)
    out = []
    for key, raw in cells.items():
        years = re.findall(r"\b(?:19|20)\d{2}\b", key)
        value = re.fullmatch(rf"(?P<q>trên|dưới|hơn|gần|khoảng)?\s*(?P<n>{NUMBER})\s*(?P<pct>%)?", raw, re.IGNORECASE)
        if not years or not value or _COL_RATIO.search(key.replace(str(years[-1]), "")):
            continue
        kind = Kind.TARGET if _COL_TARGET.search(key) else Kind.RESULT if _COL_RESULT.search(key) else None
        if kind is None:
            continue
        out.append(Indicator(
            name=_clean_name(name), year=int(years[-1]), kind=kind, value=parse_number(value.group("n")),
            unit="%" if value.group("pct") else unit, qualifier=(value.group("q") or "").lower() or None, raw=raw,
            text=text))
    return out


def is_target_section(heading: str) -> bool:
    """A heading that sets targets ("Dự kiến các chỉ tiêu chủ yếu năm 2023"), not one that reports on them."""
    last = heading
    return bool(_TARGET_SECTION_RE.search(last)) and not re.search(r"kết quả|tình hình|đánh giá", last,
                                                                    re.IGNORECASE)


def indicators_in(chunk: Chunk) -> list[Indicator]:
    """Every indicator statement of a chunk (footnotes included), located by document, section and chunk."""
    target = any(is_target_section(h.text) for h in chunk.headings)
    # an article of a legal text ("Điều 5. …") sets rules: its numbers are norms unless it speaks of goals,
    # targets or results ("Điều 2. Mục tiêu, chỉ tiêu chủ yếu: … đạt 8%")
    article = any(_ARTICLE_RE.match(h.text) for h in chunk.headings) and not _GOAL_RE.search(chunk.section)
    out = []
    for para in chunk.full_text.split("\n"):
        row = table_row_indicators(" ".join(strip_marks(para).split()))
        if row is not None:  # a row of an indicator table, written "Chỉ tiêu: …; Kế hoạch 2022: …"
            out.extend(replace(i, doc=chunk.doc, section=chunk.section, chunk_id=chunk.chunk_id) for i in row)
            continue
        for sentence in split_sentences(para):
            if article and not _GOAL_RE.search(sentence):
                continue
            out.extend(replace(i, doc=chunk.doc, section=chunk.section, chunk_id=chunk.chunk_id)
                       for i in find_indicators(sentence, year=chunk.year, target_section=target))
    return out


_ARTICLE_RE = re.compile(r"Điều \d+", re.IGNORECASE)
_GOAL_RE = re.compile(r"mục tiêu|chỉ tiêu|phấn đấu|kết quả|tình hình|ước đạt|ước thực hiện|dự kiến|kế hoạch|"
                      r"nhiệm vụ|so với cùng kỳ|tăng trưởng|đạt được", re.IGNORECASE)

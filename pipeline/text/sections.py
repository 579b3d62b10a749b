"""The heading grammar of Vietnamese official documents, and the section tree it gives.

Levels, outermost first: ``Phần thứ nhất`` / ``PHẦN I`` › ``Chương II`` › ``Mục 1`` › ``Điều 5.`` ›
roman ``I.`` (and short upper-case headings) › ``1.`` › ``1.1.`` › ``1.1.1.`` › ``a)``.
A numbered line is a heading when it reads like one (short, or ``Title: body…``); a long numbered
paragraph is a list item and stays in its section. ``Nơi nhận:`` closes the body; a regulation attached
after the signature (``QUY ĐỊNH … Chương I … Điều 1.``) opens a new tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.text.clean import FOOTMARK_RE, strip_marks
from pipeline.text.vocab import YEAR_OF_RE, is_upper
from pipeline.types import Heading, HeadingKind, Paragraph, Section

K = HeadingKind
# a paragraph in a Word heading style whose text has no label ("Kết quả nổi bật" in Heading 2): its outline level
# sets where it sits, level 1 where a roman "I." would, level 2 where "1." would, and so on
STYLED_KINDS = (K.H1, K.H2, K.H3, K.H4, K.H5)
HEADING_KINDS = (K.CLOSING, K.PHAN, K.CHUONG, K.MUC, K.DIEU, K.ROMAN, K.CAPS, K.ARABIC, K.ARABIC2, K.ARABIC3,
                 K.LETTER, *STYLED_KINDS)
RANK = {k: i for i, k in enumerate(HEADING_KINDS)}
RANK[K.CAPS] = RANK[K.ROMAN]  # an upper-case heading without a number sits where a roman one would
RANK[K.CLOSING] = len(HEADING_KINDS)  # "Nơi nhận" closes everything before it, and any heading closes it
for _kind, _like in zip(STYLED_KINDS, (K.ROMAN, K.ARABIC, K.ARABIC2, K.ARABIC3, K.LETTER), strict=True):
    RANK[_kind] = RANK[_like]

_ORDINALS = r"nhất|hai|ba|bốn|tư|năm|sáu|bảy|tám|chín|mười|[IVXLC]+|\d+"
_PATTERNS: list[tuple[HeadingKind, re.Pattern[str]]] = [
    (K.CLOSING, re.compile(r"^(?P<label>Nơi nhận|NƠI NHẬN)\s*:?\s*(?P<rest>.*)$")),
    (K.PHAN, re.compile(rf"^(?P<label>(?i:phần)(\s+(?i:thứ))?\s+(?i:{_ORDINALS}))\b\s*[.:\-–]?\s*(?P<rest>.*)$")),
    (K.CHUONG, re.compile(r"^(?P<label>(?i:chương)\s+([IVXLC]+|\d+))\b\s*[.:\-–]?\s*(?P<rest>.*)$")),
    (K.MUC, re.compile(r"^(?P<label>(?i:mục)\s+(\d+|[IVXLC]+))\b\s*[.:\-–]?\s*(?P<rest>.*)$")),
    (K.DIEU, re.compile(r"^(?P<label>(?i:điều)\s+\d+[a-z]?)\s*[.:]\s*(?P<rest>.*)$")),
    (K.ROMAN, re.compile(r"^(?P<label>[IVXLC]+)\s*[.)]\s+(?P<rest>\S.*)$")),
    (K.ARABIC3, re.compile(r"^(?P<label>\d{1,2}\.\d{1,2}\.\d{1,2})\.?\s+(?P<rest>\S.*)$")),
    (K.ARABIC2, re.compile(r"^(?P<label>\d{1,2}\.\d{1,2})\.?\s+(?P<rest>\S.*)$")),
    (K.ARABIC, re.compile(r"^(?P<label>\d{1,2})\s*[.)]\s+(?P<rest>\S.*)$")),
    (K.LETTER, re.compile(r"^(?P<label>[a-zđ])\s*\)\s*(?P<rest>\S.*)$")),
]
_ROMAN_RE = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ALWAYS = {K.CLOSING, K.PHAN, K.CHUONG, K.MUC, K.DIEU, K.ROMAN, K.ARABIC2, K.ARABIC3}
_MAX_TITLE = 160
# a clause ("1.", khoản) or point ("a)", điểm) that states its case before a colon is content: "b) Nuôi trồng thủy
# sản trong bể, lồng, bè: hỗ trợ 30.000.000 đồng/100 m3" keeps its line whole in the section's text, so that the
# figure is read (and cited) with the case it is for, not only under a heading path. Measured against keeping it
# only under an article ("Điều"): that loses plans' and resolutions' "1. Mục tiêu: …" (2 fewer answers of 158).
_CLAUSE_KINDS = {K.ARABIC, K.LETTER}


def _split_title(rest: str) -> tuple[str, str] | None:
    """``Title: body`` or a short title alone → (title, body); None when `rest` is running text."""
    plain = strip_marks(rest)
    head, sep, _ = plain.partition(":")
    if sep and 0 < len(head) <= 120 and len(head.split()) <= 18:
        body = rest[rest.index(":") + 1 :].strip()  # footnote marks hold no colon: the same colon
        return head.strip(), body
    if len(plain) <= _MAX_TITLE and not plain.rstrip().endswith((".", ";", ",")):
        return plain.strip(), ""
    if is_upper(plain):
        return plain.strip(), ""
    return None


def parse_heading(text: str) -> tuple[Heading, str] | None:
    """A paragraph that opens a section → (heading, the body text after the title); None for body text.

    >>> h, body = parse_heading("1.4. Tài chính, tín dụng: Tổng thu ngân sách ước đạt 1.172,5 tỷ đồng.")
    >>> (h.kind.value, h.label, h.title, body[:9])
    ('arabic2', '1.4.', 'Tài chính, tín dụng', 'Tổng thu ')
    """
    for kind, pat in _PATTERNS:
        m = pat.match(text)
        if not m:
            continue
        label, rest = m.group("label"), m.group("rest").strip()
        if kind is K.ROMAN and not _ROMAN_RE.match(label):
            continue
        if kind in (K.ROMAN, K.ARABIC, K.ARABIC2, K.ARABIC3):
            label += "."
        elif kind is K.LETTER:
            label += ")"
        split = _split_title(rest) if rest else ("", "")
        if split is None:
            if kind not in _ALWAYS:
                return None  # a long numbered paragraph: a list item, not a heading
            first = re.split(r"(?<=[.;])\s", strip_marks(rest), maxsplit=1)[0]
            title = first if len(first) <= _MAX_TITLE else first[:_MAX_TITLE].rsplit(" ", 1)[0] + "…"
            return Heading(kind, label, title), rest
        title, body = split
        return Heading(kind, label, title.rstrip(" :")), body
    plain = strip_marks(text)
    if is_upper(plain) and len(plain) <= _MAX_TITLE and not plain.startswith(("CỘNG HÒA", "Độc lập")):
        return Heading(K.CAPS, "", plain.rstrip(" :")), ""
    return None


def styled_heading(para: Paragraph) -> Heading | None:
    """The heading a paragraph in a Word heading style makes when the grammar finds no label in it."""
    title = strip_marks(para.text).strip().rstrip(" :")
    if not para.heading_level or not title or len(title) > _MAX_TITLE:
        return None
    return Heading(STYLED_KINDS[min(para.heading_level, len(STYLED_KINDS)) - 1], "", title)


def build_sections(paragraphs: Iterable[Paragraph]) -> list[Section]:
    """Paragraphs → leaf sections in document order. The front matter (letterhead, title, "Căn cứ …") forms a
    section with an empty path: upper-case lines count as headings only once the body has begun (a numbered
    heading or a long paragraph)."""
    sections: list[Section] = []
    stack: list[Heading] = []
    current: list[Paragraph] = []
    in_body = False

    def flush() -> None:
        if current:
            sections.append(Section(tuple(stack), tuple(current)))
            current.clear()

    for para in paragraphs:
        if para.row is not None:  # a table row is never a heading, whatever its first cell says
            current.append(para)
            continue
        parsed = parse_heading(para.text)
        if parsed is None and (styled := styled_heading(para)):
            parsed = styled, ""
        if parsed is None or (parsed[0].kind is K.CAPS and not in_body):
            current.append(para)
            in_body = in_body or len(para.text) > 200
            continue
        heading, body = parsed
        in_body = True
        flush()
        rank = RANK[heading.kind]
        if heading.kind is K.CLOSING:
            stack.clear()
        while stack and RANK[stack[-1].kind] >= rank:
            stack.pop()
        stack.append(heading)
        marks = "".join(f"\ue000{n}\ue001" for n in FOOTMARK_RE.findall(para.text) if f"\ue000{n}\ue001" not in body)
        if heading.kind in _CLAUSE_KINDS and (body or strip_marks(para.text).rstrip().endswith(":")):
            current.append(Paragraph(para.text.strip(), para.page))
        elif body or marks:
            current.append(Paragraph((body + marks).strip(), para.page))
    flush()
    return sections


def section_year(path: tuple[Heading, ...]) -> int | None:
    """The year a section is about, from its headings (deepest wins): ``… NĂM 2023`` → 2023."""
    for h in reversed(path):
        years = YEAR_OF_RE.findall(h.title)
        if years:
            return int(years[-1])
    return None

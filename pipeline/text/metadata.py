"""Document metadata from the letterhead: title, number (``Số: 624/KH-UBND``), issuer, date, years."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.text.clean import strip_marks
from pipeline.text.vocab import ADMIN_UNITS, DATE_RE, YEAR, YEAR_OF_RE, date_of
from pipeline.types import DocMeta, Paragraph

DOC_TYPES = ("BÁO CÁO", "QUYẾT ĐỊNH", "NGHỊ QUYẾT", "KẾ HOẠCH", "CHỈ THỊ", "THÔNG BÁO", "THÔNG TƯ", "NGHỊ ĐỊNH",
             "LUẬT", "TỜ TRÌNH", "CÔNG VĂN", "KẾT LUẬN", "ĐỀ ÁN", "QUY ĐỊNH", "HƯỚNG DẪN", "CHƯƠNG TRÌNH",
             "PHƯƠNG ÁN", "QUY CHẾ", "LỆNH", "PHÁP LỆNH", "VĂN BẢN HỢP NHẤT", "CÔNG ĐIỆN")
_TYPE_RE = re.compile(r"^(" + "|".join(DOC_TYPES) + r")\b\s*:?\s*(?P<rest>.*)$")
_NUMBER_RE = re.compile(r"\bSố\s*:\s*(?P<n>[0-9][\w./\-–]*(?:\s?[\w./\-]+)?)")
_ISSUER_RE = re.compile(
    r"^(ỦY BAN|UỶ BAN|HỘI ĐỒNG|CHÍNH PHỦ|THỦ TƯỚNG|QUỐC HỘI|BỘ |VĂN PHÒNG|SỞ |BAN |TỈNH ỦY|THÀNH ỦY|HUYỆN ỦY|"
    r"TÒA ÁN|VIỆN KIỂM SÁT|KIỂM TOÁN|NGÂN HÀNG|UBND|HĐND|CHỦ TỊCH)"
)
_PLACE_RE = re.compile(r"^(TM\.|KT\.)")
_PLACE_DATE_RE = re.compile(r"^(?P<place>[^,|]{2,40}),\s*ngày\b", re.IGNORECASE)
_YEAR_RE = re.compile(rf"{YEAR_OF_RE.pattern}|\b({YEAR})\s*[-–]\s*({YEAR})\b", re.IGNORECASE)
_FRONT = 40  # paragraphs of letterhead to look at


def _date(text: str) -> str | None:
    return date_of(DATE_RE.search(text))


def years_in(text: str) -> list[int]:
    """Years a text is about: ``năm 2023``, and both ends of ``2021-2025`` are not counted (a plan period)."""
    return [int(m.group(1)) for m in _YEAR_RE.finditer(text) if m.group(1)]


def infer_metadata(paragraphs: Sequence[Paragraph]) -> DocMeta:
    """What the letterhead and title say. Missing pieces stay None (or empty)."""
    front = [strip_marks(p.text) for p in paragraphs[:_FRONT]]
    number = issuer = date = place = None
    title = ""
    for i, text in enumerate(front):
        for cell in text.split(" | "):
            cell = cell.strip()
            if number is None and (m := _NUMBER_RE.search(cell)):
                number = re.sub(r"\s+", "", m.group("n")).rstrip(".,;").replace("–", "-")
            if issuer is None and _ISSUER_RE.match(cell) and not cell.startswith("CỘNG HÒA"):
                issuer = cell.split(" CỘNG HÒA")[0].split(" Số")[0].strip(" -")
                nxt = front[i + 1] if i + 1 < len(front) else ""
                if nxt.isupper() and len(nxt) < 60 and nxt.startswith(ADMIN_UNITS):
                    issuer = f"{issuer} {nxt}"
            if date is None and (m := _PLACE_DATE_RE.match(cell)):
                place = m.group("place").strip(" *")
                date = _date(cell)
        if not title and (m := _TYPE_RE.match(text)):
            rest = m.group("rest").strip()
            nxt = front[i + 1] if i + 1 < len(front) else ""
            subject = rest or nxt
            title = f"{m.group(1)} {subject}".strip() if len(subject) < 400 else m.group(1)
    if issuer and place and len(issuer.split()) <= 4:
        issuer = f"{issuer} {place}"  # "ỦY BAN NHÂN DÂN" + "TP. Hà Tĩnh"
    if not title and front:
        title = next((t for t in front if len(t) > 3), "")[:200]
    years = years_in(title)
    if not years and date:
        years = [int(date[:4])]
    return DocMeta(
        title=" ".join(title.split())[:300],
        number=number,
        issuer=issuer,
        date=date,
        years=tuple(dict.fromkeys(years)),
    )

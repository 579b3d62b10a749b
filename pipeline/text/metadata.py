"""Document metadata from the letterhead: title, number (``Số: 624/KH-UBND``), issuer, date, years; and the place
a document is about (its issuer's province or city, its dateline, the place its title names), read from what an
index already stores."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.text.clean import fold, strip_marks
from pipeline.text.vocab import (
    ADMIN_UNITS,
    DATE_RE,
    ISSUING_BODIES,
    PLACE_ALIASES,
    UNIT_WORDS,
    YEAR,
    YEAR_OF_RE,
    date_of,
)
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


# --- places ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A place a document is about or a question names: its administrative unit, folded (``tinh``, ``thanh pho``;
    None when not written) and its name, folded (``dak lak``)."""

    unit: str | None
    name: str


_UNITS_ALT = "|".join(re.escape(u) for u in UNIT_WORDS)  # longest first, as UNIT_WORDS lists them
_LOCAL_BODIES = tuple(b for b, code in ISSUING_BODIES.items() if code in ("hdnd", "ubnd", "ctubnd"))
# a unit in an issuer's name and the words after it ("... tinh dak lak"); "xa hoi" is not a commune
_ISSUER_UNIT_RE = re.compile(rf"(?<![\w.])({_UNITS_ALT})(?:\s+|(?<=\.))(?!hoi\b)([a-z][a-z ]*)")
# where the place in an issuer's name ends: the office named after it ("UBND THÀNH PHỐ HÀ NỘI TRUNG TÂM …")
_ISSUER_NAME_END = re.compile(r"\b(trung tam|so|ban|van phong|phong|cuc|chi cuc|hoi dong|uy ban|ubnd)\b")
_TITLE_UNIT_RE = re.compile(r"(?<!\w)(tỉnh|thành phố|TP\.|huyện|quận|thị xã)\s*", re.IGNORECASE)
_MAX_NAME_WORDS = 4  # "Bà Rịa - Vũng Tàu" aside, a place name has at most four syllables ("Hồ Chí Minh")


def split_unit(text: str) -> Place:
    """A place as written, split into its unit (if it begins with one) and its name, both folded.

    >>> split_unit("TP. Hà Tĩnh"), split_unit("Huế")
    (Place(unit='thanh pho', name='ha tinh'), Place(unit=None, name='hue'))
    """
    f = fold(text).strip(" .*")
    for word, unit in UNIT_WORDS.items():
        if f.startswith(word + " ") or (word.endswith(".") and f.startswith(word)):
            return Place(unit, f[len(word):].strip(" ."))
    return Place(None, f)


def dateline_place(lines: Iterable[str]) -> str | None:
    """The place of the dateline (``Đắk Lắk, ngày 17 tháng 11 năm 2025``) among the first lines of a document.

    >>> dateline_place(["Số: 010/CT-UBND", "Đắk Lắk, ngày 17 tháng 11 năm 2025", "CHỈ THỊ"])
    'Đắk Lắk'
    """
    for line in lines:
        for cell in strip_marks(line).split(" | "):
            m = _PLACE_DATE_RE.match(cell.strip())
            if m and (place := m.group("place").strip(" *")) and place[0].isupper() and not re.search(r"\d", place):
                return place
    return None


def issuer_place(issuer: str | None, dateline: str | None = None) -> Place | None:
    """The place an issuer governs: the province or city its name carries (``ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK``), or,
    for a local body whose name carries none, its dateline. A ministry or the government prints "Hà Nội" on its
    dateline but is about the whole country: None.

    >>> issuer_place("ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK", "Đắk Lắk"), issuer_place("BỘ NỘI VỤ Hà Nội", "Hà Nội")
    (Place(unit='tinh', name='dak lak'), None)
    >>> issuer_place("UBND THÀNH PHỐ HÀ NỘI TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG")
    Place(unit='thanh pho', name='ha noi')
    """
    if not issuer:
        return None
    fi = fold(issuer)
    units = list(_ISSUER_UNIT_RE.finditer(fi))
    local = fi.startswith(_LOCAL_BODIES)
    if not units and not local:
        return None
    date = split_unit(dateline) if dateline else None
    if date and date.name:
        for m in units:
            if re.match(rf"{re.escape(date.name)}\b", m.group(2)):
                return Place(UNIT_WORDS[m.group(1)], date.name)
        if not units:
            return date
    if not units:
        return None
    m = units[-1]  # "SỞ … XÃ HỘI TỈNH …": the last unit named is the place
    name = _ISSUER_NAME_END.split(m.group(2))[0].split()[:_MAX_NAME_WORDS]
    return Place(UNIT_WORDS[m.group(1)], " ".join(name)) if name else None


def title_places(title: str) -> list[Place]:
    """The places a title in sentence case names after a unit: capitalised words (``… cấp xã của tỉnh An Giang
    năm 2025``). A title in capitals gives none here: its places are found by name (`find_places`).

    >>> title_places("Về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh An Giang năm 2025")
    [Place(unit='tinh', name='an giang')]
    """
    out = []
    for m in _TITLE_UNIT_RE.finditer(title):
        words = []
        for raw in title[m.end():].split()[:_MAX_NAME_WORDS]:
            w = raw.strip(",.;:()")
            if len(w) < 2 or not w[0].isupper() or w.isupper():
                break
            words.append(w)
            if w != raw.rstrip(")"):  # "… Hà Nội, Thành phố Hồ Chí Minh": the comma ends the name
                break
        if words:
            out.append(Place(split_unit(m.group(1) + " x").unit, fold(" ".join(words))))
    return out


def fold_chars(text: str) -> str:
    """`fold` character by character, keeping every position (and white space as it is), so that a match in
    the folded text is a match at the same place in the text.

    >>> fold_chars("Ở  Đắk Lắk")
    'o  dak lak'
    """
    text = unicodedata.normalize("NFC", text)
    return "".join(fold(c)[:1] or c for c in text)


@lru_cache(maxsize=16)
def _places_re(names: frozenset[str]) -> re.Pattern[str]:
    spellings = set(names) | {n.replace(" ", "") for n in names if " " in n}
    spellings |= {a for a, n in PLACE_ALIASES.items() if n in names}
    alt = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:({_UNITS_ALT})(?:\s+|(?<=\.)))?({alt})(?![\w])")


def find_places(text: str, names: Iterable[str], spans: list[tuple[int, int]] | None = None) -> list[Place]:
    """The places of `names` (folded, as `Place.name`) that `text` mentions, typed with or without diacritics,
    with the unit written before each, if any; squashed (``hanoi``) and other names (``tphcm``) count too.
    Where each was found (unit included) is appended to `spans` when given.

    >>> find_places("cay xang o dong thap mo cua may gio", ["dong thap", "ha noi"])
    [Place(unit=None, name='dong thap')]
    >>> find_places("Kế hoạch của TP. Hồ Chí Minh, Sài Gòn", ["ho chi minh"])
    [Place(unit='thanh pho', name='ho chi minh'), Place(unit=None, name='ho chi minh')]
    """
    names = frozenset(names)
    if not names:
        return []
    squashed = {n.replace(" ", ""): n for n in names}
    out = []
    for m in _places_re(names).finditer(fold_chars(text).lower()):
        word = m.group(2)
        name = word if word in names else squashed.get(word) or PLACE_ALIASES[word]
        out.append(Place(UNIT_WORDS[m.group(1)] if m.group(1) else None, name))
        if spans is not None:
            spans.append(m.span())
    return out

r"""The Vietnamese vocabulary every stage shares, defined once: years, dates, administrative units, units of
measure, stop words and what counts as an upper-case line.

Stages build their own patterns from these pieces (``rf"năm\s+({YEAR})"``) rather than writing their own
copies, so a fix here reaches every reader of dates, years and units.
"""

from __future__ import annotations

import re

YEAR = r"(?:19|20)\d{2}"  # a year as documents write one: 1945 … 2099
YEAR_RE = re.compile(rf"\b{YEAR}\b")  # a bare year: "2022", "(2021-2025)"
YEAR_OF_RE = re.compile(rf"\bnăm\s+({YEAR})\b", re.IGNORECASE)  # "năm 2023", "NĂM 2023": the year a text is about

# "ngày 25 tháng 11 năm 2025", "tháng 11 năm 2022" (day optional) or "ngày 25/11/2025" (also with . or -)
DATE_RE = re.compile(
    rf"(?:ngày\s+(?P<d>\d{{1,2}})?\s*)?tháng\s+(?P<m>\d{{1,2}})\s+năm\s+(?P<y>{YEAR})|"
    rf"ngày\s+(?P<d2>\d{{1,2}})[/.-](?P<m2>\d{{1,2}})[/.-](?P<y2>{YEAR})",
    re.IGNORECASE,
)
# a date anywhere in a sentence, as an answer to "khi nào", "trước ngày nào": "30/6/2025", "ngày 5 tháng 9",
# "tháng 12", "năm 2025"
DATE_MENTION_RE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{4})?\b|\bngày\s+\d{1,2}\s+tháng\s+\d{1,2}|"
                             r"\b(?:tháng|năm)\s+\d{1,4}")


def iso_date(year: str | int, month: str | int | None = None, day: str | int | None = None) -> str:
    """An ISO date with as much as is known: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.

    >>> iso_date("2025", "11", "5"), iso_date(2022, 11), iso_date(2023)
    ('2025-11-05', '2022-11', '2023')
    """
    if month is None:
        return f"{year}"
    if day is None or day == "":
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def date_of(match: re.Match[str] | None) -> str | None:
    """The ISO date a `DATE_RE` match names (None for no match).

    >>> date_of(DATE_RE.search("Hà Tĩnh, ngày 25 tháng 11 năm 2022")), date_of(DATE_RE.search("ngày 5/9/2022"))
    ('2022-11-25', '2022-09-05')
    """
    if match is None:
        return None
    if match.group("y2"):
        return iso_date(match.group("y2"), match.group("m2"), match.group("d2"))
    return iso_date(match.group("y"), match.group("m"), match.group("d"))


# the administrative units a place name starts with, as letterheads write them (longest first where one
# contains another: "THỊ XÃ" before "XÃ")
ADMIN_UNITS = ("THÀNH PHỐ", "THỊ XÃ", "TỈNH", "HUYỆN", "QUẬN", "PHƯỜNG", "XÃ", "THỊ TRẤN")
# the same units as a question, a title or a dateline may write them, folded → the unit they name (folded);
# longest first where one begins another ("thanh pho" before "tp")
UNIT_WORDS = {"thanh pho": "thanh pho", "thi xa": "thi xa", "thi tran": "thi tran", "tinh": "tinh",
              "huyen": "huyen", "quan": "quan", "phuong": "phuong", "xa": "xa", "tp.": "thanh pho",
              "tp": "thanh pho", "tx.": "thi xa"}
# other names a question may type for a place, folded → the name letterheads print (folded)
PLACE_ALIASES = {"tphcm": "ho chi minh", "tp.hcm": "ho chi minh", "hcm": "ho chi minh", "sai gon": "ho chi minh",
                 "thua thien hue": "hue"}
# the bodies that issue documents, as their names begin (folded) → the short code numbers carry for them
# ("56/2025/NQ-HĐND"); a question may name either. Longest first where one contains another.
ISSUING_BODIES = {"uy ban thuong vu quoc hoi": "ubtvqh", "chu tich uy ban nhan dan": "ctubnd",
                  "chu tich ubnd": "ctubnd", "hoi dong nhan dan": "hdnd", "uy ban nhan dan": "ubnd",
                  "thu tuong": "ttg", "chinh phu": "cp", "quoc hoi": "qh", "hdnd": "hdnd", "ubnd": "ubnd",
                  "ubtvqh": "ubtvqh", "ctubnd": "ctubnd", "ttg": "ttg"}

# the abbreviations of administrative writing → the words they stand for: a question types one form and a
# document prints the other ("Tổng chi NSĐP" against "tổng chi ngân sách địa phương"); BM25 reads both
# (`abbreviation_forms`). Only letters of at least three, which do not spell a Vietnamese word when folded.
ABBREVIATIONS = {
    "NSNN": "ngân sách nhà nước", "NSĐP": "ngân sách địa phương", "NSTW": "ngân sách trung ương",
    "TTHC": "thủ tục hành chính", "HTX": "hợp tác xã", "MTTQ": "mặt trận tổ quốc", "ĐBQH": "đại biểu quốc hội",
    "KT-XH": "kinh tế - xã hội", "CCHC": "cải cách hành chính", "GPMB": "giải phóng mặt bằng",
    "XDCB": "xây dựng cơ bản", "PCCC": "phòng cháy, chữa cháy", "CNTT": "công nghệ thông tin",
    "BHYT": "bảo hiểm y tế", "BHXH": "bảo hiểm xã hội", "BHTN": "bảo hiểm thất nghiệp",
    "THCS": "trung học cơ sở", "THPT": "trung học phổ thông", "ATTP": "an toàn thực phẩm",
    "ATGT": "an toàn giao thông", "KCN": "khu công nghiệp", "CCN": "cụm công nghiệp", "NTM": "nông thôn mới",
    "GTVT": "giao thông vận tải", "TNMT": "tài nguyên và môi trường", "PTNT": "phát triển nông thôn",
    "LĐTBXH": "lao động - thương binh và xã hội", "CBCCVC": "cán bộ, công chức, viên chức",
    "TDTT": "thể dục thể thao", "KHCN": "khoa học và công nghệ", "ĐTM": "đánh giá tác động môi trường",
    "QSDĐ": "quyền sử dụng đất", "SXKD": "sản xuất kinh doanh", "DNNVV": "doanh nghiệp nhỏ và vừa",
    "TMĐT": "thương mại điện tử", "MTQG": "mục tiêu quốc gia", "CTMTQG": "chương trình mục tiêu quốc gia",
    "ĐTXD": "đầu tư xây dựng", "GDĐT": "giáo dục và đào tạo", "VSMT": "vệ sinh môi trường",
    "CSHT": "cơ sở hạ tầng", "HCC": "hành chính công", "DVC": "dịch vụ công",
}

# units of measure and of counting an indicator's value is given in ("11,67%", "1.172,5 tỷ đồng", "45 tổ dân phố")
MEASURE_UNITS = (
    "%", "tỷ đồng", "triệu đồng", "nghìn đồng", "ngàn đồng", "đồng", "USD", "km", "m2", "m²", "m3", "ha", "tấn",
    "tạ", "con", "người", "lượt người", "lượt khách", "lượt", "doanh nghiệp", "DN", "HTX", "hợp tác xã", "trường",
    "cây xanh", "cây", "hộ", "tuyến phố", "tổ dân phố", "khu dân cư", "xã", "phường", "công trình", "dự án",
    "hồ sơ", "trường hợp", "cuộc", "lao động", "giường", "sản phẩm", "cơ sở", "thôn", "đơn vị", "căn hộ", "căn",
    "nhà", "km2", "MW", "kWh", "triệu USD", "nghìn tỷ đồng", "tuyến", "lớp", "học sinh", "bác sĩ",
)

# function words of a question that say nothing about what is asked (accented, lower case)
QUESTION_STOP_WORDS = frozenset(
    "của và các là được trong cho với những một có không nào gì bao nhiêu thế như đã đến từ này đó "
    "nhất hay hoặc ở về theo mấy việc vấn đề".split())
# how a question asks (accented): documents seldom print them, so a question typed without accents is re-accented
# with these first ("bao nhieu" is "bao nhiêu", not the "báo nhiều" a corpus's counts would suggest)
QUESTION_PHRASES = ("bao nhiêu", "bao lâu", "bao giờ", "bao xa", "khi nào", "lúc nào", "thế nào", "như thế nào",
                    "là gì", "ở đâu", "vì sao", "tại sao", "mấy giờ", "là ai")
# how a question asks or addresses its reader beside those, which documents seldom print either: a syllable of a
# question typed with accents that is one of these is meant as typed, wherever the index holds it or not
ASKING_WORDS = ("mấy", "đâu", "nào", "gì", "ai", "sao", "hãy", "chúng ta", "cho biết", "liệt kê", "tôi", "em")
# folded words that do not tell one indicator name from another ("Thu ngân sách của thành phố năm 2022")
NAME_STOP_WORDS = frozenset("so cua va cac trong nam duoc voi cho tai the nhung mot la".split())

TITLE_MIN_LETTERS = 4  # an upper-case heading has at least this many letters ("MỤC TIÊU"; not "I." or "A")
WRAP_MIN_LETTERS = 3  # an upper-case line that continues a wrapped title may be shorter ("VÀ", "XÃ HỘI")


def is_upper(text: str, min_letters: int = TITLE_MIN_LETTERS) -> bool:
    """Every letter upper case, and at least `min_letters` of them.

    >>> is_upper("PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2023"), is_upper("I."), is_upper("XÃ", WRAP_MIN_LETTERS)
    (True, False, False)
    """
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= min_letters and all(c.isupper() for c in letters)

"""Legacy Vietnamese encodings still found in old government files: TCVN3 (ABC, fonts ``.VnTime``), VNI
(fonts ``VNI-Times``) and Windows-1258, converted to Unicode.

TCVN3 and VNI are font encodings: the bytes (or, in a Word file, the Latin-1 characters) only read as
Vietnamese in their own fonts. ``B¸o c¸o`` in ``.VnTime`` is ``Báo cáo``; ``Baùo caùo`` in ``VNI-Times`` too.
"""

from __future__ import annotations

import re
import unicodedata

# TCVN3 (TCVN 5712:1993, the "ABC" fonts): one Latin-1 code per letter. Tone order per vowel in the table:
# huyền, hỏi, ngã, sắc, nặng.
_TCVN3_SRC = (
    "µ¶·¸¹" "¨»¼½¾Æ" "©ÇÈÉÊË" "®" "ÌÎÏÐÑ" "ªÒÓÔÕÖ" "×ØÜÝÞ" "ßáâãä" "«åæçèé" "¬êëìíî" "ïñòóô" "\xadõö÷øù"
    "úûüýþ" "¡¢§£¤¥¦"
)
_TCVN3_DST = (
    "àảãáạ" "ăằẳẵắặ" "âầẩẫấậ" "đ" "èẻẽéẹ" "êềểễếệ" "ìỉĩíị" "òỏõóọ" "ôồổỗốộ" "ơờởỡớợ" "ùủũúụ" "ưừửữứự"
    "ỳỷỹýỵ" "ĂÂĐÊÔƠƯ"
)
TCVN3 = dict(zip(_TCVN3_SRC, _TCVN3_DST, strict=True))

# VNI: a base letter followed by a modifier character. Tones: sắc ù, huyền ø, hỏi û, ngã õ, nặng ï (upper case
# Ù Ø Û Õ Ï); after â/ê/ô (written "aâ", "eâ", "oâ") and ă ("aê") the tone is á à å ã ä / é è ú ü ë.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HAT_TONES = {"á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE_TONES = {"é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(src: str, base: str, tone: str = "") -> None:
        for s, b in ((src, base), (src.upper(), base.upper())):
            table[s] = unicodedata.normalize("NFC", b + tone)

    for v in "aeiouy":
        for mark, tone in _VNI_TONES.items():
            add(v + mark, v, tone)
    for v in "aeo":
        add(v + "â", v + "\u0302")
        for mark, tone in _VNI_HAT_TONES.items():
            add(v + mark, v + "\u0302", tone)
    add("aê", "ă")
    for mark, tone in _VNI_BREVE_TONES.items():
        add("a" + mark, "ă", tone)
    for src, base in (("ô", "ơ"), ("ö", "ư")):  # ơ and ư are single characters, toned like the plain vowels
        add(src, base)
        for mark, tone in _VNI_TONES.items():
            add(src + mark, base, tone)
    # single characters: đ, and i/y with the tones VNI gives them their own codes for
    for src, dst in (("ñ", "đ"), ("í", "í"), ("ì", "ì"), ("æ", "ỉ"), ("ó", "ĩ"), ("ò", "ị"), ("î", "ỵ")):
        table[src], table[src.upper()] = dst, dst.upper()
    return table


VNI = _vni_table()
_VNI_RE = re.compile("|".join(sorted(map(re.escape, VNI), key=len, reverse=True)))
_TCVN3_RE = re.compile("[" + re.escape(_TCVN3_SRC) + "]")


def tcvn3_to_unicode(text: str, upper: bool = False) -> str:
    """TCVN3 → Unicode; `upper` for the capitals-only fonts (``.VnTimeH``) that show every letter in capitals.

    >>> tcvn3_to_unicode("B¸o c¸o t×nh h×nh")
    'Báo cáo tình hình'
    """
    out = _TCVN3_RE.sub(lambda m: TCVN3[m.group()], text)
    return out.upper() if upper else out


def vni_to_unicode(text: str) -> str:
    """VNI → Unicode.

    >>> vni_to_unicode("Baùo caùo tình hình")
    'Báo cáo tình hình'
    """
    return _VNI_RE.sub(lambda m: VNI[m.group()], text)


def font_encoding(font: str | None) -> str | None:
    """The legacy encoding a font name implies: ``.VnTime`` → "tcvn3", ``.VnTimeH`` → "tcvn3h",
    ``VNI-Times`` → "vni"; None for Unicode fonts."""
    if not font:
        return None
    f = font.strip().lower()
    if f.startswith(".vn"):
        return "tcvn3h" if f.endswith("h") else "tcvn3"
    if f.startswith("vni"):
        return "vni"
    return None


def from_font(text: str, font: str | None) -> str:
    """A Word run's text → Unicode, by the legacy font it is set in (unchanged for Unicode fonts)."""
    match font_encoding(font):
        case "tcvn3":
            return tcvn3_to_unicode(text)
        case "tcvn3h":
            return tcvn3_to_unicode(text, upper=True)
        case "vni":
            return vni_to_unicode(text)
    return text


# --- detection -------------------------------------------------------------------------------------------

_COMMON = {"và", "của", "các", "năm", "được", "trong", "người", "thực", "hiện", "không", "có", "cho", "đã", "với",
           "những", "việc", "theo", "về", "là", "một", "tỉnh", "phố", "xã", "hội", "dân", "ban", "nhân", "quyết",
           "định", "báo", "cáo", "phát", "triển", "kinh", "tế", "đến", "đạt", "tăng", "số", "ngày", "tháng"}
_WORD_RE = re.compile(r"[^\W\d_]+")


def vietnamese_score(text: str) -> float:
    """The share of words that are common Vietnamese words: high for Unicode Vietnamese, near 0 for mojibake."""
    words = _WORD_RE.findall(unicodedata.normalize("NFC", text[:20000]).lower())
    return sum(w in _COMMON for w in words) / len(words) if words else 0.0


def candidates(data: bytes) -> dict[str, str]:
    """The ways a non-UTF-8 Vietnamese text file may be read: Windows-1258, TCVN3, VNI, (Latin-1 as a last resort)."""
    latin = data.decode("latin-1")
    return {
        "cp1258": data.decode("cp1258", errors="replace"),
        "tcvn3": tcvn3_to_unicode(latin),
        "vni": vni_to_unicode(data.decode("cp1252", errors="replace")),
    }


def fix_legacy_text(text: str) -> tuple[str, str | None]:
    """Unicode text that is really TCVN3 or VNI (pasted from an old file) → (Unicode text, encoding found)."""
    base = vietnamese_score(text)
    if base >= 0.2:
        return text, None
    best, name, top = text, None, max(base + 0.1, 0.15)
    for enc, conv in (("tcvn3", tcvn3_to_unicode), ("vni", vni_to_unicode)):
        out = conv(text)
        score = vietnamese_score(out)
        if score > top:
            best, name, top = out, enc, score
    return best, name

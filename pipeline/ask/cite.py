"""How a passage is cited: a ready-to-paste reference ("Quyết định số 97/2025/QĐ-UBND ngày 25/11/2025 của Ủy ban
nhân dân tỉnh Nghệ An, Điều 2, khoản 3") and the footnotes a chunk carries. Pure functions over stored records;
the app and the CLI show what these return."""

from __future__ import annotations

import re

from pipeline.refs.references import TYPES
from pipeline.text.chunk import heading_key
from pipeline.text.clean import fold
from pipeline.text.segment import split_sentences
from pipeline.text.vocab import ADMIN_UNITS
from pipeline.types import DocMeta, Heading, HeadingKind, Passage

_PARTS = {"1": "nhất", "2": "hai", "3": "ba", "4": "tư", "5": "năm", "6": "sáu", "7": "bảy", "8": "tám", "9": "chín"}
_ORGANS = {"ỦY BAN NHÂN DÂN": "Ủy ban nhân dân", "UỶ BAN NHÂN DÂN": "Ủy ban nhân dân",
           "HỘI ĐỒNG NHÂN DÂN": "Hội đồng nhân dân", "THỦ TƯỚNG CHÍNH PHỦ": "Thủ tướng Chính phủ",
           "CHÍNH PHỦ": "Chính phủ", "QUỐC HỘI": "Quốc hội", "BAN THƯỜNG VỤ": "Ban Thường vụ"}
_TYPE_WORDS = sorted(TYPES, key=len, reverse=True)


def _part(key: str) -> str:
    return f"Phần thứ {_PARTS.get(key[1:], key[1:])}"


def section_label(headings: tuple[Heading, ...]) -> str:
    """Where a chunk sits, as a citation names it, from its heading path: ``… › 1.4. …`` → ``mục 1.4``;
    ``Phần thứ hai › I. › 2. › a)`` → ``Phần thứ hai, mục I.2, điểm a``; ``Điều 2. › 3.`` → ``Điều 2, khoản 3``.
    Empty for the front matter.

    >>> from pipeline.types import HeadingKind as K
    >>> section_label((Heading(K.DIEU, "Điều 2.", "Trách nhiệm"), Heading(K.ARABIC, "3.", "Sở Tài chính")))
    'Điều 2, khoản 3'
    """
    K = HeadingKind
    keys = [(h.kind, heading_key(h)) for h in headings]
    article = next((k[1:] for kind, k in keys if kind is K.DIEU), None)
    letter = keys[-1][1] if keys and keys[-1][0] is K.LETTER else None
    numbers = [(kind, k) for kind, k in keys if kind in (K.ROMAN, K.ARABIC, K.ARABIC2, K.ARABIC3)]
    in_part = bool(keys) and keys[0][0] is K.PHAN and keys[0][1][1:].isdigit()
    out = []
    if article:
        out.append(f"Điều {article}")
        if numbers:
            out.append(f"khoản {numbers[-1][1]}")
    elif numbers:
        last = numbers[-1][1]
        if "." in last:
            out.append(f"mục {last}")
        else:  # join from the last Roman numeral on: I › 2 → I.2
            start = max((i for i, (kind, _) in enumerate(numbers) if kind is K.ROMAN), default=len(numbers) - 1)
            if numbers[start][0] is K.ROMAN and in_part:
                out.append(_part(keys[0][1]))  # "mục I.2" repeats in each part
            out.append("mục " + ".".join(k for _, k in numbers[start:]))
    elif in_part:
        out.append(_part(keys[0][1]))
    if letter:
        out.append(f"điểm {letter}")
    return ", ".join(out)


def _issuer(issuer: str) -> str:
    """``ỦY BAN NHÂN DÂN TỈNH NGHỆ AN`` → ``Ủy ban nhân dân tỉnh Nghệ An``; mixed case is kept as written."""
    text = " ".join(issuer.split())
    head = ""
    for caps, name in _ORGANS.items():
        if text.upper().startswith(caps):
            head, text = name, text[len(caps) :].strip()
            break
    words = []
    rest = text
    for unit in ADMIN_UNITS:
        if rest.upper().startswith(unit + " "):
            words.append(unit.lower())
            rest = rest[len(unit) :].strip()
            break
    words += [w.capitalize() if w.isupper() and len(w) > 1 and not w.endswith(".") else w for w in rest.split()]
    return " ".join(x for x in (head, " ".join(words)) if x)


def date_text(date: str) -> str:
    """An ISO date as a citation writes it: ``2025-11-25`` → ``ngày 25/11/2025``, ``2022-11`` → ``tháng 11/2022``."""
    parts = date.split("-")
    if len(parts) == 3:
        return f"ngày {int(parts[2])}/{int(parts[1])}/{parts[0]}"
    if len(parts) == 2:
        return f"tháng {int(parts[1])}/{parts[0]}"
    return f"năm {parts[0]}"


def _type_and_rest(title: str) -> tuple[str, str]:
    """``BÁO CÁO Tình hình …`` → (``Báo cáo``, ``Tình hình …``)."""
    folded = fold(title)
    for word in _TYPE_WORDS:
        w = fold(word)
        if folded.startswith(w) and (len(folded) == len(w) or not folded[len(w)].isalnum()):
            return word[0].upper() + word[1:], title[len(word) :].strip(" :-–")
    return "", title


def citation(p: Passage, meta: DocMeta | None = None) -> str:
    """A reference ready to paste into a report.

    >>> m = DocMeta(title="QUYẾT ĐỊNH QUY ĐỊNH …", number="97/2025/QĐ-UBND", issuer="ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
    ...             date="2025-11-25")
    >>> from pipeline.types import HeadingKind as K
    >>> where = (Heading(K.DIEU, "Điều 2.", "Trách nhiệm thi hành"), Heading(K.ARABIC, "3.", "Sở Tài chính"))
    >>> p = Passage(1, "qd.md", m.title, 2025, "", "qd.md#D2/3:0", "", 1.0, headings=where)
    >>> citation(p, m)
    'Quyết định số 97/2025/QĐ-UBND ngày 25/11/2025 của Ủy ban nhân dân tỉnh Nghệ An, Điều 2, khoản 3'
    """
    meta = meta or DocMeta(title=p.title)
    kind, rest = _type_and_rest(meta.title or p.title or p.doc)
    if kind and rest[:2].istitle():  # "Báo cáo Tình hình …" → "Báo cáo tình hình …"
        rest = rest[0].lower() + rest[1:]
    by = f"của {_issuer(meta.issuer)}" if meta.issuer else ""
    if meta.number:  # "Quyết định số … ngày … của …", the way documents cite each other
        parts = [f"{kind or 'Văn bản'} số {meta.number}", date_text(meta.date) if meta.date else "", by]
    else:
        parts = [" ".join(x for x in (kind, rest) if x) or p.doc, by, f"({date_text(meta.date)})" if meta.date else ""]
    parts = [x for x in parts if x]
    where = ", ".join(x for x in (section_label(p.headings), f"trang {p.page}" if p.page else "") if x)
    return " ".join(parts) + (f", {where}" if where else "")


def spans_in(text: str, sentences: list[str] | tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the answering sentences lie in `text` (start, end), sorted, not overlapping. A sentence the answer
    joined to its lead-in ("… như sau: …") is found part by part.

    >>> spans_in("Mở đầu. Thu ngân sách đạt 95%. Hết.", ["Thu ngân sách đạt 95%."])
    [(8, 30)]
    """
    out: list[tuple[int, int]] = []
    for sentence in sentences:
        parts = [sentence] if sentence in text else [
            x for piece in re.split(r"(?<=:)\s+", sentence) for x in split_sentences(piece)]
        for part in parts:
            start = text.find(part) if part else -1
            if start >= 0:
                out.append((start, start + len(part)))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(out):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged

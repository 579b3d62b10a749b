"""Segmentation: sentences, underthesea words with legal codes and numbers kept whole, and folded syllables.

underthesea splits ``996/QĐ-TTg`` into ``996 / QĐ-TTg`` and ``11,67%`` into ``11,67 %``; its ``fixed_words``
puts entries into a regex unescaped. So codes, dates and numbers are swapped for placeholders before
tokenizing and put back after.
"""

from __future__ import annotations

import re
import sys
from functools import cache

from pipeline.text.clean import fold

# legal document numbers: 996/QĐ-TTg, 59/2019/NĐ-CP, 09-KL/TU, 03-NQ/Th.U, 45/2019/QH14, 4919/UBND-GT1
CODE_RE = re.compile(
    r"\b\d{1,5}[a-z]?(?:/\d{4})?(?:/|-)(?=[A-ZĐ])[A-ZĐ][A-Za-zĐđ0-9]*(?:[.\-][A-Za-zĐđ0-9]+)*"
    r"(?:/[A-ZĐ][A-Za-zĐđ0-9]*(?:[.\-][A-Za-zĐđ0-9]+)*)*"
)
# dates 18/8/2022, Vietnamese numbers 1.172,5 and 11,67% (a percent sign stays with its number)
NUMBER_RE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d+(?:[.,]\d+)*\s?%|\b\d+(?:[.,]\d+)+\b")
_PROTECT_RE = re.compile(f"{CODE_RE.pattern}|{NUMBER_RE.pattern}")
_PLACEHOLDER_RE = re.compile(r"qzx(\d+)qzx", re.IGNORECASE)
_WORD_RE = re.compile(r"\w", re.UNICODE)

_ABBREV = ("TP.", "Tp.", "tp.", "TX.", "ThS.", "TS.", "PGS.", "GS.", "BS.", "KS.", "Th.", "v.v.", "St.", "ĐT.")
_SENT_RE = re.compile(r"(?<=[.!?…;])[\"”’)]*\s+(?=[\"“(\-+•–]?\s?[A-ZĐÀ-Ỹ0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences (and ';'-clauses) of a paragraph; abbreviations like ``TP.`` do not end one.

    >>> split_sentences("TP. Hà Tĩnh đạt 1.172,5 tỷ đồng. Tăng 11,67%; Giảm 2%.")
    ['TP. Hà Tĩnh đạt 1.172,5 tỷ đồng.', 'Tăng 11,67%;', 'Giảm 2%.']
    """
    out: list[str] = []
    pos = 0
    for m in _SENT_RE.finditer(text):
        piece = text[pos : m.start()].rstrip()
        if piece.endswith(_ABBREV):
            continue
        end = m.end()
        piece = text[pos:end].strip()
        if piece:
            out.append(piece)
        pos = end
    tail = text[pos:].strip()
    if tail:
        out.append(tail)
    return out


@cache
def _tokenizer():
    # underthesea's __init__ imports its optional translate module, which loads torch and transformers when
    # they are installed (~2 s and ~200 MB per process); tracuu never translates
    sys.modules.setdefault("underthesea.pipeline.translate", None)  # type: ignore[arg-type]  # None blocks the import
    try:
        from underthesea import word_tokenize
    except ImportError as e:  # pragma: no cover - a broken install
        raise ImportError("underthesea is missing: run `make install` (pip install underthesea)") from e
    return word_tokenize


def protected_tokens(text: str) -> list[str]:
    """underthesea words of `text` (case kept), with codes, dates and numbers as single tokens. A separator that
    underthesea glues to a word (a heading path's ``›``, a table's ``|``: ``| Mã``, ``Hồ Chí Minh ›``) is a token
    of its own, so the word is the word a question types.

    >>> protected_tokens("Quyết định 996/QĐ-TTg tăng 11,67%")
    ['Quyết định', '996/QĐ-TTg', 'tăng', '11,67%']
    >>> protected_tokens("Stt | Mã thủ tục | Tên")
    ['Stt', '|', 'Mã', 'thủ tục', '|', 'Tên']
    """
    kept: list[str] = []

    def hold(m: re.Match[str]) -> str:
        kept.append(m.group(0).replace(" ", ""))
        return f" qzx{len(kept) - 1}qzx "

    masked = _PROTECT_RE.sub(hold, text)
    tokens = _tokenizer()(masked)
    out = []
    for tok in tokens:
        if "qzx" in tok.lower():
            parts = _PLACEHOLDER_RE.split(tok)  # a placeholder glued to a word: keep both
            for j, part in enumerate(parts):
                part = part.strip()
                if part:
                    out.append(kept[int(part)] if j % 2 else part)
        else:
            out.extend(_unglued(tok))
    return out


def _unglued(token: str) -> list[str]:
    """`token` cut where a part of it (between spaces) holds no letter or digit: ``| Mã`` → ``|``, ``Mã``."""
    parts = token.split(" ")
    if len(parts) == 1 or all(_WORD_RE.search(p) for p in parts):
        return [token]
    out: list[str] = []
    run: list[str] = []
    for part in parts:
        if _WORD_RE.search(part):
            run.append(part)
            continue
        if run:
            out.append(" ".join(run))
            run = []
        out.append(part)
    return [*out, " ".join(run)] if run else out


def words(text: str) -> list[str]:
    """Lower-cased word tokens for BM25: ``tăng_trưởng``; punctuation dropped; a code also gives its number.

    >>> words("Tăng trưởng kinh tế theo 996/QĐ-TTg.")
    ['tăng_trưởng', 'kinh_tế', 'theo', '996/qđ-ttg', '996']
    """
    out = []
    for tok in protected_tokens(text):
        if not _WORD_RE.search(tok):
            continue
        low = tok.lower().replace(" ", "_")
        out.append(low)
        if CODE_RE.fullmatch(tok):
            out.append(re.match(r"\d+", tok).group(0))  # type: ignore[union-attr]  # CODE_RE codes start with digits
    return out


_SYLLABLE_RE = re.compile(r"[0-9a-z]+(?:[.,/\-][0-9a-z]+)*")


def folded_tokens(text: str) -> list[str]:
    """Diacritic-folded syllables and adjacent-syllable bigrams: what matches a query typed without accents.

    >>> folded_tokens("Tăng trưởng 11,67%")
    ['tang', 'truong', '11,67', 'tang_truong', 'truong_11,67']
    """
    syl = _SYLLABLE_RE.findall(fold(text))
    extra: list[str] = []
    for s in syl:
        if "/" in s or "-" in s:  # a code: also its parts, so "qd 996" finds "996/qd-ttg"
            extra.extend(p for p in re.split(r"[/\-]", s) if p)
    return syl + [f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False)] + extra

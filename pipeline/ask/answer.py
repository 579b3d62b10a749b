"""Extractive answers: the sentence(s) of the retrieved passages that answer the question, each with its [n].

A sentence scores by the question's terms it holds (folded syllables and syllable pairs, weighted by rarity),
whether it states a quantity when the question asks for one, and the rank of its passage. A question that
compares two years gets the best sentence for each year, from passages about that year.
"""

from __future__ import annotations

import math
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import Enum

from pipeline.ask.cells import cell_answers, row_text
from pipeline.protocol import FoldedTermStats, IndexReader, TermStats
from pipeline.refs.references import RefQuery, find_references, matches, parse_query
from pipeline.search.filters import Filters
from pipeline.search.hybrid import HybridSearcher
from pipeline.search.query import normalize_query
from pipeline.settings import ENV_MAX_QUESTION_CHARS, Settings
from pipeline.text.accents import restore
from pipeline.text.clean import fold
from pipeline.text.segment import CODE_RE, split_sentences
from pipeline.text.vocab import DATE_MENTION_RE, QUESTION_STOP_WORDS, YEAR_RE
from pipeline.types import Answer, DocMeta, Hit, Passage, RowKind

MAX_ANSWER = 360  # characters of one answer sentence; longer ones are cut to the clauses that match
_QUANTITY_RE = re.compile(r"\b(bao nhieu|may|ty le|so luong|bao lau|muc)\b")
_WHEN_RE = re.compile(r"\b(khi nao|ngay nao|thang nao|nam nao|bao gio|thoi han|thoi diem nao|truoc ngay)\b")
_COMPARE_RE = re.compile(r"\b(so sanh|so voi|doi chieu|chenh lech|tang hay giam)\b")
_NOT_QUANTITY = [re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"), CODE_RE,
                 re.compile(r"\b(?:năm|ngày|tháng|Điều|khoản|điểm)\s+\d+\b", re.IGNORECASE),
                 YEAR_RE]
_WH_RE = re.compile(r"\b(bao nhieu|may|la gi|nhu the nao|khi nao|o dau|ai|nao)\b")
# words that say whether a figure is a target or a result, not which indicator it is: light in comparisons
_KIND_WORDS = set("chỉ tiêu kế hoạch mục tiêu đạt thực hiện so sánh dự kiến phấn đấu đặt ra đề ra kết quả "
                  "ước với và".split())
ROW_FOR_ONE, ROW_FOR_TWO = 0.9, 1.2  # a whole table row against its best cell: for one thing asked, for two
TITLE_FOR_WHAT, TITLE_FOR_NUMBER = 1.5, 3.0  # a document's title against its sentences: asked "… gì?", number alone
_WHAT_RE = re.compile(r"\b(gi|nao|ai)\b")
FOCUS = 4  # syllables either side of "bao nhiêu"/"mấy"/"là gì" that name what is asked
_SYL_RE = re.compile(rf"{CODE_RE.pattern}|\d+(?:[.,]\d+)*%?|\w+")
_STOP = QUESTION_STOP_WORDS


class Wanted(Enum):
    """The kind of value a question asks for, which its answer sentence should state."""

    ANY = "any"  # "… để làm gì?", "… như thế nào?"
    FIGURE = "figure"  # "bao nhiêu", "mấy", "tỷ lệ": a figure that is not a date, year or document number
    DATE = "date"  # "khi nào", "trước ngày nào", "thời hạn": a date

    @classmethod
    def of(cls, question: str) -> Wanted:
        """What a question (folded) asks for.

        >>> Wanted.of("thu ngan sach dat bao nhieu"), Wanted.of("nop bao cao truoc ngay nao")
        (<Wanted.FIGURE: 'figure'>, <Wanted.DATE: 'date'>)
        """
        if _WHEN_RE.search(question):
            return cls.DATE
        return cls.FIGURE if _QUANTITY_RE.search(question) else cls.ANY


@dataclass(frozen=True)
class Scored:
    """A candidate answer: its score, the rank of the passage it comes from, its text, and the text of the
    passage to highlight (the sentence itself; for a table cell, the row that prints it)."""
    score: float
    rank: int
    sentence: str
    span: str = ""

    @property
    def highlight(self) -> str:
        """What to mark in the passage."""
        return self.span or self.sentence


def _syllables(text: str) -> list[str]:
    """Lower-case syllables; a document number (``59/2019/NĐ-CP``) is one."""
    return [w.lower() for w in _SYL_RE.findall(text)]


def _tokens(text: str) -> set[str]:
    """Lower-case syllables and adjacent pairs, accents kept: ``đạt`` and ``đất`` stay apart."""
    syl = _syllables(text)
    return set(syl) | {f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False)}


def _query_terms(question: str) -> list[str]:
    """Content syllables and the pairs of adjacent content syllables (a pair with a function word such as
    ``nhiêu_học`` or ``việc_gì`` is rare in text only because it is not a phrase)."""
    syl = [w for w in _syllables(question) if not YEAR_RE.fullmatch(w)]
    pairs = [f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False) if a not in _STOP and b not in _STOP]
    return list(dict.fromkeys([w for w in syl if w not in _STOP] + pairs))


def has_quantity(sentence: str) -> bool:
    """A figure, not a document number, date or year: ``1.172,5 tỷ``, ``95%``, ``639 em``."""
    for pattern in _NOT_QUANTITY:
        sentence = pattern.sub(" ", sentence)
    return any(c.isdigit() for c in sentence)


def focus_terms(question: str) -> set[str]:
    """The words next to the question word: ``tổng mức đầu tư dự kiến bao nhiêu``, ``bao nhiêu quyết định
    nâng lương``. They name what is asked, so they weigh double when choosing the answer sentence."""
    syl = _syllables(question)
    folded = " ".join(fold(w) for w in syl)
    m = _WH_RE.search(folded)
    if not m:
        return set()
    start = folded[: m.start()].count(" ")
    end = start + m.group(1).count(" ") + 1
    near = syl[max(0, start - FOCUS) : start] + syl[end : end + FOCUS]
    return set(near) | {f"{a}_{b}" for a, b in zip(near, near[1:], strict=False)}


def _clauses(sentence: str) -> list[str]:
    """Clauses at ; , : and dashes, never inside a quotation (“Thích ứng, an toàn, linh hoạt”)."""
    out, cur, quoted = [], "", False
    for piece in re.split(r"((?<=[;,:])\s+|\s+-\s+(?=\S))", sentence):
        if not piece:
            continue
        if not piece.strip() or piece.strip() == "-":
            if quoted:
                cur += piece
            else:
                out.append(cur)
                cur = piece.strip() + " " if piece.strip() else ""
            continue
        cur += piece
        quoted = (cur.count("“") > cur.count("”")) or cur.count('"') % 2 == 1
    out.append(cur)
    return [c.strip() for c in out if c.strip()]


def _trim(sentence: str, terms: dict[str, float]) -> str:
    """A long sentence cut to the window of clauses holding the most question terms (weighted by rarity)."""
    if len(sentence) <= MAX_ANSWER:
        return sentence
    parts = _clauses(sentence)
    best, best_score = sentence[:MAX_ANSWER], -1.0
    for i in range(len(parts)):
        window = ""
        for j in range(i, len(parts)):
            nxt = f"{window} {parts[j]}".strip()
            if len(nxt) > MAX_ANSWER:
                break
            window = nxt
            # ties go to the longer window: what a question asks about usually follows its terms
            s = sum(w for t, w in terms.items() if t in _tokens(window)) + len(window) / 10_000
            s *= 1.3 if has_quantity(window) else 1.0
            if s > best_score:
                best, best_score = window, s
    return best


_PERIOD_RE = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")


def _asked_years(question: str) -> list[int]:
    """The years a question asks about, in order, each once; a period ("giai đoạn 2026 - 2030") is not two years
    to compare, so only its years that the question names again count (``… 2026 - 2030 … năm 2030`` → 2030).

    >>> _asked_years("So sánh thu ngân sách năm 2022 và năm 2023"), _asked_years("giai đoạn 2026 - 2030, năm 2028")
    ([2022, 2023], [2028])
    >>> _asked_years("Thông tư 69/2025/TT-BNNMT quy định gì")
    []
    """
    bare = _PERIOD_RE.sub(" ", CODE_RE.sub(" ", question))  # nor is the year inside a number ("69/2025/TT-…")
    return list(dict.fromkeys(int(y) for y in YEAR_RE.findall(bare)))


def _row_fit(where: str, terms: dict[str, float]) -> float:
    """A table cell answers only when the question names its row: full weight when a question term is in the
    row's label (or the groups above it), little otherwise — the column's header alone matches every row."""
    toks = _tokens(where)
    folded = {fold(t) for t in toks}
    named = any((t in toks) if fold(t) != t else (t in folded) for t in terms)
    return 1.0 if named else 0.3


class QuestionTooLong(ValueError):
    """A question longer than ``$TRACUU_MAX_QUESTION_CHARS``: refused before any work, the message says the limit."""


class Answerer:
    """Search, then pick answer sentences. Holds the searcher, the index it reads passages from and the term
    statistics (by default the index's folded BM25 vocabulary), built once."""

    def __init__(self, searcher: HybridSearcher, index: IndexReader, stats: TermStats | None = None) -> None:
        self.searcher = searcher
        self.data = index
        self.stats = stats if stats is not None else FoldedTermStats(index)
        self.n = max(1, self.stats.n_chunks)
        # each document's own number ("Số: 97/2025/QĐ-UBND"), read once
        self._own_numbers = [(name, r) for name, d in self.data.docs.items()
                             for r in find_references(d.meta.number or "")[:1]]

    def _idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.stats.doc_freq(fold(term).replace(" ", "_"))))

    def _weights(self, terms: list[str], focus: AbstractSet[str] = frozenset()) -> dict[str, float]:
        return {t: self._idf(t) * (2.0 if t in focus else 1.0) for t in terms}

    def _score(self, sentence: str, p: Passage, terms: dict[str, float], wanted: Wanted,
               year: int | None) -> float:
        """Rarity-weighted question terms in the sentence (accented terms match accented text; a term typed
        without accents matches folded text) — terms found only in the section heading count half —, a bonus
        for a figure when one is asked for and for the year asked about, a mild penalty for length and for
        lower-ranked passages."""
        toks = _tokens(sentence)
        heading = _tokens(p.headings[-1].text if p.headings else "")
        folded, folded_heading = {fold(t) for t in toks}, {fold(t) for t in heading}
        s = 0.0
        for t, w in terms.items():
            exact = fold(t) != t
            if t in toks if exact else t in folded:
                s += w
            elif t in heading if exact else t in folded_heading:
                s += 0.5 * w
        if wanted is Wanted.FIGURE:  # "bao nhiêu", "mấy", "tỷ lệ": the answer states a figure
            s *= 1.3 if has_quantity(sentence) else 0.6
        elif wanted is Wanted.DATE:  # "trước ngày nào", "khi nào": the answer states a date
            s *= 1.3 if DATE_MENTION_RE.search(sentence) else 0.6
        if year is not None and p.year is not None:
            s *= 1.25 if p.year == year else 0.8
        codes = [t for t in terms if CODE_RE.fullmatch(t.upper())]
        own = (p.meta.number or "").lower()
        if codes and not any(c in toks or c == own for c in codes):
            s *= 0.5  # "Nghị định 59/2019/NĐ-CP … để làm gì?": the answer names that document, or is in it
        length = len(toks) / 2
        return s / math.sqrt(1 + length / 60) / (1 + 0.15 * (p.rank - 1))

    def _best(self, passages: list[Passage], terms: dict[str, float], wanted: Wanted, year: int | None = None,
              focus: AbstractSet[str] = frozenset(), asks: int = 1) -> Scored | None:
        """The best sentence or table cell; a lead-in ending with ':' takes the sentence after it along.
        `focus`: the words next to the question word; `asks`: how many question words the question has."""
        best = None
        for p in passages:
            paras = [*p.text.split("\n"), *(note for _, note in p.footnotes)]
            sents = [x for para in paras for x in split_sentences(para)]
            for i, sent in enumerate(sents):
                if len(sent) < 8:
                    continue
                if sent.endswith(":") and i + 1 < len(sents):
                    sent = f"{sent} {sents[i + 1]}"
                scored = Scored(self._score(sent, p, terms, wanted, year), p.rank, sent)
                if best is None or scored.score > best.score:
                    best = scored
            table = self._best_in_table(p, terms, wanted, year, focus, asks)
            if table is not None and (best is None or table.score > best.score):
                best = table
        return best

    def _best_in_table(self, p: Passage, terms: dict[str, float], wanted: Wanted, year: int | None,
                       focus: AbstractSet[str], asks: int) -> Scored | None:
        """The best cell of the passage's table rows, read with its row and column — scored like a sentence, and
        only when the question names its row; more when the words next to the question word name its column —,
        or the whole row when the question asks two things ("cơ quan nào chủ trì và thực hiện năm nào")."""
        best = None
        for cell in cell_answers(p.rows):
            head = _tokens(cell.header)
            fit = cell.year_fit(year) * _row_fit(cell.where, terms) * (1.5 if focus & head else 1.0)
            scored = Scored(self._score(cell.text, p, terms, wanted, year) * fit, p.rank, cell.text, cell.row.text)
            if best is None or scored.score > best.score:
                best = scored
        for row in (r for r in p.rows if r.kind is RowKind.DATA):
            text = row_text(row)
            fit = _row_fit(" ".join((*row.context, row.label)), terms) * (ROW_FOR_TWO if asks > 1 else ROW_FOR_ONE)
            fit *= 1.5 if focus & _tokens(" ".join(row.header)) else 1.0
            scored = Scored(self._score(text, p, terms, wanted, year) * fit, p.rank, text, row.text)
            if best is None or scored.score > best.score:
                best = scored
        return best

    def _passages(self, hits: list[Hit], start: int = 1) -> list[Passage]:
        out = []
        for i, h in enumerate(hits, start=start):
            c = self.data.chunk(h.chunk_id)
            meta = self.data.docs[c.doc].meta if c.doc in self.data.docs else DocMeta()
            out.append(Passage(i, c.doc, meta.title, c.year, c.section, c.chunk_id, c.text, h.score, c.page, meta,
                               headings=c.headings, footnotes=c.footnotes, rows=c.rows))
        return out

    def ask(self, question: str, k: int = 5, filters: Filters | None = None) -> Answer:
        """Answer one question from the index, citing passage ranks. A question longer than the limit
        (``$TRACUU_MAX_QUESTION_CHARS``, default 1000 characters) raises `QuestionTooLong`: refused, not cut, so
        that what is answered is what was asked."""
        limit = Settings.from_env().max_question_chars
        if len(question) > limit and len(question := question.strip()) > limit:
            raise QuestionTooLong(f"the question has {len(question)} characters, more than the {limit} allowed — "
                                  f"ask it in fewer words, or raise {ENV_MAX_QUESTION_CHARS} (câu hỏi quá dài: "
                                  f"tối đa {limit} ký tự)")
        question = normalize_query(question)
        if not question:
            return Answer(question, "", (), ())
        folded = fold(question)
        accented = restore(question, self.data.accents)
        terms = self._weights(_query_terms(accented), focus_terms(accented))
        wanted = Wanted.of(folded)
        years = _asked_years(question)
        hits = self._route_references(question, self.searcher.search(question, k, filters), k, filters)
        if len(years) >= 2 and (_COMPARE_RE.search(folded) or len(years) == 2):
            light = {t: w * (0.3 if all(x in _KIND_WORDS for x in t.split("_")) else 1.0) for t, w in terms.items()}
            return self._compare(question, hits, k, filters, years[:2], light, Wanted.FIGURE)
        passages = self._passages(hits)
        focus = focus_terms(accented)
        best = self._best(passages[: min(5, len(passages))], terms, wanted, years[0] if years else None, focus,
                          len(_WH_RE.findall(folded)))
        title = self._title_answer(question, folded, passages[: min(5, len(passages))], terms, wanted)
        if title is not None and (best is None or title.score > best.score):
            best = title
        if best is None:
            return Answer(question, "", (), tuple(passages))
        text = f"{_trim(best.sentence, terms)} [{best.rank}]"
        return Answer(question, text, (best.rank,), tuple(passages), ((best.rank, best.highlight),))

    def _named_documents(self, question: str) -> set[str]:
        """The indexed documents whose own number the question names ("nghị định 09/2025/nđ-cp", "qd 1378 bnv")."""
        queries = [RefQuery(r.number, r.code, r.year, r.issuer) for r in find_references(question)]
        if not queries and (q := parse_query(question)) is not None and q.type_code:
            queries = [q]
        return {name for name, r in self._own_numbers if any(matches(q, r) for q in queries)}

    def _title_answer(self, question: str, folded: str, passages: list[Passage], terms: dict[str, float],
                      wanted: Wanted) -> Scored | None:
        """A question about what a document it names by number is ("nghị định 09/2025 quy định về gì", "qd 1378
        bnv công bố gì", or the number alone) is answered by that document's title, cited to its first passage
        shown — scored like a sentence, more when the question asks "gì/nào/ai" or is only the number."""
        if wanted is not Wanted.ANY:
            return None
        named = self._named_documents(question)
        p = next((x for x in passages if x.doc in named and x.meta.title), None)
        if p is None:
            return None
        rest = [t for t in _syllables(CODE_RE.sub(" ", question)) if t not in _STOP and not t.isdigit()]
        title = p.meta.title
        score = self._score(title, p, terms, wanted, None)
        if len(rest) <= 4:  # the number alone: the title is what it names
            score = (score + sum(w for t, w in terms.items() if CODE_RE.fullmatch(t.upper()))) * TITLE_FOR_NUMBER
        elif _WHAT_RE.search(folded):
            score *= TITLE_FOR_WHAT
        return Scored(score, p.rank, title)

    def _route_references(self, question: str, hits: list[Hit], k: int, filters: Filters | None) -> list[Hit]:
        """A question naming a document number ("Quyết định 996/QĐ-TTg phê duyệt gì?", "qd 996 …") puts the
        passages that mention exactly that number first, best retrieved first."""
        wanted = find_references(question)
        queries = [RefQuery(r.number, r.code, r.year, r.issuer) for r in wanted]
        if not queries and (q := parse_query(question)) is not None and q.type_code:
            queries = [q]
        if not queries:
            return hits
        allowed = set(filters.mask_ids(self.data)) if filters and (filters.docs or filters.year) else None
        mentioning = {m.chunk_id for g in self.data.references for m in g.mentions
                      if any(matches(q, m.ref) for q in queries)}
        # the document that bears the number ("Số: 44/2025/QĐ-TTg") speaks of itself as "Quyết định này"
        own = {name for name, r in self._own_numbers if any(matches(q, r) for q in queries)}
        mentioning |= {c.chunk_id for c in self.data.chunks if c.doc in own}
        if allowed is not None:
            mentioning &= allowed
        if not mentioning:
            return hits
        ranked = [h for h in hits if h.chunk_id in mentioning]
        if len(ranked) < min(k, len(mentioning)):  # mentions the search did not reach: ask for more
            extra = self.searcher.search(question, 200, filters)
            ranked += [h for h in extra if h.chunk_id in mentioning and h not in ranked]
        lead = ranked[:k]
        return (lead + [h for h in hits if h.chunk_id not in {x.chunk_id for x in lead}])[:k]

    def _compare(self, question: str, hits: list[Hit], k: int, filters: Filters | None, years: list[int],
                 terms: dict[str, float], wanted: Wanted) -> Answer:
        """The best sentence for each year, from passages about that year; their passages lead the list."""
        docs = filters.docs if filters else ()
        lead: list[Hit] = []
        for y in years:
            year_hits = self.searcher.search(question, 5, Filters(docs=docs, year=y))
            cands = self._passages(year_hits)
            best = self._best(cands, terms, wanted, y)
            if best is not None:
                h = year_hits[best.rank - 1]
                if h.chunk_id not in {x.chunk_id for x in lead}:
                    lead.append(h)
        rest = [h for h in hits if h.chunk_id not in {x.chunk_id for x in lead}]
        passages = self._passages((lead + rest)[: max(k, len(lead))])
        parts, cites, spans = [], [], []
        for y in years:
            pool = [p for p in passages if p.year == y or (p.year is None and str(y) in p.full_text)]
            best = self._best(pool, terms, wanted, y)
            if best is None:
                continue
            parts.append(f"Năm {y}: {_trim(best.sentence, terms)} [{best.rank}]")
            cites.append(best.rank)
            spans.append((best.rank, best.highlight))
        return Answer(question, "\n".join(parts), tuple(dict.fromkeys(cites)), tuple(passages), tuple(spans))

"""Extractive answers: the sentence(s) of the retrieved passages that answer the question, each with its [n].

The question is read once into a `features.Need` (its terms weighted by rarity, the kind of value it asks
for, the unit, bound and negation it names); each sentence of the top passages gets the numbers of
`features.FEATURES` (terms and conditions covered, near the value it states; the kind of value; negation;
front matter …), weighed by the weights `bench/fit_select.py` fitted on development questions
(`weights.py`). A question that compares two years gets the best sentence for each year, from passages about
that year.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

from pipeline.ask.cells import asked_cells, cell_answers, row_text
from pipeline.ask.cite import date_text
from pipeline.ask.features import (
    SENTENCE,
    WH_RE,
    Kind,
    Need,
    Source,
    features,
    has_figure,
    matched,
    score,
    syllables,
    tokens,
)
from pipeline.protocol import FoldedTermStats, IndexReader, TermStats, waiting_for_vectors
from pipeline.refs.references import (
    Mention,
    Reference,
    RefQuery,
    bare_number,
    find_references,
    matches,
    parse_query,
    same_number,
)
from pipeline.refs.status import LINK_VI, Status, StatusIndex
from pipeline.search.filters import Filters, rows_of_docs
from pipeline.search.hybrid import HybridSearcher
from pipeline.search.query import normalize_query
from pipeline.settings import ENV_MAX_QUESTION_CHARS, Settings
from pipeline.text.accents import restore
from pipeline.text.clean import fold
from pipeline.text.segment import CODE_RE, split_sentences
from pipeline.text.vocab import QUESTION_STOP_WORDS, YEAR, YEAR_RE
from pipeline.types import Answer, DocMeta, Hit, Passage, RowKind

MAX_ANSWER = 360  # characters of one answer sentence; longer ones are cut to the clauses that match
CONTEXT = 200  # characters before a candidate sentence that may hold its condition (a list's lead-in)
_COMPARE_RE = re.compile(r"\b(so sanh|so voi|doi chieu|chenh lech|tang hay giam)\b")
# words that say whether a figure is a target or a result, not which indicator it is: light in comparisons
_KIND_WORDS = set("chỉ tiêu kế hoạch mục tiêu đạt thực hiện so sánh dự kiến phấn đấu đặt ra đề ra kết quả "
                  "ước với và".split())
FOCUS = 4  # syllables either side of "bao nhiêu"/"mấy"/"là gì" that name what is asked
_STOP = QUESTION_STOP_WORDS


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


def compared_years(question: str) -> list[int]:
    """The years a question names, in order, without those of a period ("năm học 2025 - 2026", "giai đoạn
    2026 - 2030"): a period is a condition, not two years to compare.

    >>> compared_years("So sánh thu ngân sách năm 2022 và năm 2023"), compared_years("học phí năm học 2025 - 2026")
    ([2022, 2023], [])
    >>> compared_years("Thông tư 69/2025/TT-BNNMT quy định gì")
    []
    """
    text = re.sub(rf"\b{YEAR}\s*[-–]\s*{YEAR}\b", " ", CODE_RE.sub(" ", question))  # nor a number's year
    return list(dict.fromkeys(int(y) for y in YEAR_RE.findall(text)))


def _query_terms(question: str) -> list[str]:
    """Content syllables and the pairs of adjacent content syllables (a pair with a function word such as
    ``nhiêu_học`` or ``việc_gì`` is rare in text only because it is not a phrase)."""
    syl = [w for w in syllables(question) if not YEAR_RE.fullmatch(w)]
    pairs = [f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False) if a not in _STOP and b not in _STOP]
    return list(dict.fromkeys([w for w in syl if w not in _STOP] + pairs))


has_quantity = has_figure  # a figure, not a document number, date or year: ``1.172,5 tỷ``, ``95%``, ``639 em``


def focus_terms(question: str) -> set[str]:
    """The words next to the question word: ``tổng mức đầu tư dự kiến bao nhiêu``, ``bao nhiêu quyết định
    nâng lương``. They name what is asked, so they weigh double when choosing the answer sentence."""
    syl = syllables(question)
    folded = " ".join(fold(w) for w in syl)
    m = WH_RE.search(folded)
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
            s = sum(w for t, w in terms.items() if t in tokens(window)) + len(window) / 10_000
            s *= 1.3 if has_quantity(window) else 1.0
            if s > best_score:
                best, best_score = window, s
    return best


# what a question about a number's legal status says (folded); the links that answer each
_LEGAL_Q_RE = re.compile(r"\b(con hieu luc|het hieu luc|hieu luc|thay the|bai bo|sua doi|dinh chinh)\b")
_ASKING_RE = re.compile(r"\b(khong|chua|nao|gi|nhung|bao gio|khi nao)\b|\?\s*$")
_LEGAL_LINKS = {"thay the": ("replaced_by", "replaces"), "bai bo": ("repealed_by", "repeals"),
                "sua doi": ("amended_by", "amends"), "dinh chinh": ("corrected_by", "corrects"),
                "het hieu luc": ("replaced_by", "repealed_by", "replaces", "repeals")}
def _names(need: Need, where: str) -> bool:
    """Does the question name this table row (a term of it in the row's label or the groups above it)?"""
    return bool(matched(need, tokens(where)))


def answering_first(passages: list[Passage], best: Scored) -> tuple[list[Passage], Scored]:
    """The passage the answer is read from moved first, the others after it in the order search ranked them,
    all renumbered; the answer then cites [1]. The sentence chosen weighs what search cannot — the condition,
    the kind of value asked, the row and column — so its passage is the one to read and cite first."""
    if best.rank == 1:
        return passages, best
    order = [passages[best.rank - 1], *(p for p in passages if p.rank != best.rank)]
    return [replace(p, rank=i) for i, p in enumerate(order, start=1)], replace(best, rank=1)


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
        self._waiting = frozenset(waiting_for_vectors(index))  # documents not embedded yet: found by keyword only

    @functools.cached_property
    def _mentions_by_number(self) -> dict[str, list[Mention]]:
        """Every mention of the index by its bare number (what `matches` compares first), built on the first
        question that names a number: such a question then reads only the mentions of its number."""
        out: dict[str, list[Mention]] = {}
        for g in self.data.references:
            for m in g.mentions:
                out.setdefault(bare_number(m.ref.number), []).append(m)
        return out

    def _idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.stats.doc_freq(fold(term).replace(" ", "_"))))

    def _weights(self, terms: list[str], focus: AbstractSet[str] = frozenset()) -> dict[str, float]:
        return {t: self._idf(t) * (2.0 if t in focus else 1.0) for t in terms}

    def _score(self, sentence: str, p: Passage, need: Need, source: Source = SENTENCE) -> float:
        """The candidate's features (`features.FEATURES`: the question terms and conditions it holds, near
        the value it states, the kind of value asked, negation, front matter, table cell or row …) weighed by
        the fitted `weights.WEIGHTS`."""
        return score(self._features(sentence, p, need, source))

    def _features(self, sentence: str, p: Passage, need: Need, source: Source = SENTENCE) -> list[float]:
        """The candidate's features, from the sentence, what precedes it in its passage (up to `CONTEXT`
        characters), the passage's last heading, rank and year, its document's title, and where it comes
        from (`source`: a table cell or row, a title)."""
        at = p.text.find(sentence[:40]) if source is SENTENCE else -1
        before = p.text[max(0, at - CONTEXT) : at] if at > 0 else ""
        return features(sentence, need, heading=p.headings[-1].text if p.headings else "", rank=p.rank, year=p.year,
                        title=p.meta.title, issuer=p.meta.issuer or "", before=before, source=source)

    def _best(self, passages: list[Passage], need: Need) -> Scored | None:
        """The best candidate: a sentence (a lead-in ending with ':' takes the sentence after it along), a table
        cell or row (`_table_candidates`), or the title of the document the question names (`_title_candidate`).
        A question asking two things ("cơ quan nào chủ trì và thực hiện năm nào": `Need.asks_two`) also gets a
        row's cell for each."""
        best = self._title_candidate(passages, need)
        for p in passages:
            for scored in self._table_candidates(p, need):
                if best is None or scored.score > best.score:
                    best = scored
            paras = [*p.text.split("\n"), *(note for _, note in p.footnotes)]
            sents = [x for para in paras for x in split_sentences(para)]
            for i, sent in enumerate(sents):
                if len(sent) < 8:
                    continue
                if sent.endswith(":") and i + 1 < len(sents):
                    sent = f"{sent} {sents[i + 1]}"
                scored = Scored(self._score(sent, p, need), p.rank, sent)
                if best is None or scored.score > best.score:
                    best = scored
        return best

    def _table_candidates(self, p: Passage, need: Need) -> Iterator[Scored]:
        """The passage's table cells, each read with its row and column labels, and its whole data rows read
        under their headers — with whether the question names the row, whether the words next to its question
        word name the column, and whether the column is of the year asked."""
        for cell in cell_answers(p.rows):
            src = Source(cell=True, row_named=1.0 if _names(need, cell.where) else -1.0,
                         column_focus=bool(need.focus & tokens(cell.header)),
                         column_year=cell.year_fit(need.year), asks_two=need.asks_two)
            yield Scored(self._score(cell.text, p, need, src), p.rank, cell.text, cell.row.text)
        for row in p.rows:
            if need.asks_two and (both := asked_cells(row, need.asks, need.words)) is not None:
                src = Source(cell=True, row_named=1.0 if _names(need, " ".join((*row.context, row.label))) else -1.0,
                             column_focus=True, asks_two=True, holds_asked=True)
                yield Scored(self._score(both.text, p, need, src), p.rank, both.text, row.text)
            if row.kind is RowKind.DATA:
                text = row_text(row)
                src = Source(row=True, row_named=1.0 if _names(need, " ".join((*row.context, row.label))) else -1.0,
                             column_focus=bool(need.focus & tokens(" ".join(row.header))), asks_two=need.asks_two)
                yield Scored(self._score(text, p, need, src), p.rank, text, row.text)

    def _title_candidate(self, passages: list[Passage], need: Need) -> Scored | None:
        """For a question asking what a document it names by number is ("nghị định 09/2025 quy định về gì", the
        number alone), that document's title, cited to its first passage shown."""
        if not need.for_what:
            return None
        named = self._named_documents(need)
        p = next((x for x in passages if x.doc in named and x.meta.title), None)
        if p is None:
            return None
        read = f"{p.meta.number or ''} {p.meta.title}"  # the title is that number's: scored with it
        return Scored(self._score(read, p, need, Source(title=True)), p.rank, p.meta.title)

    @functools.cached_property
    def _statuses(self) -> StatusIndex:
        return StatusIndex.of(self.data)

    def _legal_answer(self, question: str, folded: str, hits: list[Hit], k: int) -> Answer | None:
        """A question about the legal status of a number it names ("Quyết định 15/2019/QĐ-UBND còn hiệu lực
        không?", "văn bản nào thay thế Nghị quyết 15/2013/NQ-HĐND?"): the status the indexed documents support,
        with the sentence it rests on, that sentence's passage first. None for any other question, and when the
        documents say nothing of that number (the passages then answer as usual)."""
        verb = _LEGAL_Q_RE.search(folded)
        if verb is None or not _ASKING_RE.search(folded):
            return None
        ref = self._asked_number(question)
        if ref is None:
            return None
        bearer = next((name for name, r in self._own_numbers if same_number(r, ref)), None)
        st = self._statuses.status(ref, bearer)
        wanted = _LEGAL_LINKS.get(verb.group(1), ())
        asked = [x for x in st.relations if x.type in wanted]
        link = asked[0] if asked else None
        if wanted and link is None:
            return None  # "… bãi bỏ quyết định nào?" and no such relation read: the passages may say it
        source = link or next(iter(st.evidence), None) or st.in_force
        if source is None:
            return None
        chunk_id, sentence = source.chunk_id, source.sentence
        lead = Hit(chunk_id, 1.0, "relations")
        passages = self._passages([lead, *[h for h in hits if h.chunk_id != chunk_id]][:k])
        since = f" từ {date_text(st.effective)}" if st.status is Status.IN_FORCE and st.effective else ""
        today = datetime.date.today().isoformat()
        coming = next((x for x in st.relations if x.type in ("replaced_by", "repealed_by") and x.effective
                       and x.effective > today), None)
        later = (f"; {LINK_VI[coming.type]} {coming.other} từ {date_text(coming.effective)}"
                 if coming and coming.effective else "")
        state = f"{ref.ref}: {st.status.vi}{since}{later}" + (" (các văn bản mâu thuẫn nhau)" if st.conflict else "")
        named = list(dict.fromkeys(x.other for x in asked))
        listed = f" {LINK_VI.get(asked[0].type, asked[0].type)}: {', '.join(named)}." if len(named) > 1 else ""
        text = f"{state}.{listed} {sentence} [1]"
        return Answer(question, text, (1,), tuple(passages), ((1, sentence),))

    def _asked_number(self, question: str) -> Reference | None:
        """The number a question names: written in full ("65/2024/QĐ-UBND", in any case), or loosely ("nghị định
        08/2022", "qd 996") and then the most cited number of the index it fits."""
        refs = [r for r in find_references(question) or find_references(question.upper()) if not r.partial]
        if refs:
            return refs[0]
        q = parse_query(question)
        if q is None or not q.type_code:
            return None
        fits = [g for g in self.data.references if matches(q, g.mentions[0].ref) and not g.mentions[0].ref.partial]
        return max(fits, key=lambda g: len(g.mentions)).mentions[0].ref if fits else None

    def _named_documents(self, need: Need) -> set[str]:
        """The indexed documents whose own number the question names."""
        return {name for name, r in self._own_numbers if r.number.lstrip("0") in need.numbers}

    def _passages(self, hits: list[Hit], start: int = 1) -> list[Passage]:
        out = []
        for i, h in enumerate(hits, start=start):
            c = self.data.chunk(h.chunk_id)
            meta = self.data.docs[c.doc].meta if c.doc in self.data.docs else DocMeta()
            out.append(Passage(i, c.doc, meta.title, c.year, c.section, c.chunk_id, c.text, h.score, c.page, meta,
                               headings=c.headings, footnotes=c.footnotes, rows=c.rows,
                               keyword_only=c.doc in self._waiting))
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
        focus = focus_terms(accented)
        terms = self._weights(_query_terms(accented), focus)
        years = compared_years(question)
        hits = self._route_references(question, self.searcher.search(question, k, filters), k, filters)
        if len(years) >= 2 and (_COMPARE_RE.search(folded) or len(years) == 2):
            light = {t: w * (0.3 if all(x in _KIND_WORDS for x in t.split("_")) else 1.0) for t, w in terms.items()}
            need = Need.of(accented, light, frozenset(focus))
            return self._compare(question, hits, k, filters, years[:2], replace(need, asks=need.asks | {Kind.FIGURE}))
        if (legal := self._legal_answer(question, folded, hits, k)) is not None:
            return legal
        passages = self._passages(hits)
        top = passages[: min(5, len(passages))]
        need = Need.of(accented, terms, frozenset(focus), years[0] if years else None)
        best = self._best(top, need)
        if best is None:
            return Answer(question, "", (), tuple(passages))
        passages, best = answering_first(passages, best)
        text = f"{_trim(best.sentence, terms)} [{best.rank}]"
        return Answer(question, text, (best.rank,), tuple(passages), ((best.rank, best.highlight),))

    def _route_references(self, question: str, hits: list[Hit], k: int, filters: Filters | None) -> list[Hit]:
        """A question naming a document number ("Quyết định 996/QĐ-TTg phê duyệt gì?", "qd 996 …") puts the
        passages that mention exactly that number first, best retrieved first."""
        wanted = find_references(question)
        queries = [RefQuery(r.number, r.code, r.year, r.issuer) for r in wanted]
        if not queries and (q := parse_query(question)) is not None and q.type_code:
            queries = [q]
        if not queries:
            return hits
        by_number = self._mentions_by_number
        mentioning = {m.chunk_id for q in queries for m in by_number.get(bare_number(q.number), ())
                      if matches(q, m.ref)}
        # the document that bears the number ("Số: 44/2025/QĐ-TTg") speaks of itself as "Quyết định này"
        own = {name for name, r in self._own_numbers if any(matches(q, r) for q in queries)}
        mentioning |= {self.data.chunks[int(r)].chunk_id for r in rows_of_docs(self.data, own)} if own else set()
        if filters and (filters.docs or filters.year):
            mentioning = filters.allows(self.data, mentioning)
        if not mentioning:
            return hits
        ranked = [h for h in hits if h.chunk_id in mentioning]
        if len(ranked) < min(k, len(mentioning)):  # mentions the search did not reach: ask for more
            extra = self.searcher.search(question, 200, filters)
            ranked += [h for h in extra if h.chunk_id in mentioning and h not in ranked]
        lead = ranked[:k]
        return (lead + [h for h in hits if h.chunk_id not in {x.chunk_id for x in lead}])[:k]

    def _compare(self, question: str, hits: list[Hit], k: int, filters: Filters | None, years: list[int],
                 need: Need) -> Answer:
        """The best sentence for each year, from passages about that year; their passages lead the list."""
        docs = filters.docs if filters else ()
        lead: list[Hit] = []
        for y in years:
            year_hits = self.searcher.search(question, 5, Filters(docs=docs, year=y))
            cands = self._passages(year_hits)
            best = self._best(cands, replace(need, year=y))
            if best is not None:
                h = year_hits[best.rank - 1]
                if h.chunk_id not in {x.chunk_id for x in lead}:
                    lead.append(h)
        rest = [h for h in hits if h.chunk_id not in {x.chunk_id for x in lead}]
        passages = self._passages((lead + rest)[: max(k, len(lead))])
        parts, cites, spans = [], [], []
        for y in years:
            pool = [p for p in passages if p.year == y or (p.year is None and str(y) in p.full_text)]
            best = self._best(pool, replace(need, year=y))
            if best is None:
                continue
            parts.append(f"Năm {y}: {_trim(best.sentence, need.terms)} [{best.rank}]")
            cites.append(best.rank)
            spans.append((best.rank, best.highlight))
        return Answer(question, "\n".join(parts), tuple(dict.fromkeys(cites)), tuple(passages), tuple(spans))

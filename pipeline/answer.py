"""Extractive answers: the sentence(s) of the retrieved passages that answer the question, each with its [n].

A sentence scores by the question's terms it holds (folded syllables and syllable pairs, weighted by rarity),
whether it states a quantity when the question asks for one, and the rank of its passage. A question that
compares two years gets the best sentence for each year, from passages about that year.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pipeline.clean import fold
from pipeline.search import Filters, HybridSearcher, normalize_query
from pipeline.segment import folded_tokens, split_sentences
from pipeline.types import Answer, Hit, Passage

MAX_ANSWER = 360  # characters of one answer sentence; longer ones are cut to the clauses that match
_QUANTITY_RE = re.compile(r"\b(bao nhieu|may|ty le|so luong|bao lau|muc|khi nao|ngay nao|nam nao|la gi)\b")
_NUMBER_RE = re.compile(r"\d")
_COMPARE_RE = re.compile(r"\b(so sanh|so voi|doi chieu|chenh lech|tang hay giam)\b")
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
_STOP = set("cua va cac la duoc trong cho voi nhung mot co khong nao gi bao nhieu the nhu nao da den tu".split())


@dataclass(frozen=True)
class Scored:
    score: float
    rank: int
    sentence: str


def _query_terms(question: str) -> list[str]:
    return [t for t in dict.fromkeys(folded_tokens(question)) if t not in _STOP and not _YEAR_RE.fullmatch(t)]


def _clauses(sentence: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<=[;,:])\s+|\s+-\s+(?=\S)", sentence) if c.strip()]


def _trim(sentence: str, terms: set[str]) -> str:
    """A long sentence cut to the window of clauses holding the most question terms."""
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
            s = len(terms & set(folded_tokens(window))) + (0.5 if _NUMBER_RE.search(window) else 0)
            if s > best_score:
                best, best_score = window, s
    return best


class Answerer:
    """Search, then pick answer sentences. Holds the searcher and the term statistics, built once."""

    def __init__(self, searcher: HybridSearcher):
        self.searcher = searcher
        self.data = searcher.data
        self.df = searcher.folded.doc_freq()
        self.n = max(1, len(self.data.chunks))

    def _idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))

    def _score(self, sentence: str, rank: int, terms: list[str], wants_number: bool) -> float:
        toks = set(folded_tokens(sentence))
        s = sum(self._idf(t) for t in terms if t in toks)
        if wants_number and _NUMBER_RE.search(sentence):
            s *= 1.3
        return s / (1 + 0.15 * (rank - 1))

    def _best(self, passages: list[Passage], terms: list[str], wants_number: bool) -> Scored | None:
        best = None
        for p in passages:
            for para in p.text.split("\n"):
                for sent in split_sentences(para):
                    if len(sent) < 8:
                        continue
                    s = Scored(self._score(sent, p.rank, terms, wants_number), p.rank, sent)
                    if best is None or s.score > best.score:
                        best = s
        return best

    def _passages(self, hits: list[Hit], start: int = 1) -> list[Passage]:
        out = []
        for i, h in enumerate(hits, start=start):
            c = self.data.chunks[self.data.row_of[h.chunk_id]]
            title = self.data.docs[c.doc].meta.title if c.doc in self.data.docs else ""
            out.append(Passage(i, c.doc, title, c.year, c.section, c.chunk_id, c.text, h.score))
        return out

    def ask(self, question: str, k: int = 5, filters: Filters | None = None) -> Answer:
        """Answer one question from the index, citing passage ranks."""
        question = normalize_query(question)
        if not question:
            return Answer(question, "", (), ())
        folded = fold(question)
        terms = _query_terms(question)
        wants_number = bool(_QUANTITY_RE.search(folded))
        years = list(dict.fromkeys(int(y) for y in _YEAR_RE.findall(question)))
        hits = self.searcher.search(question, k, filters)
        if len(years) >= 2 and (_COMPARE_RE.search(folded) or len(years) == 2):
            return self._compare(question, hits, k, filters, years[:2], terms, wants_number)
        passages = self._passages(hits)
        best = self._best(passages[: min(5, len(passages))], terms, wants_number)
        if best is None:
            return Answer(question, "", (), tuple(passages))
        tset = set(terms)
        text = f"{_trim(best.sentence, tset)} [{best.rank}]"
        return Answer(question, text, (best.rank,), tuple(passages), ((best.rank, best.sentence),))

    def _compare(self, question: str, hits: list[Hit], k: int, filters: Filters | None, years: list[int],
                 terms: list[str], wants_number: bool) -> Answer:
        """The best sentence for each year, from passages about that year; their passages lead the list."""
        docs = filters.docs if filters else ()
        lead: list[Hit] = []
        for y in years:
            year_hits = self.searcher.search(question, 3, Filters(docs=docs, year=y))
            cands = self._passages(year_hits)
            best = self._best(cands, terms, wants_number)
            if best is not None:
                h = year_hits[best.rank - 1]
                if h.chunk_id not in {x.chunk_id for x in lead}:
                    lead.append(h)
        rest = [h for h in hits if h.chunk_id not in {x.chunk_id for x in lead}]
        passages = self._passages((lead + rest)[: max(k, len(lead))])
        parts, cites, spans = [], [], []
        for y in years:
            pool = [p for p in passages if p.year == y or (p.year is None and str(y) in p.text)]
            best = self._best(pool, terms, wants_number)
            if best is None:
                continue
            parts.append(f"Năm {y}: {_trim(best.sentence, set(terms))} [{best.rank}]")
            cites.append(best.rank)
            spans.append((best.rank, best.sentence))
        return Answer(question, "\n".join(parts), tuple(dict.fromkeys(cites)), tuple(passages), tuple(spans))

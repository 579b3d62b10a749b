"""A document's relations read in order: its headings and lines, clause by clause, with what a list spreads over
several clauses (an opener "… thay thế các Quyết định sau:" and its items, the bases that go on after ";"). The
grammar of one clause is `pipeline.refs.relations`; ingest calls `relations_in` once per document."""

from __future__ import annotations

import re

from pipeline.refs.references import Reference, find_references
from pipeline.refs.relations import (
    BASIS_GOES_ON_RE,
    ITEM_RE,
    Found,
    InForce,
    Opener,
    Relation,
    RelationType,
    effective_date,
    in_force_date,
    list_items,
    opens_basis,
    relations_of_clause,
)
from pipeline.text.segment import split_sentences
from pipeline.types import Chunk, HeadingKind

_OPENING_KINDS = {HeadingKind.DIEU, HeadingKind.CHUONG, HeadingKind.MUC, HeadingKind.PHAN}


def _paragraphs(chunks: list[Chunk]) -> list[tuple[Chunk, str, bool]]:
    """(chunk, paragraph, opening) for a document's chunks in order: each heading once (a heading that runs on
    into the text is joined to its first line), then the lines of the text. `opening` holds in the letterhead and
    title (no heading yet) and under an article (Điều)."""
    seen: set[tuple] = set()
    out = []
    for c in chunks:
        opening = not c.headings or any(h.kind is HeadingKind.DIEU for h in c.headings)
        lines = [x for x in c.text.split("\n") if x.strip()]
        for k, h in enumerate(c.headings):
            if c.headings[: k + 1] in seen:
                continue
            seen.add(c.headings[: k + 1])
            last = k == len(c.headings) - 1
            if last and lines and h.kind not in _OPENING_KINDS and not re.search(r"[.:;!?]\s*$", h.title):
                lines[0] = f"{h.title} {lines[0]}"
            else:
                out.append((c, h.title, opening))
        out.extend((c, line, opening) for line in lines)
    return out


def _item(clause: str) -> Reference | None:
    """The number a list item names first ("a) Quyết định số 12/2020/QĐ-UBND …", "số 15/2013/NQ-HĐND …")."""
    if not ITEM_RE.match(clause):
        return None
    refs = [r for r in find_references(clause[:300]) if not r.partial]
    return refs[0] if refs and ITEM_RE.match(clause[: refs[0].start + 1]) else None


class _Reader:
    """Reads one document's clauses in order, keeping what a list spreads over several clauses: the opener
    ("… thay thế các Quyết định sau:") and the items before a closing formula ("…; Nghị quyết số … hết hiệu lực
    kể từ ngày Nghị quyết này có hiệu lực")."""

    def __init__(self, doc: str, signed: str | None, own: str | None) -> None:
        self.doc, self.signed, self.own = doc, signed, own
        self.relations: list[Relation] = []
        self.in_force: list[InForce] = []
        self.pending: tuple[Opener, str] | None = None
        self.items: list[tuple[Reference, str]] = []
        self.seen: set[tuple] = set()
        self.where: dict[tuple, int] = {}  # a relation stated twice (a heading cut with "…", then in full): once

    def add(self, chunk: Chunk, found: Found, sentence: str) -> None:
        if found.subject is None and self.own and found.other.ref == self.own:
            return  # the document naming itself
        key = (found.type, found.subject.ref if found.subject else None, found.other.ref, found.scope)
        relation = Relation(found.type, found.other, found.subject, found.scope, effective_date(sentence, self.signed),
                            self.doc, chunk.section, chunk.chunk_id, sentence)
        if key not in self.where:
            self.where[key] = len(self.relations)
            self.relations.append(relation)
        elif len(sentence) > len(self.relations[self.where[key]].sentence.rstrip("…")):
            self.relations[self.where[key]] = relation

    def clause(self, chunk: Chunk, clause: str, opening: bool, basis: bool = False) -> None:
        found, opener = relations_of_clause(clause, opening, basis)
        item = _item(clause)
        if self.pending and item is not None:
            op, head = self.pending
            refs = [r for r in find_references(clause) if not r.partial and r.start >= item.start]
            for r in list_items(clause, refs):
                self.add(chunk, Found(op.type, r, None, op.scope), f"{head[:300]} … {clause}")
            for f in found:
                self.add(chunk, f, clause)
            return
        self.pending = (opener, clause) if opener else None
        if any(f.type is RelationType.REPLACES and f.subject is None for f in found) and "hết hiệu lực" in clause:
            for r, text in self.items:  # the items listed before "… hết hiệu lực kể từ ngày … này có hiệu lực"
                self.add(chunk, Found(RelationType.REPLACES, r, None, None), f"{text} … {clause}")
        self.items = [*self.items, (item, clause)] if item and clause.rstrip().endswith(";") and not found else []
        for f in found:
            self.add(chunk, f, clause)
        date = in_force_date(clause, self.signed)
        if date and (date, clause) not in self.seen:
            self.seen.add((date, clause))
            self.in_force.append(InForce(self.doc, date, chunk.chunk_id, clause))


def relations_in(chunks: list[Chunk], signed: str | None = None, own: str | None = None
                 ) -> tuple[list[Relation], list[InForce]]:
    """The relations one document states and its own effective date(s), from its chunks in order; `signed` is
    its date (what "có hiệu lực kể từ ngày ký" means), `own` its canonical number (a mention of itself is no
    relation)."""
    if not chunks:
        return [], []
    reader = _Reader(chunks[0].doc, signed, own)
    basis = False  # "Căn cứ A;" then "Luật sửa đổi … số 87/2025/QH15;": a basis too
    for chunk, para, opening in _paragraphs(chunks):
        for clause in split_sentences(para):
            going_on = basis and bool(BASIS_GOES_ON_RE.match(clause))
            reader.clause(chunk, clause, opening, going_on)
            bare = clause.strip(" *_")
            basis = (going_on or opens_basis(bare)) and (bare.endswith(";") or bare.lower() == "căn cứ")
    return reader.relations, reader.in_force

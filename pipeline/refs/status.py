"""Whether a number is still in force, as far as the indexed documents say: derived at query time from the
relations ingest stored (`pipeline.refs.relations`), each status with the sentences it rests on.

``replaced`` (by what, from when), ``repealed`` (wholly) or ``repealed in part``, ``amended`` (which parts, by
what), ``in force`` (its own effective-date sentence, or another document naming it as a legal basis), else
``unknown``: never guessed. A document absent from the index is described only by what others say of it; two
documents that each claim to replace it are both shown (`conflict`), not resolved silently.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from pipeline.refs.links import is_national, place_of
from pipeline.refs.references import Reference, RefMatch, find_references, number_key, same_number
from pipeline.refs.relations import InForce, Relation, RelationType
from pipeline.text.clean import fold

if TYPE_CHECKING:
    from pipeline.protocol import IndexReader


class Status(StrEnum):
    """A number's legal status; the value is what `refs --json` writes."""

    IN_FORCE = "in force"
    AMENDED = "amended"
    REPLACED = "replaced"
    REPEALED = "repealed"
    REPEALED_IN_PART = "repealed in part"
    UNKNOWN = "unknown"

    @property
    def vi(self) -> str:
        """The status in Vietnamese, as an answer states it."""
        return _VI[self]


_VI = {Status.IN_FORCE: "còn hiệu lực", Status.AMENDED: "còn hiệu lực, đã được sửa đổi, bổ sung",
       Status.REPLACED: "đã bị thay thế", Status.REPEALED: "đã bị bãi bỏ",
       Status.REPEALED_IN_PART: "bị bãi bỏ một phần",
       Status.UNKNOWN: "chưa rõ hiệu lực — các văn bản trong thư viện không nói"}

# a relation seen from the number looked up (`Link.type`), as an answer states it
LINK_VI = {"replaces": "thay thế", "replaced_by": "bị thay thế bởi", "repeals": "bãi bỏ",
           "repealed_by": "bị bãi bỏ bởi", "amends": "sửa đổi, bổ sung", "amended_by": "được sửa đổi, bổ sung bởi",
           "corrects": "đính chính", "corrected_by": "được đính chính bởi"}


@dataclass(frozen=True)
class Link:
    """One relation seen from the number looked up: ``replaced_by`` 81/2025/NQ-HĐND, said in `doc`."""

    type: str  # a RelationType value (this number acts), or its inverse (``replaced_by``: it is acted on)
    other: str  # the other number, canonical (or the stating document's name when it bears no number)
    scope: str | None  # the part acted on ("Điều 3"); None: the whole document
    effective: str | None  # ISO date the change takes effect: the sentence's, else the stating document's own
    doc: str  # the document that says so
    sentence: str
    chunk_id: str

    def to_json(self) -> dict:
        """The `relations` entry of `refs --json`."""
        return {"type": self.type, "other": self.other, "scope": self.scope, "effective": self.effective,
                "doc": self.doc, "sentence": self.sentence}


@dataclass(frozen=True)
class LegalStatus:
    """A number's status, its own effective date and every relation to it, in both directions."""

    status: Status
    effective: str | None  # ISO: the date it says it takes effect (from its own text, when indexed)
    relations: tuple[Link, ...]
    evidence: tuple[Link, ...]  # the relations the status rests on (empty for `unknown`)
    in_force: InForce | None  # its own effective-date sentence, when the index holds it
    conflict: bool  # more than one document claims to replace it, or documents of several provinces change it

    def to_json(self) -> dict:
        """The fields `refs --json` adds to each match."""
        return {"status": self.status.value, "effective": self.effective,
                "relations": [x.to_json() for x in self.relations],
                "status_evidence": [{"doc": x.doc, "sentence": x.sentence} for x in self.evidence]
                + ([{"doc": self.in_force.doc, "sentence": self.in_force.sentence}]
                   if self.in_force and self.status is Status.IN_FORCE and not self.evidence else []),
                "conflict": self.conflict}


def own_number(number: str | None) -> Reference | None:
    """A document's own number ("Số: 95/2025/QĐ-UBND") as a reference; None when it has none."""
    found = [r for r in find_references(number or "")[:1] if not r.partial]
    return found[0] if found else None


class StatusIndex:
    """The relations of one index generation, with each document's own number and effective date."""

    def __init__(self, relations: Sequence[Relation], in_force: Sequence[InForce], numbers: dict[str, str | None],
                 places: dict[str, str | None] | None = None) -> None:
        self.places = places or {}  # each document's place (folded "phu tho"), from its issuer
        self.relations = list(relations)
        self.numbers = {doc: own_number(n) for doc, n in numbers.items()}
        self.in_force: dict[str, InForce] = {}
        for f in in_force:
            self.in_force.setdefault(f.doc, f)
        self._by_number: dict[tuple, list[Relation]] = {}  # by the key of either side: a lookup reads a few
        self._stated_by: dict[str, list[Relation]] = {}  # unquoted ones by the stating document: it acts in them
        self._folded: dict[str, str] = {}  # sentences folded once, on first use: a number's place is looked for there
        for r in self.relations:
            for side in {number_key(x) for x in (r.other, self.subject(r)) if x is not None}:
                self._by_number.setdefault(side, []).append(r)
            if r.subject is None:
                self._stated_by.setdefault(r.doc, []).append(r)

    @classmethod
    def of(cls, index: IndexReader) -> StatusIndex:
        """The status index of an opened index: its relations, effective dates, and each document's own number
        and place."""
        return cls(index.relations, index.in_force, {name: d.meta.number for name, d in index.docs.items()},
                   {name: place_of(d.meta.issuer) for name, d in index.docs.items()})

    def subject(self, r: Relation) -> Reference | None:
        """The number acting in `r`: the quoted subject, else the stating document's own number."""
        return r.subject if r.subject is not None else self.numbers.get(r.doc)

    def _effective(self, r: Relation) -> str | None:
        if r.effective or r.subject is not None or r.type is RelationType.IMPLEMENTS:
            return r.effective
        own = self.in_force.get(r.doc)
        return own.date if own else None

    def links(self, ref: Reference, bearer: str | None = None) -> list[Link]:
        """Every relation to and from the number `ref` (borne by the indexed document `bearer`, if any)."""
        out = []
        near = self._by_number.get(number_key(ref), [])
        mine = self._stated_by.get(bearer, []) if bearer else []
        for r in dict.fromkeys([*near, *mine]):  # once each, in order
            if not self._same_place(r, ref, bearer):
                continue
            subject = self.subject(r)
            acting = (r.subject is None and r.doc == bearer) or (subject is not None and same_number(subject, ref))
            if acting and not same_number(r.other, ref):
                out.append(Link(r.type.value, r.other.ref, r.scope, self._effective(r), r.doc, r.sentence,
                                r.chunk_id))
            elif same_number(r.other, ref) and not acting:
                other = subject.ref if subject is not None else r.doc
                out.append(Link(r.type.inverse, other, r.scope, self._effective(r), r.doc, r.sentence, r.chunk_id))
        return sorted(out, key=lambda x: (x.effective or "", x.type, x.other))

    def _same_place(self, r: Relation, ref: Reference, bearer: str | None) -> bool:
        """A province's number (15/2013/NQ-HĐND) repeats from province to province: what another document says of
        it counts only when that document is of the bearer's place, or its sentence names that place."""
        if bearer is None or r.doc == bearer or is_national(ref):
            return True
        here = self.places.get(bearer)
        if here is None or self.places.get(r.doc) == here:
            return True
        if (folded := self._folded.get(r.sentence)) is None:
            folded = self._folded[r.sentence] = fold(r.sentence)
        return here in folded

    def _places_speaking(self, links: list[Link], ref: Reference) -> set[str]:
        """For a province's number no indexed document bears, the places of the documents that change it."""
        if is_national(ref):
            return set()
        changing = ("replaced_by", "amended_by", "repealed_by")
        return {p for x in links if x.type in changing and (p := self.places.get(x.doc))}

    def status(self, ref: Reference, bearer: str | None = None, today: str | None = None) -> LegalStatus:
        """The status of `ref` on `today` (ISO; default the date today) with its evidence (see the module
        docstring for the order the statuses are tried); a replacement dated later leaves it in force until then."""
        links = self.links(ref, bearer)
        own = self.in_force.get(bearer) if bearer else None
        status, evidence = _derive(links, own, today)
        replacers = {x.other for x in links if x.type == "replaced_by"}
        several = bearer is None and len(self._places_speaking(links, ref)) > 1  # the same number in two provinces
        return LegalStatus(status, own.date if own else None, tuple(links), tuple(evidence), own,
                           len(replacers) > 1 or several)

    def of_match(self, m: RefMatch, bearer: str | None = None) -> LegalStatus:
        """The status of the number a reference group names."""
        return self.status(m.mentions[0].ref, bearer)


def _derive(links: list[Link], own: InForce | None, today: str | None = None) -> tuple[Status, list[Link]]:
    """The status the relations support on `today` (ISO, default the date today), strongest first, and the
    relations it rests on: a change that takes effect later (its date after today) does not count yet."""
    today = today or datetime.date.today().isoformat()

    def having(kind: str, whole: bool | None = None) -> list[Link]:
        return [x for x in links if x.type == kind and (whole is None or (x.scope is None) == whole)
                and not (x.effective and x.effective > today)]

    for status, found in ((Status.REPEALED, having("repealed_by", whole=True)),
                          (Status.REPLACED, having("replaced_by")),
                          (Status.REPEALED_IN_PART, having("repealed_by", whole=False)),
                          (Status.AMENDED, having("amended_by"))):
        if found:
            return status, found
    if own is not None:
        return Status.IN_FORCE, []
    basis = [x for x in links if x.type in ("implemented_by", "detailed_by", "guided_by")]
    return (Status.IN_FORCE, basis) if basis else (Status.UNKNOWN, [])

"""Links between indexed documents through the numbers they cite: document A mentions ``624/KH-UBND`` and
document B bears that number ("Số: 624/KH-UBND"), so A cites B and B is cited by A. Also the reference table
(`tracuu refs --list` and the app's References tab) with its filters. Pure functions over a loaded index."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.refs.references import (
    Bearers,
    Reference,
    RefMatch,
    bearer_of,
    bearers,
    find_references,
    matches,
    parse_query,
)
from pipeline.text.clean import fold

if TYPE_CHECKING:  # only named in hints: the store reads references, refs never loads a store
    from pipeline.protocol import IndexReader


def doc_bearers(data: IndexReader) -> Bearers:
    """Which indexed document bears which number, from each document's own number and date."""
    return bearers({name: d.meta.number for name, d in data.docs.items()},
                   {name: int(d.meta.date[:4]) if d.meta.date else None for name, d in data.docs.items()})


def documents_numbered(data: IndexReader, query: str) -> list[str]:
    """The indexed documents whose own number is the one `query` names however it is typed (``qd 97/2025``)."""
    q = parse_query(query)
    if q is None:
        return []
    return [name for name, d in data.docs.items()
            if any(matches(q, r) for r in find_references(d.meta.number or "")[:1] if not r.partial)]


@dataclass(frozen=True)
class DocLink:
    """`citing` mentions `ref`, the number that the indexed document `cited` bears; `mentions` times."""

    citing: str
    cited: str
    ref: str
    mentions: int


# issuers whose numbers are unique in the country: the Government, the Prime Minister, the National Assembly and
# its committee, ministries (B…), the Government Office, central Party bodies; the rest (UBND, HĐND, Sở…) repeat
# from province to province
_NATIONAL_RE = re.compile(r"^(?:CP|TTg|QH\d*|UBTVQH\d*|VPCP|B[A-ZĐ]{1,6}|TW|[A-ZĐ]*TW)(?:$|-)")
_PLACE_RE = re.compile(r"\b(?:TỈNH|THÀNH PHỐ|TP\.?|HUYỆN|THỊ XÃ|QUẬN|XÃ|PHƯỜNG)\s+(.+)$", re.IGNORECASE)


def is_national(ref: Reference) -> bool:
    """A number of a national body (CP, TTg, QH, a ministry): the same everywhere, unlike a province's
    36/2025/QĐ-UBND, which repeats from province to province."""
    return bool(_NATIONAL_RE.match(ref.issuer or ref.code))


def place_of(issuer: str | None) -> str | None:
    """The place an issuing body belongs to, folded: "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ" → "phu tho"."""
    m = _PLACE_RE.search(issuer or "")
    return " ".join(fold(m.group(1)).split()) if m else None


def _same_place(data: IndexReader, citing: str, cited: str, sentence: str) -> bool:
    """A local number (36/2025/QĐ-UBND) links two documents only when both come from the same place, or the
    sentence citing it names the cited document's place ("… của UBND tỉnh Phú Thọ")."""
    there = place_of(data.docs[cited].meta.issuer)
    if there is None:
        return False
    return place_of(data.docs[citing].meta.issuer) == there or there in fold(sentence)


def doc_links(data: IndexReader, owners: Bearers | None = None) -> list[DocLink]:
    """Every (citing, cited) pair of indexed documents, a document's mentions of itself left out; a number
    that repeats from province to province links only documents of the same place."""
    owners = doc_bearers(data) if owners is None else owners
    out: list[DocLink] = []
    for m in data.references:
        cited = bearer_of(m, owners)
        if cited is None:
            continue
        national = is_national(m.mentions[0].ref)
        counts: dict[str, int] = {}
        for x in m.mentions:
            if x.doc != cited and (national or _same_place(data, x.doc, cited, x.sentence)):
                counts[x.doc] = counts.get(x.doc, 0) + 1
        out.extend(DocLink(doc, cited, m.ref, n) for doc, n in counts.items())
    return sorted(out, key=lambda x: (x.citing, x.cited))


def cites(links: list[DocLink], doc: str) -> list[DocLink]:
    """The indexed documents that `doc` cites."""
    return [x for x in links if x.citing == doc]


def cited_by(links: list[DocLink], doc: str) -> list[DocLink]:
    """The indexed documents that cite `doc`."""
    return [x for x in links if x.cited == doc]


def filter_refs(matches: list[RefMatch], types: Sequence[str] = (),
                issuers: Sequence[str] = (), doc: str | None = None) -> list[RefMatch]:
    """References of any of `types` (``Nghị quyết``, typed with or without accents), by any of `issuers`
    (``UBND``, ``HĐND``), mentioned in a document whose name starts with `doc`; an empty filter keeps all."""
    want_types = {fold(t) for t in types}
    want_issuers = {fold(i) for i in issuers}
    return [m for m in matches
            if (not want_types or fold(m.type or "") in want_types)
            and (not want_issuers or fold(m.issuer or "") in want_issuers)
            and (not doc or any(x.doc.startswith(doc) for x in m.mentions))]


def reference_rows(matches: list[RefMatch], owners: Bearers) -> list[dict]:
    """One row per reference, most mentioned first: the `refs --list --json` shape (the mention count in place
    of the mentions) with the number of documents mentioning it and the indexed document bearing it."""
    rows = []
    for m in sorted(matches, key=lambda m: (-len(m.mentions), m.ref)):
        row = m.to_json(bearer_of(m, owners))
        row["mentions"] = len(m.mentions)
        row["documents"] = len({x.doc for x in m.mentions})
        rows.append(row)
    return rows


@dataclass(frozen=True)
class ReferenceGraph:
    """What the References views need from one index generation, computed once."""

    owners: Bearers
    links: list[DocLink]


def reference_graph(data: IndexReader) -> ReferenceGraph:
    """Who bears which number and who cites whom, computed once for an index."""
    owners = doc_bearers(data)
    return ReferenceGraph(owners, doc_links(data, owners))

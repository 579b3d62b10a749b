"""The references of one index generation, with the indexed documents that bear and cite the numbers: what
`tracuu refs` and the app's References tab read, built once per generation (`pipeline.open_refs`)."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from pipeline.refs.links import (
    DocLink,
    ReferenceGraph,
    filter_refs,
    reference_graph,
    reference_rows,
)
from pipeline.refs.references import (
    Reference,
    RefLookup,
    RefMatch,
    bare_number,
    bearer_of,
    lookup,
    matches,
    parse_query,
)
from pipeline.refs.relations import RelationType
from pipeline.refs.status import LegalStatus, StatusIndex, own_number

if TYPE_CHECKING:
    from pipeline.protocol import IndexReader
    from pipeline.types import DocRecord


def link_rows(links: Sequence[DocLink]) -> list[dict]:
    """Links between indexed documents as `refs --links --json` prints them."""
    return [{"source": x.citing, "target": x.cited, "ref": x.ref, "mentions": x.mentions} for x in links]


class RefCatalog:
    """Lookups over an index's references; `graph` (who bears which number, who cites whom) is computed once."""

    def __init__(self, index: IndexReader, graph: ReferenceGraph | None = None) -> None:
        self.index = index
        self.graph = reference_graph(index) if graph is None else graph
        self._lookup: RefLookup | None = None

    @property
    def references(self) -> list[RefMatch]:
        """Every reference the index holds, with its mentions."""
        return self.index.references

    @property
    def docs(self) -> dict[str, DocRecord]:
        """The indexed documents by name."""
        return self.index.docs

    def lookup(self, query: str, among: Sequence[RefMatch] | None = None) -> list[RefMatch]:
        """The references `query` names however it is typed (``qd 996``), best first: of `among` when given (read
        whole), else of all, through their number index (built once)."""
        if among is not None and among is not self.references:
            return lookup(among, query)
        if self._lookup is None or self._lookup.matches is not self.references:
            self._lookup = RefLookup(self.references)
        return self._lookup(query)

    @staticmethod
    def names_a_number(query: str) -> bool:
        """Whether `query` holds a document number at all (``!!!`` does not)."""
        return parse_query(query) is not None

    def bearer(self, m: RefMatch) -> str | None:
        """The indexed document that bears the number `m` cites, if any."""
        return bearer_of(m, self.graph.owners)

    @functools.cached_property
    def _own_numbers(self) -> dict[str, list[tuple[str, Reference]]]:
        """Each indexed document's own number by bare number, in the documents' order (built on first use)."""
        out: dict[str, list[tuple[str, Reference]]] = {}
        for name, d in self.docs.items():
            if (own := own_number(d.meta.number)) is not None:
                out.setdefault(bare_number(own.number), []).append((name, own))
        return out

    def numbered(self, query: str) -> list[str]:
        """The indexed documents whose own number is the one `query` names (`links.documents_numbered`, reading
        only the documents bearing that number)."""
        q = parse_query(query)
        if q is None:
            return []
        return [name for name, own in self._own_numbers.get(bare_number(q.number), []) if matches(q, own)]

    @functools.cached_property
    def _links_of(self) -> tuple[dict[str, list[DocLink]], dict[str, list[DocLink]]]:
        """The links by citing and by cited document, in the graph's order."""
        citing: dict[str, list[DocLink]] = {}
        cited: dict[str, list[DocLink]] = {}
        for x in self.graph.links:
            citing.setdefault(x.citing, []).append(x)
            cited.setdefault(x.cited, []).append(x)
        return citing, cited

    def cites(self, doc: str) -> list[DocLink]:
        """The links from `doc` to the indexed documents it cites."""
        return list(self._links_of[0].get(doc, []))

    def cited_by(self, doc: str) -> list[DocLink]:
        """The links to `doc` from the indexed documents that cite it."""
        return list(self._links_of[1].get(doc, []))

    def links(self, docs: Collection[str] = ()) -> list[DocLink]:
        """Every link between indexed documents; only those citing or cited by one of `docs` when given."""
        return [x for x in self.graph.links if not docs or x.citing in docs or x.cited in docs]

    def mentioned_in(self, docs: Collection[str]) -> list[RefMatch]:
        """The references mentioned in any of `docs`."""
        return [m for m in self.references if any(x.doc in docs for x in m.mentions)]

    @functools.cached_property
    def statuses(self) -> StatusIndex:
        """The index's relations with each document's own number and effective date (built on first use)."""
        return StatusIndex.of(self.index)

    def status(self, m: RefMatch) -> LegalStatus:
        """Whether the number `m` names is in force, amended, replaced or repealed, with the sentences saying so."""
        return self.statuses.of_match(m, self.bearer(m))

    def doc_status(self, doc: str) -> LegalStatus | None:
        """The status of an indexed document by its own number; None when it bears none."""
        own = self.statuses.numbers.get(doc)
        return self.statuses.status(own, doc) if own else None

    def match_json(self, m: RefMatch) -> dict:
        """One match of `refs --json`: the reference, its mentions, and its status with its relations."""
        return {**m.to_json(self.bearer(m)), **self.status(m).to_json()}

    def query_json(self, query: str, among: Sequence[RefMatch] | None = None) -> dict:
        """`refs QUERY --json` and the API's ``/api/refs``: the query and the references it names (of `among`,
        default all), best first."""
        found = self.lookup(query, among)
        return {"query": query, "matches": [self.match_json(m) for m in found]}

    def links_json(self, docs: Collection[str] = ()) -> list[dict]:
        """`refs --links --json` and the API's ``/api/links``: which indexed document cites which."""
        return link_rows(self.links(docs))

    def relation_rows(self, kind: RelationType | None = None) -> list[dict]:
        """Every relation found (`refs --relations --json`), of one `kind` when given: who acts ("subject", the
        stating document's own number unless the relation is quoted), on what ("other"), where it is said."""
        rows = []
        for r in self.statuses.relations:
            if kind is not None and r.type is not kind:
                continue
            subject = self.statuses.subject(r)
            rows.append({"type": r.type.value, "subject": subject.ref if subject else None, "other": r.other.ref,
                         "scope": r.scope, "effective": r.effective, "quoted": r.subject is not None, "doc": r.doc,
                         "chunk_id": r.chunk_id, "sentence": r.sentence})
        return rows

    def rows(self, matches: Sequence[RefMatch] | None = None, types: Sequence[str] = (),
             issuers: Sequence[str] = ()) -> list[dict]:
        """The reference table (`refs --list --json` rows), filtered by type and issuer, most mentioned first."""
        found = self.references if matches is None else list(matches)
        return reference_rows(filter_refs(found, types, issuers), self.graph.owners)

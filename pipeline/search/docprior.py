"""Document-aware ranking: what a question says of the document it asks about — a place, an issuing body, a type,
a number, a year — weighed against what each document says of itself (`DocProfile`), so that among near-identical
documents (one resolution per province, one plan per city) the one the question names comes first.

The profiles are read once per opened index from what it already stores: each document's metadata and its first
chunk (the letterhead and dateline). Nothing is re-ingested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.protocol import IndexReader
from pipeline.refs.references import TYPES
from pipeline.search.query import Query
from pipeline.text.clean import fold
from pipeline.text.metadata import (
    DOC_TYPES,
    Place,
    dateline_place,
    find_places,
    fold_chars,
    issuer_place,
    title_places,
)
from pipeline.text.vocab import ISSUING_BODIES, YEAR, YEAR_RE
from pipeline.types import DocMeta, Hit

_TYPE_WORDS = tuple(sorted({fold(t) for t in DOC_TYPES}, key=len, reverse=True))  # "nghi quyet", "ke hoach" …
_CODE_TYPE = {fold(code): fold(name) for name, code in reversed(TYPES.items())}  # "nq" → "nghi quyet"
_TYPE_WORD_RE = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, _TYPE_WORDS)) + r")(?!\w)")
# a number typed after its type word or code, with its year if typed: "Nghị quyết 56/2025", "kế hoạch 172",
# "qd 1378", "QĐ số 44", "thông tư 21 năm 2025", and a whole number "4422/QĐ-BVHTTDL" with its code
_TYPED_NUMBER_RE = re.compile(
    r"(?<!\w)(" + "|".join(map(re.escape, _TYPE_WORDS + ("qd", "nq", "nd", "tt", "kh", "ct", "cv", "tb", "cd")))
    + rf")\.?\s+(?:so\s*:?\s*)?0*(\d{{1,5}})(?:\s*/\s*({YEAR})|\s+nam\s+({YEAR}))?(?:/[\w.-]+)?(?![\w/])"
)
_BODY_RE = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, ISSUING_BODIES)) + r")(?!\w)")
# "Bộ Giáo dục", "bộ xây dựng": the ministry, by the initials of the words after "bộ" (its code: BGDĐT, BXD)
_MINISTRY_RE = re.compile(r"(?<!\w)(?<!toan )(?<!mot )(?<!cac )bo\s+((?:[a-z]+\s*){1,6})")
_NUMBER_CODE_RE = re.compile(r"^0*(?P<n>\d+)[a-z]?(?:/(?P<y>\d{4}))?[/-](?P<type>[A-ZĐ]+)(?:-(?P<body>[\wĐđ]+))?")
_MIN_MINISTRY = 2  # initials that name a ministry: "xd" (Xây dựng), "gd" (Giáo dục …)
_FRONT_LINES = 12  # lines of a document's first chunk that hold its letterhead and dateline


def _ministry(words: str) -> str:
    """The initials of a ministry's name, "và" skipped: ``giao duc va dao tao`` → ``gddt``."""
    return "".join(w[0] for w in words.split() if w != "va")


@dataclass(frozen=True)
class DocProfile:
    """What a document says of itself, folded, for matching against what a question names."""

    places: tuple[Place, ...] = ()  # its issuer's province or city, and the places its title names
    types: frozenset[str] = frozenset()  # its type ("nghi quyet") and the types its title issues ("ke hoach")
    bodies: frozenset[str] = frozenset()  # issuing bodies: "hdnd", "ubnd", "cp" …; a ministry as "b:" + initials
    number: str | None = None  # the digits of its own number, leading zeros dropped ("30" for 030/2025/QĐ-UBND)
    number_type: str | None = None  # the type its number's code says ("nghi quyet" for …/NQ-HĐND)
    number_year: int | None = None  # the year inside its number ("/2025/"), if any
    years: frozenset[int] = frozenset()  # the years of its title, date and number


@dataclass(frozen=True)
class Named:
    """What a question says of the document it asks about (folded); empty when it says nothing."""

    places: tuple[Place, ...] = ()
    types: frozenset[str] = frozenset()
    bodies: frozenset[str] = frozenset()
    ministries: tuple[str, ...] = ()  # initials of the ministries named ("gd" for "Bộ Giáo dục")
    numbers: tuple[tuple[str, str | None, int | None], ...] = ()  # (digits, type word, year) as typed
    years: frozenset[int] = frozenset()
    place_spans: tuple[tuple[int, int], ...] = ()  # where the question names each place (unit included)
    number_spans: tuple[tuple[int, int], ...] = ()  # where it types each of `numbers` (type word included)

    def __bool__(self) -> bool:
        return bool(self.places or self.types or self.bodies or self.ministries or self.numbers or self.years)


@dataclass(frozen=True)
class PriorWeights:
    """How much each attribute a question names and a document matches weighs, and `scale`: the whole prior
    as a share of the best fused score (so one setting serves convex and reciprocal-rank fusion alike)."""

    place: float = 1.0
    number: float = 1.0
    body: float = 0.3
    type: float = 0.3
    year: float = 0.2
    unit_mismatch: float = 0.5  # the place's name matches but not its unit ("thành phố" asked, "tỉnh" held)
    scale: float = 0.5


def profile_of(meta: DocMeta, front: Sequence[str], known_places: Iterable[str] = ()) -> DocProfile:
    """A document's profile from its metadata and its first lines (`front`: the letterhead and dateline).

    Its places: the province or city its issuer names (`issuer_place`), the places its title names after a unit
    (`title_places`), and, in a title in capitals, any of `known_places` (folded names) it mentions.

    >>> meta = DocMeta("NGHỊ QUYẾT QUY ĐỊNH VỀ CHÍNH SÁCH HỌC PHÍ TRÊN ĐỊA BÀN THÀNH PHỐ HUẾ", "36/2025/NQ-HĐND",
    ...                "HỘI ĐỒNG NHÂN DÂN THÀNH PHỐ HUẾ", "2025-11-18", (2025,))
    >>> p = profile_of(meta, ["Số: 36/2025/NQ-HĐND", "Thành phố Huế, ngày 18 tháng 11 năm 2025"])
    >>> p.places, sorted(p.types), sorted(p.bodies), p.number, sorted(p.years)
    ((Place(unit='thanh pho', name='hue'),), ['nghi quyet', 'quy dinh'], ['hdnd'], '36', [2025])
    """
    title = fold(meta.title)
    places = [p for p in [issuer_place(meta.issuer, dateline_place(front))] if p is not None]
    places += title_places(meta.title)
    places += find_places(meta.title, known_places)
    types = {m.group(1) for m in _TYPE_WORD_RE.finditer(title)}
    bodies = {ISSUING_BODIES[m.group(1)] for m in _BODY_RE.finditer(fold(meta.issuer or ""))}
    issuer = fold(meta.issuer or "")
    if m := _MINISTRY_RE.search(issuer):
        bodies.add("b:" + _ministry(m.group(1)))
    years = set(meta.years) | ({int(meta.date[:4])} if meta.date else set())
    number = number_type = number_year = None
    if meta.number and (n := _NUMBER_CODE_RE.match(meta.number)):
        number = n.group("n")
        number_year = int(n.group("y")) if n.group("y") else None
        years |= {number_year} if number_year else set()
        number_type = _CODE_TYPE.get(fold(n.group("type")))
        types |= {number_type} if number_type else set()
        if body := n.group("body"):
            code = re.sub(r"\d+$", "", fold(body))
            bodies.add("b:" + code[1:] if code.startswith("b") and len(code) > _MIN_MINISTRY else code)
    return DocProfile(tuple(dict.fromkeys(places)), frozenset(types), frozenset(bodies), number, number_type,
                      number_year, frozenset(years))


def named_in(question: str, known_places: Iterable[str] = (), known_bodies: Iterable[str] = ()) -> Named:
    """What `question` says of its document: the `known_places` (folded names) it mentions, the types, issuing
    bodies, ministries, numbers (after a type word) and years it names. Typed with or without diacritics.

    >>> n = named_in("Theo Nghị quyết 56/2025 của HĐND Hà Nội, hộ mới thoát nghèo vay tối đa bao nhiêu?", ["ha noi"])
    >>> n.places, sorted(n.types), sorted(n.bodies), n.numbers, sorted(n.years)
    ((Place(unit=None, name='ha noi'),), ['nghi quyet'], ['hdnd'], (('56', 'nghi quyet', 2025),), [2025])
    >>> named_in("thong tu 35/2025 bo xay dung quy dinh gi").ministries
    ('xdqdg',)
    """
    f = fold_chars(question).lower()
    spans: list[tuple[int, int]] = []
    number_spans = []
    found = find_places(question, known_places, spans)
    places = tuple(dict.fromkeys(found))
    types = {m.group(1) for m in _TYPE_WORD_RE.finditer(f)}
    numbers = []
    for m in _TYPED_NUMBER_RE.finditer(f):
        typed = _CODE_TYPE.get(m.group(1), m.group(1))
        year = m.group(3) or m.group(4)
        numbers.append((m.group(2), typed, int(year) if year else None))
        types.add(typed)
        number_spans.append(m.span())
    bodies = {ISSUING_BODIES[m.group(1)] for m in _BODY_RE.finditer(f)}
    known = set(known_bodies)
    bodies |= {"b:" + w[1:] for w in re.findall(r"(?<!\w)b[a-z]{2,7}(?!\w)", f) if "b:" + w[1:] in known}
    ministries = tuple(_ministry(m.group(1)) for m in _MINISTRY_RE.finditer(f))  # up to the first punctuation
    years = {int(y) for y in YEAR_RE.findall(f)}
    return Named(places, frozenset(types), frozenset(bodies), tuple(x for x in ministries if len(x) >= _MIN_MINISTRY),
                 tuple(numbers), frozenset(years), tuple(spans), tuple(number_spans))


def without_naming(question: str, spans: Iterable[tuple[int, int]]) -> str:
    """`question` with the `spans` that name its document cut out: what the passage itself must hold.

    >>> q = "Theo Nghị quyết 56/2025 của HĐND Hà Nội, hộ mới thoát nghèo chịu lãi suất bao nhiêu?"
    >>> n = named_in(q, ["ha noi"])
    >>> without_naming(q, n.place_spans + n.number_spans)
    'Theo của HĐND , hộ mới thoát nghèo chịu lãi suất bao nhiêu?'
    """
    out, last = [], 0
    for a, b in sorted(spans):
        if a >= last:
            out.append(question[last:a])
            last = b
    out.append(question[last:])
    return " ".join("".join(out).split())


def _place_match(named: Sequence[Place], held: Sequence[Place], w: PriorWeights) -> float:
    best = 0.0
    for q in named:
        for p in held:
            if q.name == p.name:
                best = max(best, 1.0 if q.unit is None or p.unit is None or q.unit == p.unit else w.unit_mismatch)
    return best


def _number_match(typed: tuple[str, str | None, int | None], doc: DocProfile) -> bool:
    """The typed number is the document's own: the same digits, and no other type or year than its number's."""
    digits, kind, year = typed
    if doc.number is None or digits != doc.number:
        return False
    return (kind is None or doc.number_type is None or kind == doc.number_type) and \
        (year is None or doc.number_year is None or year == doc.number_year)


def affinity(named: Named, doc: DocProfile, w: PriorWeights = PriorWeights()) -> float:
    """How much of what the question names the document holds: the weights of the attributes that match. The
    type and the year count only beside a place, a number or an issuer that match; when the question types a
    number that is not the document's own, only the place counts.

    >>> hue = DocProfile((Place("thanh pho", "hue"),), frozenset({"nghi quyet"}), frozenset({"hdnd"}), "37")
    >>> affinity(named_in("Theo Nghị quyết 37/2025 của HĐND thành phố Huế", ["hue"]), hue)
    2.6
    >>> affinity(named_in("Ở tỉnh Đắk Lắk, nhà cấp IV kê khai lệ phí trước bạ", ["hue", "dak lak"]), hue)
    0.0
    """
    score = w.place * _place_match(named.places, doc.places, w)
    if any(_number_match(n, doc) for n in named.numbers):
        score += w.number
    elif named.numbers:
        return score  # "Nghị quyết 128/NQ-CP của Chính phủ": its body and type are that document's, not this one's
    ministries = [b[2:] for b in doc.bodies if b.startswith("b:")]
    if named.bodies & doc.bodies or any(m.startswith(x) or x.startswith(m) for x in named.ministries for m in ministries
                                        if len(m) >= _MIN_MINISTRY):
        score += w.body
    if score == 0.0:
        return 0.0  # a type or a year alone names no document: nearly all are of 2025, "pháp luật" is no law
    if named.types & doc.types:
        score += w.type
    if named.years & doc.years:
        score += w.year
    return round(score, 6)


class ChunkDocs(Mapping[str, str]):
    """Chunk id → its document's name, read from the index when asked (no dict of every chunk id)."""

    def __init__(self, index: IndexReader) -> None:
        self.index = index

    def __getitem__(self, chunk_id: str) -> str:
        return self.index.chunk(chunk_id).doc

    def __iter__(self) -> Iterator[str]:
        return (c.chunk_id for c in self.index.chunks)

    def __len__(self) -> int:
        return len(self.index.chunks)


@dataclass
class DocPrior:
    """The document stage of hybrid search, built once per opened index from every document's profile.

    `named` reads what a question says of its document; `content` is the question without the places and own
    numbers that named it (so that, within the right document, the passage that restates "… tỉnh Đồng Tháp"
    in its scope does not outrank the one holding the figure); `rerank` adds to each fused hit its document's
    `affinity` with the question, scaled to the best fused score."""

    profiles: Mapping[str, DocProfile]
    doc_of: Mapping[str, str]  # chunk id → document name
    weights: PriorWeights = field(default_factory=PriorWeights)
    places: frozenset[str] = frozenset()  # every place name a profile holds (folded): what questions are read for
    bodies: frozenset[str] = frozenset()  # every issuing body a profile holds (ministries by their code)

    @classmethod
    def of(cls, index: IndexReader, weights: PriorWeights | None = None) -> DocPrior:
        """The profiles of every document of `index`, from its metadata and its first chunk."""
        first = index.first_chunks()
        fronts = {name: first[name].text.splitlines()[:_FRONT_LINES] if name in first else [] for name in index.docs}
        # the places issuers and sentence-case titles name, then those names looked for in every title
        seeded = {name: profile_of(rec.meta, fronts[name]) for name, rec in index.docs.items()}
        known = {p.name for prof in seeded.values() for p in prof.places if p.name}
        profiles = {name: profile_of(rec.meta, fronts[name], known) for name, rec in index.docs.items()}
        return cls(profiles, ChunkDocs(index), weights or PriorWeights(), frozenset(known),
                   frozenset(b for p in profiles.values() for b in p.bodies))

    def named(self, query: Query) -> Named:
        """What the query says of its document, read against the places and bodies this index holds."""
        return named_in(query.typed, self.places, self.bodies)

    def content(self, query: Query, named: Named, accents: Mapping[str, str] | None = None) -> Query | None:
        """The query without the places it names and the numbers of indexed documents it types (re-accented from
        `accents`); None when it names neither. Numbers of documents the index does not hold stay: passages cite
        them."""
        own = [span for n, span in zip(named.numbers, named.number_spans, strict=True)
               if any(_number_match(n, p) for p in self.profiles.values())]
        spans = [*named.place_spans, *own]
        if not spans:
            return None
        text = without_naming(query.typed, spans)
        return Query.of(text, accents) if text else None

    def rerank(self, named: Named, hits: list[Hit]) -> list[Hit]:
        """`hits` (fused, best first) with their documents' affinity to what the query `named` added, best first;
        the same list when it names nothing or every hit's document matches it alike."""
        if not named or not hits:
            return hits
        cache: dict[str, float] = {}
        bonus = []
        for h in hits:
            doc = self.doc_of.get(h.chunk_id, "")
            if doc not in cache:
                cache[doc] = affinity(named, self.profiles[doc], self.weights) if doc in self.profiles else 0.0
            bonus.append(cache[doc])
        if max(bonus) == min(bonus):
            return hits
        step = self.weights.scale * max(h.score for h in hits)
        scored = [Hit(h.chunk_id, h.score + step * b, h.source) for h, b in zip(hits, bonus, strict=True)]
        return sorted(scored, key=lambda h: -h.score)

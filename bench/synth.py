"""Synthetic corpora for the scale benchmark: the 235 real documents of ../shared/corpus/local_gov_docs_2025,
cloned with consistent variations, written as index generations of 10k, 100k, 1M chunks.

Source: every file is read and chunked once by the real pipeline (`read_and_chunk`: readers, cleaning,
sections, chunks, underthesea words, folded tokens); the chunks are cached as JSON under --cache (the parse
takes ~100 s on this machine; a cached run skips it).

Clones: clone 0 of a document is the document itself; clone k > 0 varies, in its text, title, issuer, headings,
footnotes and table cells alike:
- place names: every province/city (after "tỉnh", "thành phố") and every commune-level name (after "xã",
  "phường", "huyện", "quận", "thị xã", "thị trấn") the corpus itself names, swapped for another of the same level;
  as printed, in capitals and (in questions) without diacritics;
- years shifted by 0 … −6 (dates, "năm 2025", the year inside the document's own number, chunk and document
  years, the ISO date); quantities (1.172,5 · 95% · 3 digits or more) scaled by one factor in 0.75 … 1.25;
- the document's own number (``36/2025/NQ-HĐND`` → ``1187/2022/NQ-HĐND``) and with it its name and chunk ids
  (``<doc>#<section>:<n>``); numbers of other documents it cites stay (national decrees are the same everywhere).
The segmented `words` get the same substitutions as the text (underthesea is not run again: a place is one
word, ``đắk_lắk`` → ``gia_lai``; codes and numbers are whole tokens); `folded` is recomputed from the varied text
(`folded_tokens`, exact). References, indicators, relations and the accent map are derived by the real
functions (`pipeline.store.ingest.derive`) over the varied chunks, as an ingest would.

Vectors: `SynthEmbedder`, a seeded random projection of hashed folded tokens (384 dims, L2-normalised, named
``e5-small`` so the index opens with the real e5 for queries): texts sharing tokens get near vectors, and its
cost is not the benchmark's. Indicator names are embedded by the real e5 (short, a few thousand, cached), so
`compare` scores them as it would.

Run:
    python bench/synth.py --size 10000 --root /work/bench-idx/scale-10000
    python bench/synth.py --size 2000 --root /tmp/synth-smoke --only-qa-docs 6   # quick: 6 documents
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
from common import peak_rss_kb, shared

from pipeline.embed import Embedder, Role

CORPUS = shared("corpus", "local_gov_docs_2025")
CACHE = Path("/work/bench-idx/synth-cache")
EMBEDDER = "e5-small"  # the manifest's embedder: queries are embedded by the real e5
DIM = 384
SYNTH_VERSION = 2  # 2: segments above SEGMENT_CHUNKS; bump when the variations change: indexes built before are rebuilt
INFO = "synth.json"  # beside CURRENT in an index root: how it was built

# --- the source documents, parsed once ---------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One real document as the pipeline parsed it, with the pool places it names."""

    name: str
    path: str
    content_hash: str
    meta: object  # DocMeta
    dropped_garbled: int
    chunks: tuple  # tuple[Chunk, ...]
    places: tuple[str, ...] = ()  # the pool's names (Title case) it holds somewhere

    @property
    def title(self) -> str:
        return self.meta.title


def _chunk_row(c) -> list:
    return [c.chunk_id, c.section, c.text, c.year, c.ordinal, c.words, c.folded, c.page,
            [h.to_row() for h in c.headings], [list(f) for f in c.footnotes], [r.to_row() for r in c.rows]]


def _row_chunk(doc: str, r: list):
    from pipeline.types import Chunk, Heading, TableRow

    cid, section, text, year, ordinal, words, folded, page, heads, notes, rows = r
    return Chunk(cid, doc, section, text, year, ordinal, words, folded, page,
                 tuple(Heading.from_row(h) for h in heads), tuple((int(n), b) for n, b in notes),
                 tuple(TableRow.from_row(x) for x in rows))


def corpus_files(only: set[str] | None = None) -> list[tuple[str, Path]]:
    """(document name, path) of the corpus files, as ingest names them; only those named in `only` if given."""
    from pipeline.store.ingest import IngestReport, find_files

    files = find_files([CORPUS / "docs", CORPUS / "national"], IngestReport())
    return [f for f in files if f[0] in only] if only else files


def qa_docs(n: int) -> set[str]:
    """The first `n` distinct documents that bench/qa_corpus.jsonl asks about (a small corpus for smoke runs)."""
    names: list[str] = []
    for line in (Path(__file__).resolve().parent / "qa_corpus.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line).get("doc") if line.strip() else None
        if doc and doc not in names:
            names.append(doc)
    return set(names[:n])


def parse_sources(cache: Path = CACHE, only: set[str] | None = None, log=print) -> tuple[list[Source], PlacePool]:
    """The corpus documents read and chunked by the real pipeline, from the JSON cache when it is current."""
    from pipeline.store.ingest import PARSER_VERSION, read_and_chunk
    from pipeline.types import DEFAULT_READ, DocMeta

    files = corpus_files(only)
    key = hashlib.sha256(json.dumps([PARSER_VERSION, [(n, p.stat().st_size) for n, p in files]]).encode()).hexdigest()
    path = cache / f"parsed-{key[:16]}.json"
    if path.exists():
        raw = json.loads(path.read_text(encoding="utf-8"))
    else:
        t = time.perf_counter()
        raw = []
        for i, (name, p) in enumerate(files):
            doc, chunks = read_and_chunk(p, name, DEFAULT_READ)
            m = doc.meta
            raw.append({"name": doc.name, "path": str(p), "content_hash": doc.content_hash,
                        "dropped_garbled": doc.dropped_garbled,
                        "meta": [m.title, m.number, m.issuer, m.date, list(m.years)],
                        "chunks": [_chunk_row(c) for c in chunks]})
            if (i + 1) % 40 == 0:
                log(f"  parsed {i + 1}/{len(files)} files ({time.perf_counter() - t:.0f} s)")
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        log(f"  parsed {len(files)} files in {time.perf_counter() - t:.0f} s → {path}")
    docs = []
    for d in raw:
        title, number, issuer, date, years = d["meta"]
        meta = DocMeta(title, number, issuer, date, tuple(years))
        docs.append(Source(d["name"], d["path"], d["content_hash"], meta, d["dropped_garbled"],
                           tuple(_row_chunk(d["name"], r) for r in d["chunks"])))
    pool = PlacePool.of(docs)
    return [replace(s, places=pool.found_in(s)) for s in docs], pool


# --- place names, drawn from the corpus itself --------------------------------------------------------------

_UNIT_RE = re.compile(r"(?<!\w)(tỉnh|thành phố|huyện|quận|thị xã|thị trấn|xã|phường|Tỉnh|Thành phố|Huyện|Quận|"
                      r"Thị xã|Thị trấn|Xã|Phường) ")
_PROVINCE_UNITS = {"tỉnh", "thành phố"}
# a capitalised word after a unit that starts a body's name, not a place ("tỉnh Sở Khoa học …")
_NOT_PLACE = {"Sở", "Ủy", "Ban", "Hội", "Các", "Chủ", "Phòng", "Trung", "Văn", "Công", "Đảng", "Nhân", "Cục", "Số",
              "Thành", "Tỉnh", "Huyện", "Xã", "Phường", "Quận", "Thị", "Căn", "Cộng", "Ngày"}


_PUNCT = ",.;:)”\"'’"
_NOT_NAMES = {"Việt Nam"}  # the country ("Mặt trận Tổ quốc Việt Nam"), never swapped


def _titled(s: str) -> bool:
    return s.isalpha() and s[0].isupper() and (len(s) == 1 or s[1:].islower())


def _texts(s: Source) -> Iterable[str]:
    yield s.meta.title
    yield s.meta.issuer or ""
    for c in s.chunks:
        yield c.text


def _place_candidates(sources: Sequence[Source]) -> tuple[Counter[tuple[str, str]], set[str]]:
    """(unit, name) counts of the two or three capitalised words after each unit, and every run of two or three
    words of the corpus as written (what occurs in lower case is a word, not a name)."""
    counts: Counter[tuple[str, str]] = Counter()
    lower: set[str] = set()
    for s in sources:
        for t in _texts(s):
            toks = t.split()
            lower.update(" ".join(toks[i : i + 2]) for i in range(len(toks) - 1))
            lower.update(" ".join(toks[i : i + 3]) for i in range(len(toks) - 2))
            for m in _UNIT_RE.finditer(t):
                syl = []
                for w in t[m.end() : m.end() + 60].split(" ")[:3]:
                    bare = w.rstrip(_PUNCT)
                    if not _titled(bare):
                        break
                    syl.append(bare)
                    if bare != w:
                        break  # "Hồ Chí Minh," ends at the comma
                if len(syl) >= 2 and syl[0] not in _NOT_PLACE:
                    counts[(m.group(1).lower(), " ".join(syl[:2]))] += 1
                    if len(syl) == 3:
                        counts[(m.group(1).lower(), " ".join(syl))] += 1
    return counts, lower


def _is_place(name: str, names: Counter[str], longer: Counter[str], lower: set[str]) -> bool:
    """Whether a candidate is a name: not a run of words the corpus also writes in lower case, and not the first
    two words of a longer name ("Hồ Chí" of "Hồ Chí Minh") nor a longer run that mostly is not one ("Hà Nội Số")."""
    parts = name.split(" ")
    if name.lower() in lower or name in _NOT_NAMES:
        return False
    if len(parts) == 3:
        return names[name] >= 0.8 * names[" ".join(parts[:2])]
    return longer[name] < 0.8 * names[name]


@dataclass(frozen=True)
class PlacePool:
    """The place names of the corpus by level (``province``: tỉnh, thành phố; ``local``: the rest), two or
    three capitalised syllables each, without those that also occur in lower case (``hòa bình``: a word)."""

    levels: dict[str, tuple[str, ...]]  # level → names (Title case), most frequent first
    level_of: dict[str, str]

    @classmethod
    def of(cls, sources: Sequence[Source]) -> PlacePool:
        counts, lower = _place_candidates(sources)
        names: Counter[str] = Counter()
        votes: dict[str, Counter[str]] = {}
        for (unit, name), n in counts.items():
            names[name] += n
            votes.setdefault(name, Counter())["province" if unit in _PROVINCE_UNITS else "local"] += n
        longer: Counter[str] = Counter()  # a two-word name → the count of its most frequent three-word run
        for name, n in names.items():
            if name.count(" ") == 2:
                head = name.rsplit(" ", 1)[0]
                longer[head] = max(longer[head], n)
        keep = {name: votes[name].most_common(1)[0][0] for name in names if _is_place(name, names, longer, lower)}
        levels: dict[str, list[str]] = {"province": [], "local": []}
        for name, _ in names.most_common():
            if name in keep:
                levels[keep[name]].append(name)
        return cls({k: tuple(v) for k, v in levels.items()}, keep)

    def found_in(self, s: Source) -> tuple[str, ...]:
        """The pool's names that `s` holds (as printed or in capitals), in Title case."""
        forms = {**{n: n for n in self.level_of}, **{n.upper(): n for n in self.level_of}}
        runs: set[str] = set()
        for t in _texts(s):
            toks = [w.strip(_PUNCT + "(“\"'") for w in t.split()]
            runs.update(" ".join(toks[i : i + 2]) for i in range(len(toks) - 1))
            runs.update(" ".join(toks[i : i + 3]) for i in range(len(toks) - 2))
        return tuple(sorted({forms[r] for r in runs if r in forms}))


# --- one clone's variations ---------------------------------------------------------------------------------

def _token_pattern() -> str:
    from pipeline.text.segment import CODE_RE

    return (rf"(?P<code>{CODE_RE.pattern})"
            r"|(?P<date>\b\d{1,2}/\d{1,2}/(?:19|20)\d\d\b)"
            r"|(?P<num>\b\d+(?:[.,]\d+)*\s?%|\b\d+(?:[.,]\d+)+\b)"
            r"|(?P<year>\b(?:19[5-9]\d|20[0-4]\d)\b)"
            r"|(?P<int>\b[1-9]\d{2,}\b)")


_TOKEN_RE: re.Pattern[str] | None = None
_TOKEN_RE_LOWER: re.Pattern[str] | None = None
_YEAR_RE = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
_VN_NUMBER_RE = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?")


def _token_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    global _TOKEN_RE, _TOKEN_RE_LOWER
    if _TOKEN_RE is None:
        _TOKEN_RE = re.compile(_token_pattern())
        _TOKEN_RE_LOWER = re.compile(_token_pattern(), re.IGNORECASE)  # codes in lower-cased words
    return _TOKEN_RE, _TOKEN_RE_LOWER  # type: ignore[return-value]


def _value(number: str) -> float | None:
    """The value of a Vietnamese-printed number (1.172,5 · 95 · 0,3); None when it is not one (1.4.2 is a
    section label, 0125 a code)."""
    m = _VN_NUMBER_RE.fullmatch(number)
    if not m or (number.startswith("0") and not number.startswith("0,")):
        return None
    return float(m.group(1).replace(".", "") + ("." + m.group(2) if m.group(2) else ""))


def _scaled(number: str, factor: float, cap: float | None = None) -> str:
    """`number` times `factor` (at most `cap`), printed the same way (thousands dots, decimal comma, as many
    decimals); unchanged when it is no number (`_value`).

    >>> _scaled("1.172,5", 1.1), _scaled("140", 1.1), _scaled("1.4.2", 1.1), _scaled("95", 1.2, cap=100)
    ('1.289,8', '154', '1.4.2', '100')
    """
    value = _value(number)
    if value is None:
        return number
    value = min(value * factor, cap) if cap is not None else value * factor
    dec = number.partition(",")[2]
    head, _, tail = f"{value:,.{len(dec)}f}".partition(".")  # 1,289.8
    head = head.replace(",", ".") if "." in number.partition(",")[0] else head.replace(",", "")
    return head + ("," + tail if dec else "")


@dataclass
class Variation:
    """How clone `clone` of a source differs from it; identity for clone 0. `text` varies printed text,
    `words` the segmented words of the same text, `question` a question typed about the source."""

    clone: int
    year_shift: int = 0
    factor: float = 1.0
    places: dict[str, str] = field(default_factory=dict)  # Title case → Title case
    own_old: str | None = None
    own_new: str | None = None

    @classmethod
    def of(cls, src: Source, clone: int, pool: dict[str, tuple[str, ...]], level_of: dict[str, str],
           seed: int = 0) -> Variation:
        if clone == 0:
            return cls(0)
        rng = random.Random(f"{seed}:{src.name}:{clone}")
        shift = -(clone % 7)
        places = {}
        for p in src.places:
            choices = pool[level_of[p]]
            new = rng.choice(choices)
            places[p] = new if new != p else rng.choice(choices)
        own_old = src.meta.number if src.meta.number and re.match(r"\d", src.meta.number) else None
        own_new = None
        if own_old:
            rest = re.sub(r"^\d+[a-z]?", "", own_old)
            own_new = f"{rng.randint(1, 2999)}" + _YEAR_RE.sub(lambda m: str(int(m.group(0)) + shift), rest)
        return cls(clone, shift, round(rng.uniform(0.75, 1.25), 4), places, own_old, own_new)

    @property
    def identity(self) -> bool:
        return self.clone == 0

    # the compiled place patterns of this clone
    @cached_property
    def _text_places(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        m = {**self.places, **{k.upper(): v.upper() for k, v in self.places.items()}}
        return _alternation(m, r"(?<!\w)", r"(?!\w)"), m

    @cached_property
    def _word_places(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        m = {k.lower(): v.lower() for k, v in self.places.items()}
        if not m:
            return None, m
        alts = sorted(m, key=len, reverse=True)
        body = "|".join("[ _]".join(map(re.escape, a.split(" "))) for a in alts)
        return re.compile(rf"(?<![^\s_])(?:{body})(?![^\s_])"), m

    def _token(self, m: re.Match[str], lower: bool = False) -> str:
        s, kind = m.group(0), m.lastgroup
        if kind == "code":
            if self.own_old and s.lower() == self.own_old.lower():
                return self.own_new.lower() if lower else self.own_new  # type: ignore[union-attr]
            return s
        if kind in ("date", "year"):
            return _YEAR_RE.sub(lambda y: str(int(y.group(0)) + self.year_shift), s)
        if kind == "num" and s.endswith("%"):
            digits = s[:-1].rstrip()
            value = _value(digits)
            cap = 100.0 if value is not None and value <= 100 else None  # a share stays a share
            return _scaled(digits, self.factor, cap) + s[len(digits):]
        return _scaled(s, self.factor)  # a number with separators, or of 3 digits or more (not a year)

    def text(self, s: str) -> str:
        """Printed text varied: places, own number, years, quantities."""
        if self.identity or not s:
            return s
        rx, m = self._text_places
        if rx is not None:
            s = rx.sub(lambda x: m[x.group(0)], s)
        return _token_res()[0].sub(self._token, s)

    def words(self, s: str) -> str:
        """Segmented lower-cased words varied as the text they come from (a code's trailing number too)."""
        if self.identity or not s:
            return s
        rx, m = self._word_places
        if rx is not None:
            s = rx.sub(lambda x: m[x.group(0).replace("_", " ")].replace(" ", "_" if "_" in x.group(0) else " "), s)
        held = None
        if self.own_old and self.own_new:
            old, new = self.own_old.lower(), self.own_new.lower()
            digits_old, digits_new = re.match(r"\d+", old).group(0), re.match(r"\d+", new).group(0)  # type: ignore
            s = re.sub(rf"(?<!\S){re.escape(old)} {digits_old}(?!\S)", "\x00", s)
            held = f"{new} {digits_new}"
        s = _token_res()[1].sub(lambda x: self._token(x, lower=True), s)
        return s.replace("\x00", held) if held else s

    def question(self, q: str) -> str:
        """A question about the source, asked of this clone: its places (typed with or without diacritics), its
        years and its own number (``nghị quyết 36/2025`` → ``nghị quyết 1187/2022``)."""
        if self.identity:
            return q
        from pipeline.text.clean import fold

        if self.own_old and self.own_new:
            d_old, d_new = (int(re.match(r"\d+", x).group(0)) for x in (self.own_old, self.own_new))  # type: ignore
            q = re.sub(rf"(?<![\d.,])0*{d_old}(?![\d.,]|\s?%)", str(d_new), q)
        rx, m = self._text_places
        if rx is not None:
            q = rx.sub(lambda x: m[x.group(0)], q)
        folded = {fold(k).lower(): fold(v).lower() for k, v in self.places.items()}
        if folded:
            frx = re.compile(r"\b(" + "|".join(map(re.escape, sorted(folded, key=len, reverse=True))) + r")\b",
                             re.IGNORECASE)
            q = frx.sub(lambda x: folded.get(x.group(0).lower(), x.group(0)), q)
        return _YEAR_RE.sub(lambda y: str(int(y.group(0)) + self.year_shift), q)


def _alternation(m: dict[str, str], before: str, after: str) -> re.Pattern[str] | None:
    if not m:
        return None
    return re.compile(before + "(" + "|".join(map(re.escape, sorted(m, key=len, reverse=True))) + ")" + after)


# --- clones as records ------------------------------------------------------------------------------------------

def clone_name(src: Source, v: Variation) -> str:
    """The clone's document name: its new number (``/`` → ``-``) or the source's stem, and a hash of both."""
    if v.identity:
        return src.name
    digest = hashlib.sha1(f"{src.name}:{v.clone}".encode()).hexdigest()[:16]
    suffix = Path(src.name).suffix or ".md"
    stem = v.own_new.replace("/", "-") if v.own_new else f"{src.name.split('__')[0]}-{v.clone}"
    return f"{stem}__{digest}{suffix}"


def _vary_row(r, v: Variation):
    return replace(r, cells=tuple(map(v.text, r.cells)), header=tuple(map(v.text, r.header)),
                   context=tuple(map(v.text, r.context)), caption=v.text(r.caption), unit=v.text(r.unit))


def clone_doc(src: Source, v: Variation):
    """(DocRecord, chunks) of clone `v` of `src`: every text field varied alike, `folded` recomputed exactly."""
    from pipeline.text.segment import folded_tokens
    from pipeline.types import DocMeta, DocRecord, Heading

    name = clone_name(src, v)
    if v.identity:
        return DocRecord(src.name, src.path, src.content_hash, src.meta, len(src.chunks), src.dropped_garbled), \
            list(src.chunks)
    m = src.meta
    date = _YEAR_RE.sub(lambda y: str(int(y.group(0)) + v.year_shift), m.date) if m.date else m.date
    meta = DocMeta(v.text(m.title), v.own_new or m.number, v.text(m.issuer) if m.issuer else m.issuer, date,
                   tuple(y + v.year_shift for y in m.years))
    chunks = []
    cut = len(src.name)
    for c in src.chunks:
        heads = tuple(Heading(h.kind, h.label, v.text(h.title)) for h in c.headings)
        new = replace(c, chunk_id=name + c.chunk_id[cut:], doc=name, section=v.text(c.section), text=v.text(c.text),
                      year=c.year + v.year_shift if c.year is not None else None, words=v.words(c.words),
                      headings=heads, footnotes=tuple((n, v.text(b)) for n, b in c.footnotes),
                      rows=tuple(_vary_row(r, v) for r in c.rows))
        chunks.append(replace(new, folded=" ".join(folded_tokens(new.embed_text(meta.title)))))
    digest = hashlib.sha256(f"{src.content_hash}:{v.clone}".encode()).hexdigest()
    return DocRecord(name, f"/synthetic/{name}", digest, meta, len(chunks), src.dropped_garbled), chunks


# --- vectors ---------------------------------------------------------------------------------------------------

class SynthEmbedder(Embedder):
    """A seeded random projection of hashed folded tokens (syllables and pairs, sublinear counts), 384 dims,
    L2-normalised, named ``e5-small``: what the synthetic chunks and the benchmark's ingests are embedded with.
    Texts sharing tokens are near; nothing of e5's meaning is in it."""

    name = EMBEDDER
    dim = DIM
    thread_safe = True

    def __init__(self, buckets: int = 1 << 15, seed: int = 0) -> None:
        self.buckets = buckets
        self.matrix = np.random.default_rng(seed).standard_normal((buckets, DIM), dtype=np.float32)
        self._bucket: dict[str, int] = {}

    def project(self, folded: Sequence[str], batch: int = 4096) -> np.ndarray:
        """One vector per folded-token string (``Chunk.folded``)."""
        from scipy.sparse import csr_matrix

        out = np.zeros((len(folded), DIM), dtype=np.float32)
        get, memo = self._bucket.get, self._bucket
        for start in range(0, len(folded), batch):
            part = folded[start : start + batch]
            indptr, indices = [0], []
            for text in part:
                for tok in text.split():
                    b = get(tok)
                    if b is None:
                        b = memo[tok] = zlib.crc32(tok.encode()) % self.buckets
                    indices.append(b)
                indptr.append(len(indices))
            m = csr_matrix((np.ones(len(indices), dtype=np.float32), np.array(indices, dtype=np.int32),
                            np.array(indptr, dtype=np.int64)), shape=(len(part), self.buckets))
            m.sum_duplicates()
            m.data = np.log1p(m.data)
            v = np.asarray(m @ self.matrix, dtype=np.float32)
            v[:, 0] += 1e-3
            out[start : start + len(part)] = v / np.linalg.norm(v, axis=1, keepdims=True)
        return out

    def embed_batch(self, texts: Sequence[str], role: Role) -> np.ndarray:
        from pipeline.text.segment import folded_tokens

        return self.project([" ".join(folded_tokens(t)) for t in texts])


class NameVectors:
    """Indicator names embedded by the real e5 as queries (as ingest embeds them), cached under `cache`."""

    def __init__(self, cache: Path = CACHE) -> None:
        self.json, self.npy = cache / "names-e5.json", cache / "names-e5.npy"
        self.known: dict[str, np.ndarray] = {}
        if self.json.exists() and self.npy.exists():
            names, vecs = json.loads(self.json.read_text(encoding="utf-8")), np.load(self.npy, allow_pickle=False)
            if len(names) == len(vecs):
                self.known = dict(zip(names, vecs, strict=True))
        self.embedded = 0

    def __call__(self, names: list[str]) -> np.ndarray:
        todo = [n for n in names if n not in self.known]
        if todo:
            from pipeline.embed import load_embedder

            e5 = load_embedder(EMBEDDER)
            for i in range(0, len(todo), 32):
                part = todo[i : i + 32]
                self.known.update(zip(part, e5.embed_batch(part, Role.QUERY), strict=True))
            self.embedded = len(todo)
            self.save()
        return np.stack([self.known[n] for n in names]) if names else np.zeros((0, DIM), dtype=np.float32)

    def save(self) -> None:
        self.json.parent.mkdir(parents=True, exist_ok=True)
        names = list(self.known)
        np.save(self.npy, np.stack([self.known[n] for n in names]).astype(np.float32), allow_pickle=False)
        self.json.write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")


# --- a whole synthetic corpus -----------------------------------------------------------------------------------

@dataclass
class Corpus:
    """The sources, their place pool, and which clone of which source each synthetic document is."""

    sources: list[Source]
    pool: PlacePool
    seed: int = 0

    @classmethod
    def load(cls, cache: Path = CACHE, only: set[str] | None = None, seed: int = 0, log=print) -> Corpus:
        sources, pool = parse_sources(cache, only, log)
        return cls(sources, pool, seed)

    def variation(self, src: Source, clone: int) -> Variation:
        return Variation.of(src, clone, self.pool.levels, self.pool.level_of, self.seed)

    def plan(self, size: int) -> list[tuple[Source, int]]:
        """(source, clone) pairs, whole documents, until `size` chunks: every source's clone 0 (in a seeded
        order), then every source's clone 1, …"""
        order = sorted(self.sources, key=lambda s: hashlib.sha1(f"{self.seed}:{s.name}".encode()).hexdigest())
        out, total, k = [], 0, 0
        while total < size:
            for s in order:
                if total >= size:
                    break
                out.append((s, k))
                total += len(s.chunks)
            k += 1
        return out

    def by_name(self) -> dict[str, Source]:
        return {s.name: s for s in self.sources}


SEGMENT_CHUNKS = 125_000  # a corpus above this is written as segments of at most this many chunks (1M: 8)


def build(root: Path, size: int, corpus: Corpus, cache: Path = CACHE, log=print) -> dict:
    """Write a synthetic generation of about `size` chunks into `root` (a fresh folder) and its `INFO` file;
    returns what `INFO` holds (counts, the clones of each source, seconds of each step). Above `SEGMENT_CHUNKS`
    the documents are written in batches, one segment each (what a tiered merge policy leaves of an archive
    ingested over time), so that no step holds the whole corpus in memory."""
    from pipeline.store.ingest import PARSER_VERSION, derive
    from pipeline.store.layout import current_generation
    from pipeline.store.writer import write_generation, write_segments

    seconds: dict[str, float] = {"clone": 0.0, "vectors": 0.0, "derive": 0.0, "write": 0.0}
    plan = corpus.plan(size)
    batches: list[list[tuple[Source, int]]] = [[]]
    held = 0
    for src, k in plan:
        if held + len(src.chunks) > SEGMENT_CHUNKS and batches[-1]:
            batches.append([])
            held = 0
        batches[-1].append((src, k))
        held += len(src.chunks)
    clones: dict[str, list] = {}
    names = NameVectors(cache)
    counts = {"chunks": 0, "documents": 0, "mentions": 0, "indicators": 0, "relations": 0}
    all_names: set[str] = set()
    gen = None
    for b, batch in enumerate(batches):
        t = time.perf_counter()
        docs, chunks = [], []
        for src, k in batch:
            rec, more = clone_doc(src, corpus.variation(src, k))
            docs.append(rec)
            chunks.extend(more)
            clones.setdefault(src.name, []).append([k, rec.name])
        docs.sort(key=lambda d: d.name)
        titles = {d.name: d.meta.title for d in docs}
        texts = [c.embed_text(titles[c.doc]) for c in chunks]
        seconds["clone"] += time.perf_counter() - t
        t = time.perf_counter()
        vectors = SynthEmbedder().project([c.folded for c in chunks])
        seconds["vectors"] += time.perf_counter() - t
        t = time.perf_counter()
        derived = derive(docs, chunks, texts, vectors, names)
        seconds["derive"] += time.perf_counter() - t
        del texts, vectors
        t = time.perf_counter()
        if gen is None:
            gen = write_generation(root, derived, EMBEDDER, parser_version=PARSER_VERSION)
        else:
            gen = write_segments(root, current_generation(root), derived, EMBEDDER, PARSER_VERSION)
        seconds["write"] += time.perf_counter() - t
        for key, n in (("chunks", len(derived.chunks)), ("documents", len(docs)), ("mentions", len(derived.mentions)),
                       ("indicators", len(derived.indicators)), ("relations", len(derived.relations))):
            counts[key] += n
        all_names.update(derived.names)
        log(f"  segment {b + 1}/{len(batches)}: {len(docs)} documents, {len(chunks)} chunks "
            f"({sum(seconds.values()):.0f} s so far)")
        del derived, docs, chunks
    assert gen is not None
    log(f"  {counts['documents']} documents, {counts['chunks']} chunks: cloned {seconds['clone']:.0f} s, vectors "
        f"{seconds['vectors']:.0f} s, derived {seconds['derive']:.0f} s ({names.embedded} names embedded by e5)")
    info = {"synth_version": SYNTH_VERSION, "seed": corpus.seed, "size": size, **counts,
            "sources": len(corpus.sources), "max_clone": max(k for _, k in plan), "names": len(all_names),
            "segments": len(batches), "generation": gen.name,
            "seconds": {k: round(v, 2) for k, v in seconds.items()}, "clones": clones}
    (root / INFO).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    log(f"  wrote {gen} in {seconds['write']:.0f} s")
    return info


def read_info(root: Path) -> dict | None:
    """What `build` wrote of `root`, when it holds a live generation built by this version; else None."""
    try:
        info = json.loads((root / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if info.get("synth_version") != SYNTH_VERSION or not (root / "CURRENT").exists():
        return None
    return info


def ensure(root: Path, size: int, corpus: Corpus, rebuild: bool = False, cache: Path = CACHE, log=print) -> dict:
    """The index at `root`, built when missing, stale or `rebuild` (a folder `build` made is removed first)."""
    info = read_info(root)
    if info and info["size"] == size and info["seed"] == corpus.seed and not rebuild:
        return info
    if root.exists():
        if not (root / INFO).exists() and any(root.iterdir()):
            sys.exit(f"error: {root} exists and was not built by bench/synth.py — give another folder")
        shutil.rmtree(root)
    root.mkdir(parents=True)
    return build(root, size, corpus, cache, log)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, required=True, help="chunks (whole documents: a few more)")
    ap.add_argument("--root", type=Path, required=True, help="index folder to write (a new one)")
    ap.add_argument("--cache", type=Path, default=CACHE, help=f"parsed-source cache (default {CACHE})")
    ap.add_argument("--only-qa-docs", type=int, help="only the first N documents bench/qa_corpus.jsonl asks about")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rebuild", action="store_true", help="build even when --root holds this size already")
    args = ap.parse_args()
    t = time.perf_counter()
    corpus = Corpus.load(args.cache, qa_docs(args.only_qa_docs) if args.only_qa_docs else None, args.seed,
                         log=lambda s: print(s, file=sys.stderr))
    info = ensure(args.root, args.size, corpus, args.rebuild, args.cache, log=lambda s: print(s, file=sys.stderr))
    print(json.dumps({**{k: v for k, v in info.items() if k != "clones"}, "peak_rss_kb": peak_rss_kb(),
                      "seconds_this_run": round(time.perf_counter() - t, 1)}, ensure_ascii=False))


if __name__ == "__main__":
    main()

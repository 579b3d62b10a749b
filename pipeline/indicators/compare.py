"""Compare years: the indicator statements whose names mean what the user typed, side by side by year and
kind, with the gap between a target and the result it is measured against.

"thu ngân sách" finds "Thu ngân sách" (2023 target, 1.275 tỷ đồng) and "Tổng thu ngân sách nhà nước" (2022
result, 1.172,5 tỷ đồng): names are matched by their words without diacritics and, where the index holds
name vectors, by meaning (cosine of the embedder's vectors), then kept to one unit family.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.indicators.extract import Indicator, Kind, format_number
from pipeline.text.clean import fold
from pipeline.text.vocab import NAME_STOP_WORDS

if TYPE_CHECKING:
    from pipeline.embed import Embedder
    from pipeline.protocol import IndexReader

_MONEY = {"đồng", "nghìn đồng", "ngàn đồng", "triệu đồng", "tỷ đồng", "nghìn tỷ đồng"}
_TO_DONG = {"đồng": 1, "nghìn đồng": 1e3, "ngàn đồng": 1e3, "triệu đồng": 1e6, "tỷ đồng": 1e9, "nghìn tỷ đồng": 1e12}
MIN_SCORE = 0.45


@dataclass(frozen=True)
class Gap:
    """A target set against a result: `difference` = target − result, in the target's unit
    (percentage points for %)."""

    target: Indicator
    result: Indicator
    difference: float

    @property
    def text(self) -> str:
        """The gap as one line: the target and the result with their years, then the signed ``chênh lệch``."""
        unit = "điểm %" if self.target.unit == "%" else (self.target.unit or "")
        sign = "+" if self.difference > 0 else "−" if self.difference < 0 else "±"
        return (f"mục tiêu {self.target.year}: {_shown(self.target)} · kết quả {self.result.year}: "
                f"{_shown(self.result)} · chênh lệch {sign}{format_number(abs(self.difference))} {unit}".strip())


@dataclass(frozen=True)
class Comparison:
    """What `tracuu compare` shows: the rows by year and kind, the wordings grouped, the gaps."""

    indicator: str
    names: tuple[str, ...]
    rows: tuple[Indicator, ...]
    gaps: tuple[Gap, ...]

    def to_json(self) -> dict:
        """The `compare --json` shape: the indicator, its wordings, the rows and the gaps."""
        keys = ("name", "year", "kind", "value", "unit", "qualifier", "raw", "plan_ratio", "doc", "section",
                "chunk_id", "text")
        return {"indicator": self.indicator, "names": list(self.names),
                "rows": [{k: v for k, v in r.to_json().items() if k in keys} for r in self.rows],
                "gaps": [{"target_year": g.target.year, "result_year": g.result.year, "target": g.target.value,
                          "result": g.result.value, "difference": round(g.difference, 6), "unit": g.target.unit,
                          "text": g.text} for g in self.gaps]}

    def table(self) -> list[list[str | int | float | None]]:
        """The export table: a header, one row per statement, one per gap. Figures stay numbers (a gap of
        −0,17 is the float -0.17), every other cell is the text as written."""
        out: list[list[str | int | float | None]] = [
            ["Năm", "Loại", "Chỉ tiêu", "Giá trị", "Đơn vị", "Ghi chú", "Như in", "So với kế hoạch", "Văn bản", "Mục",
             "Câu trích"]]
        for r in self.rows:
            out.append([r.year, _KIND_VI[r.kind], r.name, r.value, r.unit or "", r.qualifier or "", r.raw,
                        r.plan_ratio or "", r.doc, r.section, r.text])
        for g in self.gaps:
            out.append([g.target.year, "chênh lệch", g.target.name, round(g.difference, 6), g.target.unit or "",
                        "", g.text, "", "", "", ""])
        return out

    def to_csv(self) -> str:
        """The table as CSV (UTF-8 with BOM, so Excel opens the Vietnamese text right). A text cell that a
        spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first) is
        written with a ``'`` before it, as OWASP advises; figures are written as numbers."""
        buf = io.StringIO()
        w = csv.writer(buf)
        for row in self.table():
            w.writerow([neutralised(x) if isinstance(x, str) else x for x in row])
        return "\ufeff" + buf.getvalue()

    def to_xlsx(self) -> bytes:
        """The table as an Excel workbook (openpyxl): figures as numbers, every text cell a string cell, never a
        formula, shown exactly as written (a cell that starts like a formula is marked as text, quotePrefix)."""
        try:
            from openpyxl import Workbook
        except ImportError as e:  # pragma: no cover - a declared dependency
            raise RuntimeError("Excel export needs openpyxl: pip install openpyxl") from e
        wb = Workbook()
        ws = wb.active
        ws.title = "So sánh"
        for i, row in enumerate(self.table(), start=1):
            for j, x in enumerate(row, start=1):
                cell = ws.cell(row=i, column=j, value=_ILLEGAL_XLSX_RE.sub("\ufffd", x) if isinstance(x, str) else x)
                if isinstance(x, str):
                    cell.data_type = "s"  # openpyxl makes any string starting with "=" a formula
                    cell.quotePrefix = x.startswith(FORMULA_STARTS)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


_KIND_VI = {Kind.RESULT: "kết quả", Kind.TARGET: "mục tiêu"}
# the first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML cannot hold


def neutralised(text: str) -> str:
    r"""A text cell safe to open in a spreadsheet: ``'`` before one that would start a formula.

    >>> neutralised('=HYPERLINK("http://example.invalid", "xem")')
    '\'=HYPERLINK("http://example.invalid", "xem")'
    >>> neutralised("−0,17 điểm %"), neutralised("Tăng trưởng")
    ('−0,17 điểm %', 'Tăng trưởng')
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _shown(i: Indicator) -> str:
    return " ".join(x for x in (i.qualifier if i.qualifier in ("trên", "dưới", "hơn", "gần", "khoảng") else "",
                                format_number(i.value), i.unit or "") if x)


def _syllables(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", fold(text).lower()) if w not in NAME_STOP_WORDS and not w.isdigit()}


_SAME_THING = {"dn": "doanh nghiệp", "htx": "hợp tác xã", "cây": "cây xanh", "tuyến": "tuyến phố", "m²": "m2"}


def family(unit: str | None) -> str:
    """Units that can be compared: money in any scale, percentages, or one counted thing."""
    u = (unit or "").lower().split("/")[0]
    if u in _MONEY:
        return "money" + (unit or "").lower()[len(u) :]
    return _SAME_THING.get(u, u) + (unit or "").lower()[len(u) :]


def _in_unit(value: float, unit: str | None, to: str | None) -> float:
    u, t = (unit or "").lower().split("/")[0], (to or "").lower().split("/")[0]
    if u in _TO_DONG and t in _TO_DONG:
        return value * _TO_DONG[u] / _TO_DONG[t]
    return value


class NameIndex:
    """The distinct indicator names, their syllables without diacritics (with an inverted index) and their
    vectors: built once per index, so a comparison scores only the names that share a word with the query."""

    def __init__(self, names: list[str], vectors: np.ndarray | None = None) -> None:
        self.names = names
        self.vectors = vectors if vectors is not None and len(vectors) == len(names) else None
        self.sets = [_syllables(n) for n in names]
        self.postings: dict[str, list[int]] = {}
        for k, syl in enumerate(self.sets):
            for w in syl:
                self.postings.setdefault(w, []).append(k)

    def scores(self, query: str, query_vector: np.ndarray | None = None) -> dict[str, float]:
        """Names that share a word with the query: 0.7 × the wording they share + 0.3 × their meaning."""
        q = _syllables(query)
        cand = sorted({k for w in q for k in self.postings.get(w, ())})
        if not cand:
            return {}
        lex = np.array([(0.8 * len(q & self.sets[k]) / len(q) + 0.2 * len(q & self.sets[k]) / len(self.sets[k]))
                        for k in cand], dtype=np.float32)
        if self.vectors is None or query_vector is None:
            return {self.names[k]: float(x) for k, x in zip(cand, lex, strict=True)}
        cos = self.vectors @ query_vector.astype(np.float32)
        # cosines of short names crowd together (e5: unrelated ~0.8, same meaning ~0.9): rank them against
        # this query's own spread over all names, the best 1, the average 0; the words shared weigh most
        mean, top = float(cos.mean()), float(cos.max())
        sem = np.clip((cos[cand] - mean) / max(top - mean, 1e-6), 0.0, 1.0)
        return {self.names[k]: float(x) for k, x in zip(cand, 0.7 * lex + 0.3 * sem, strict=True)}


def compare(
    indicators: list[Indicator],
    query: str,
    *,
    scores: dict[str, float] | None = None,
    years: tuple[int, ...] = (),
    docs: Collection[str] = (),
    places: dict[str, str | None] | None = None,
) -> Comparison:
    """The statements about the indicator `query` names, best wording first, one row per year, kind and
    document (the statement whose name fits best), and the gaps between targets and results; only statements of
    `docs` (document names, as `pipeline.search.filters.match_docs` resolves them) when given.
    `scores` (name → score, from `NameIndex.scores`) default to the wording shared with the query. A target is
    set against a result of the same document, or of another document of the same place (`places`: document →
    the place its issuer belongs to) — never a province's target against another province's result."""
    if scores is None:
        scores = NameIndex(sorted({i.name for i in indicators})).scores(query)
    pool = [i for i in indicators if i.name in scores and (not docs or i.doc in docs)
            and (not years or i.year in years)]
    scored = sorted(((scores[i.name], i) for i in pool), key=lambda x: -x[0])
    if not scored or scored[0][0] < MIN_SCORE:
        return Comparison(query, (), (), ())
    best_score, best = scored[0]
    fam = family(best.unit)
    group = [(s, i) for s, i in scored if s >= max(MIN_SCORE, 0.6 * best_score) and family(i.unit) == fam]
    rows: dict[tuple, tuple[float, Indicator]] = {}
    for s, i in group:
        key = (i.year, i.kind, i.doc)
        if key not in rows or s > rows[key][0]:
            rows[key] = (s, i)
    chosen = sorted((i for _, i in rows.values()), key=lambda i: (i.year or 0, i.kind != Kind.RESULT, i.doc))
    places = places or {}

    def same_source(a: Indicator, b: Indicator) -> bool:
        here = places.get(a.doc)
        return a.doc == b.doc or (here is not None and here == places.get(b.doc))

    gaps = []
    for t in (i for i in chosen if i.kind == Kind.TARGET):
        for r in (i for i in chosen if i.kind == Kind.RESULT and i.year in (t.year, (t.year or 0) - 1)):
            if same_source(t, r):
                gaps.append(Gap(t, r, t.value - _in_unit(r.value, r.unit, t.unit)))
    wordings = tuple(dict.fromkeys(i.name for _, i in group))
    return Comparison(query, wordings, tuple(chosen), tuple(gaps))


class Comparer:
    """`compare` over an open index: the query re-accented from the index's vocabulary, and embedded by the
    index's embedder when the index holds name vectors. The CLI and the app both call this."""

    def __init__(self, data: IndexReader, embedder: Embedder) -> None:
        self.data = data
        self.embedder = embedder
        self.names, self.vectors = data.indicator_names
        self.index = NameIndex(self.names, self.vectors)
        from pipeline.refs.links import place_of

        self.places = {name: place_of(d.meta.issuer) for name, d in data.docs.items()}

    def __call__(self, query: str, years: tuple[int, ...] = (), docs: Collection[str] = ()) -> Comparison:
        """The comparison for `query` (``thu ngân sách``), limited to `years` and to `docs` when given."""
        from pipeline.embed import Role
        from pipeline.text.accents import restore

        q = restore(" ".join(query.split())[:300], self.data.accents)
        qv = None
        if self.index.vectors is not None and self.index.postings.keys() & _syllables(q):
            qv = self.embedder.embed_batch([q], Role.QUERY)[0]
        return compare(self.data.indicators, q, scores=self.index.scores(q, qv), years=years, docs=docs,
                       places=self.places)


def indicator_list(indicators: list[Indicator]) -> list[tuple[str, tuple[int, ...], int]]:
    """Every indicator name with the years it has values for and how many statements: `compare --list`."""
    by_name: dict[str, list[Indicator]] = {}
    for i in indicators:
        by_name.setdefault(i.name, []).append(i)
    return sorted(((n, tuple(sorted({i.year for i in xs if i.year})), len(xs)) for n, xs in by_name.items()),
                  key=lambda x: (-len(x[1]), -x[2], x[0]))

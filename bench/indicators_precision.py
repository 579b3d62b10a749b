"""Precision of indicator-statement extraction, judged by eye: a deterministic sample of statements to review.

Reads every .md file of the corpus folders (default: local_gov_docs_2025/docs and /national) with
``pipeline.readers.read_document``, chunks it with ``pipeline.chunk.chunk_document`` and collects
``pipeline.indicators.indicators_in`` over the chunks, each statement once per (doc, sentence, raw, name) (a sentence
repeated as chunk overlap counts once, as ``pipeline.ingest.unique_indicators`` does). The seed report
``data/bao-cao-ktxh-2022-tp-ha-tinh.txt`` is read too and counted in the totals (statements, documents with any, by
kind, top years) but is left out of the sample unless --include-seed, so the sample is of documents the extractor
was not written against.

A deterministic random sample (``random.Random(--seed)``, default 2026, ``.sample`` over the statements in file
order) of --n statements (default 50) is written as a numbered markdown table (#, file, sentence trimmed to about
220 characters around the value (in bold), name, value, unit, qualifier, kind, year, verdict, note), verdict and
note left empty for a reviewer to fill. The header names the extractor judged by the sha256 of
pipeline/indicators.py, so a review can be matched to the version it was made against.

Run:
    python bench/indicators_precision.py
    python bench/indicators_precision.py --include-seed --n 20 --out /tmp/sample.md
Writes bench/indicators_precision_sample.md (or --out). Overwrites it: a filled-in review is lost if rerun onto it.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import shared  # noqa: E402
from pipeline.indicators.extract import Indicator, indicators_in  # noqa: E402
from pipeline.readers import ReadError, read_document  # noqa: E402
from pipeline.text.chunk import chunk_document  # noqa: E402

CORPUS = shared("corpus", "local_gov_docs_2025")
DEFAULT_DIRS = [CORPUS / "docs", CORPUS / "national"]
SEED_DOC = ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"
DEFAULT_OUT = Path(__file__).resolve().parent / "indicators_precision_sample.md"


def statements_of(path: Path) -> list[Indicator]:
    """The indicator statements of one file, once each by (doc, sentence, raw, name), in document order."""
    seen, out = set(), []
    for chunk in chunk_document(read_document(path)):
        for i in indicators_in(chunk):
            key = (i.doc, i.text, i.raw, i.name)
            if key not in seen:
                seen.add(key)
                out.append(i)
    return out


def collect(paths: list[tuple[str, Path]]) -> tuple[list[tuple[str, Indicator]], int]:
    """(label, statement) for every statement of every file, and the number of files read."""
    rows: list[tuple[str, Indicator]] = []
    n_files = 0
    for label, path in paths:
        try:
            found = statements_of(path)
        except ReadError as e:
            print(f"skip: {e}", file=sys.stderr)
            continue
        n_files += 1
        rows.extend((label, i) for i in found)
    return rows, n_files


def excerpt(text: str, raw: str, name: str, width: int = 220) -> str:
    """About `width` characters of the sentence around the value, the value in bold. When the value is printed
    more than once, the occurrence with the most of the name's words within 100 characters is taken (the first
    on a tie): statements carry no offsets."""
    spots = [i for i in range(len(text)) if text.startswith(raw, i)]
    if not spots:
        return text[:width] + ("…" if len(text) > width else "")
    words = {w for w in name.lower().split() if len(w) > 1}
    at = max(spots, key=lambda i: (sum(w in text[max(0, i - 100) : i + 100].lower().split() for w in words), -i))
    end = at + len(raw)
    side = max(0, (width - len(raw)) // 2)
    a, b = max(0, at - side), min(len(text), end + side)
    return ("…" if a > 0 else "") + text[a:at] + "**" + raw + "**" + text[end:b] + ("…" if b < len(text) else "")


def _cell(value: object) -> str:
    text = "None" if value is None else str(value)
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _value(v: float) -> str:
    return str(int(v)) if v == int(v) else str(v)


def extractor_hash() -> str:
    """The sha256 of pipeline/indicators.py: which version of the extractor a review judged."""
    return hashlib.sha256((ROOT / "pipeline" / "indicators.py").read_bytes()).hexdigest()


def summary(rows: list[tuple[str, Indicator]], n_files: int) -> list[str]:
    """Totals: statements, documents with any, by kind, by year (top 5)."""
    kinds = Counter(i.kind.value for _, i in rows)
    years = Counter(i.year for _, i in rows)
    docs = len({label for label, _ in rows})
    return [
        f"{len(rows)} statements in {docs} of {n_files} documents",
        "by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
        "by year (top 5): " + ", ".join(f"{y} {n}" for y, n in years.most_common(5)),
    ]


def write_sample(sample: list[tuple[str, Indicator]], out: Path, header: list[str]) -> None:
    lines = header + ["", "| # | file | sentence | name | value | unit | qualifier | kind | year | verdict | note |",
                      "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, (label, i) in enumerate(sample, 1):
        lines.append(f"| {n} | {_cell(label)} | {_cell(excerpt(i.text, i.raw, i.name))} | {_cell(i.name)} | "
                     f"{_value(i.value)} | {_cell(i.unit)} | {_cell(i.qualifier)} | {i.kind.value} | "
                     f"{_cell(i.year)} |  |  |")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=DEFAULT_DIRS, help="folders of .md files")
    ap.add_argument("--n", type=int, default=50, help="sample size (default 50)")
    ap.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    ap.add_argument("--include-seed", action="store_true", help="let the seed report into the sample")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown file to write")
    args = ap.parse_args(argv)

    paths = [(f"data/{SEED_DOC.name}", SEED_DOC)] if SEED_DOC.exists() else []
    paths += [(f"{d.name}/{p.name}", p) for d in args.dirs for p in sorted(d.glob("*.md"))]
    rows, n_files = collect(paths)
    if not rows:
        print("no statements found", file=sys.stderr)
        return 1
    totals = summary(rows, n_files)
    print("\n".join(totals))
    pool = [r for r in rows if args.include_seed or r[0] != f"data/{SEED_DOC.name}"]
    sample = random.Random(args.seed).sample(pool, min(args.n, len(pool)))
    header = [
        "# Indicator extraction: precision sample",
        "",
        "precision: (to fill after review)",
        "",
        *(f"- {t}" for t in totals),
        f"- sample of {len(sample)} drawn with random.Random({args.seed}).sample over the {len(pool)} statements "
        f"in file order ({'seed report included' if args.include_seed else 'seed report excluded'})",
        f"- extractor judged: pipeline/indicators.py sha256 {extractor_hash()[:12]}",
    ]
    write_sample(sample, args.out, header)
    print(f"{len(sample)} sampled → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

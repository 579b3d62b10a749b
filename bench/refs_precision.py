"""Precision of reference extraction, judged by eye: a deterministic sample of mentions to review.

Reads every .md file of the corpus folders (default: local_gov_docs_2025/docs and /national), cleans it with
``pipeline.readers.read_document``, and runs ``pipeline.references.find_references`` on each paragraph (footnote
marks stripped with ``pipeline.clean.strip_marks``) and on each footnote body. Every mention is kept with its file,
ref, type, issuer, year, date and a context window of about 120 characters around the match, taken from the
paragraph text the match's start/end offsets point into.

A deterministic random sample (``random.Random(--seed)``, default 2026) of --n mentions (default 50) is written as a
numbered markdown table (#, file, context, extracted ref, type, date, verdict, note) with the verdict and note left
empty for a reviewer to fill: a row is correct when ``ref`` is exactly the number as printed (ignoring stray spaces
and Đ/D), ``type`` is right (or None when the text gives no type word), and ``date`` is right (or None when no date
follows the number).

With --partial only the partial mentions are sampled (``Reference.partial``: a type word and a number without the
issuer code, "Nghị quyết 15 của HĐND thành phố"), the table gains an issuer column, and a row is correct only when
the issuer, if given, is the body the text names as issuing it (None when it names none). Default output then
bench/refs_precision_partial.md.

Run:
    python bench/refs_precision.py
    python bench/refs_precision.py ../shared/corpus/local_gov_docs_2025/docs --n 20 --out /tmp/sample.md
    python bench/refs_precision.py --partial
Writes bench/refs_precision_sample.md (or refs_precision_partial.md, or --out). Overwrites it: a filled-in review
is lost if rerun onto it.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import shared  # noqa: E402
from pipeline.readers import ReadError, read_document  # noqa: E402
from pipeline.refs.references import find_references  # noqa: E402
from pipeline.text.clean import strip_marks  # noqa: E402

CORPUS = shared("corpus", "local_gov_docs_2025")
DEFAULT_DIRS = [CORPUS / "docs", CORPUS / "national"]
DEFAULT_OUT = Path(__file__).resolve().parent / "refs_precision_sample.md"
PARTIAL_OUT = Path(__file__).resolve().parent / "refs_precision_partial.md"


@dataclass(frozen=True)
class Row:
    file: str  # folder/name, e.g. docs/0124-KH-UBND__556b2fb4a0149576.md
    ref: str
    type: str | None
    issuer: str | None
    year: int | None
    date: str | None
    context: str  # ~120 characters around the match, the match in **bold**
    partial: bool = False  # a type word and a number without the issuer code


def texts_of(path: Path) -> list[str]:
    """The paragraphs of a cleaned file, footnote marks stripped, then its footnote bodies."""
    doc = read_document(path)
    paras = [strip_marks(p.text) for p in doc.paragraphs]
    notes = [strip_marks(body) for _, body in sorted(doc.footnotes.items())]
    return paras + notes


def context(text: str, start: int, end: int, width: int = 120) -> str:
    """About `width` characters around text[start:end], on one line, the match in bold."""
    side = max(0, (width - (end - start)) // 2)
    a, b = max(0, start - side), min(len(text), end + side)
    left, mid, right = text[a:start], text[start:end], text[end:b]
    out = ("…" if a > 0 else "") + left + "**" + mid + "**" + right + ("…" if b < len(text) else "")
    return " ".join(out.split())


def collect(dirs: list[Path]) -> tuple[list[Row], int]:
    """Every mention in every .md file under `dirs` (sorted), and the number of files read."""
    rows: list[Row] = []
    n_files = 0
    for d in dirs:
        for path in sorted(d.glob("*.md")):
            try:
                texts = texts_of(path)
            except ReadError as e:
                print(f"skip: {e}", file=sys.stderr)
                continue
            n_files += 1
            label = f"{d.name}/{path.name}"
            for text in texts:
                for r in find_references(text):
                    rows.append(Row(label, r.ref, r.type, r.issuer, r.year, r.date, context(text, r.start, r.end),
                                    r.partial))
    return rows, n_files


def _cell(value: object) -> str:
    text = "None" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|")


def write_sample(rows: list[Row], out: Path, header: list[str], issuer: bool = False) -> None:
    extra = " issuer |" if issuer else ""
    lines = header + ["", f"| # | file | context | extracted ref | type |{extra} date | verdict | note |",
                      "|---|---|---|---|---|" + ("---|" if issuer else "") + "---|---|---|"]
    for i, r in enumerate(rows, 1):
        cell = f" {_cell(r.issuer)} |" if issuer else ""
        lines.append(f"| {i} | {_cell(r.file)} | {_cell(r.context)} | {_cell(r.ref)} | {_cell(r.type)} |{cell} "
                     f"{_cell(r.date)} |  |  |")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=DEFAULT_DIRS, help="folders of .md files")
    ap.add_argument("--n", type=int, default=50, help="sample size (default 50)")
    ap.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    ap.add_argument("--out", type=Path, default=None, help="markdown file to write")
    ap.add_argument("--partial", action="store_true", help="sample only partial mentions, with their issuer")
    args = ap.parse_args(argv)
    out = args.out or (PARTIAL_OUT if args.partial else DEFAULT_OUT)

    rows, n_files = collect(args.dirs)
    if args.partial:
        rows = [r for r in rows if r.partial]
    if not rows:
        print("no mentions found", file=sys.stderr)
        return 1
    sample = random.Random(args.seed).sample(rows, min(args.n, len(rows)))
    header = [
        "# Reference extraction: precision sample" + (" (partial references)" if args.partial else ""),
        "",
        "precision: (to fill after review)",
        "",
        f"{len(rows)} {'partial ' if args.partial else ''}mentions in {n_files} files "
        f"({', '.join(str(d) for d in args.dirs)}); "
        f"sample of {len(sample)} drawn with random.Random({args.seed}).sample over the mentions in file order.",
        "A row is ✓ when `ref` is the number as printed (stray spaces and Đ/D ignored), `type` is right "
        "(None when the text gives no type word) and `date` is right (None when no date follows the number)."
        + (" Here `ref` is the type word and number, and `issuer` must be the body the text names as issuing it "
           "(None when it names none)." if args.partial else ""),
    ]
    write_sample(sample, out, header, issuer=args.partial)
    print(f"{len(rows)} mentions in {n_files} files; {len(sample)} sampled → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

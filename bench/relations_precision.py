"""Precision of relation extraction, judged by eye: a deterministic random sample of the relations found in the
whole corpus, written as a markdown table for a reviewer.

Reads every .md file of ../shared/corpus/local_gov_docs_2025/{docs,national} with ``pipeline.readers``, chunks it as
ingest does and runs ``pipeline.refs.statements.relations_in`` over each document (its own number and date from its
letterhead), exactly what ingest stores. Two samples, ``random.Random(--seed)``: --n relations of any type (most are
legal bases, "Căn cứ …"), and --n of the changes only (replaces, amends, repeals, details, guides, corrects), the
relations a status rests on. Also prints the count per type over the corpus, and how long extraction takes next to
reading and chunking.

A row is ✓ when the relation is stated by that sentence: the right type, the right subject (the document itself, or
the number a quoted relation names), the right object, and, when a scope is given, the part the sentence names.

Run:
    python bench/relations_precision.py                       # writes bench/relations_precision_sample.md
    python bench/relations_precision.py --n 20 --seed 7 --out /tmp/sample.md
Overwrites the output: a filled-in review is lost if rerun onto it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import shared  # noqa: E402
from pipeline.readers import ReadError, read_document  # noqa: E402
from pipeline.refs.references import find_references  # noqa: E402
from pipeline.refs.relations import InForce, Relation, RelationType  # noqa: E402
from pipeline.refs.statements import relations_in  # noqa: E402
from pipeline.text.chunk import chunk_document  # noqa: E402

CORPUS = shared("corpus", "local_gov_docs_2025")
DEFAULT_OUT = Path(__file__).resolve().parent / "relations_precision_sample.md"


def corpus_relations(dirs: list[Path]) -> tuple[list[tuple[str, Relation]], list[InForce], dict[str, float], int]:
    """Every relation of every document (with its folder/name), every effective date, the seconds spent reading
    and chunking vs extracting, and the number of files read."""
    found: list[tuple[str, Relation]] = []
    dates: list[InForce] = []
    seconds = {"read and chunk": 0.0, "relations": 0.0}
    files = sorted(f for d in dirs for f in d.glob("*.md"))
    for f in files:
        t0 = time.perf_counter()
        try:
            doc = read_document(f, name=f.name)
        except ReadError:
            continue
        chunks = chunk_document(doc)
        t1 = time.perf_counter()
        own = [r for r in find_references(doc.meta.number or "")[:1] if not r.partial]
        rels, own_dates = relations_in(chunks, doc.meta.date, own[0].ref if own else None)
        seconds["relations"] += time.perf_counter() - t1
        seconds["read and chunk"] += t1 - t0
        found += [(f"{f.parent.name}/{f.name}", r) for r in rels]
        dates += own_dates
    return found, dates, seconds, len(files)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "¦").split())


def _sentence(r: Relation, width: int = 320) -> str:
    """The sentence around the object, the object in bold."""
    s = " ".join(r.sentence.split())
    at = s.find(r.other.ref)
    if at < 0:
        return _cell(s[:width])
    lo = max(0, at - width // 2)
    shown = s[lo : at] + f"**{r.other.ref}**" + s[at + len(r.other.ref) : at + width // 2]
    return _cell(("…" if lo else "") + shown + ("…" if at + width // 2 < len(s) else ""))


def table(rows: list[tuple[str, Relation]]) -> list[str]:
    """The markdown rows of a sample, verdict and note left empty."""
    out = ["| # | file | type | subject | object | scope | sentence | verdict | note |",
           "|---|---|---|---|---|---|---|---|---|"]
    for i, (name, r) in enumerate(rows, 1):
        subject = r.subject.ref if r.subject else "(itself)"
        out.append(f"| {i} | {name[:48]} | {r.type.value} | {subject} | {r.other.ref} | {_cell(r.scope or '')} | "
                   f"{_sentence(r)} |  |  |")
    return out


def main(argv: list[str] | None = None) -> None:
    """Write the two samples and print the counts."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=[CORPUS / "docs", CORPUS / "national"])
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    found, dates, seconds, n_files = corpus_relations(args.dirs)
    counts = Counter(r.type.value + (" (quoted)" if r.subject else "") for _, r in found)
    rng = random.Random(args.seed)
    any_type = rng.sample(found, min(args.n, len(found)))
    changes = [x for x in found if x[1].type is not RelationType.IMPLEMENTS]
    change_sample = rng.sample(changes, min(args.n, len(changes)))
    lines = ["# Relation extraction: precision sample", "",
             f"{len(found)} relations in {n_files} files ({', '.join(str(d) for d in args.dirs)}); "
             f"{len({d.doc for d in dates})} documents state their own effective date. By type: "
             + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ".",
             f"Samples drawn with random.Random({args.seed}).sample over the relations in file order.", "",
             f"## Sample A: {len(any_type)} relations of any type", "", *table(any_type), "",
             f"## Sample B: {len(change_sample)} changes (replaces, amends, repeals, details, guides, corrects)", "",
             *table(change_sample), ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[:4]))
    print(f"seconds: {seconds}")


if __name__ == "__main__":
    main()

"""Recall and precision of relation extraction against the hand-checked list (tests/data/relations_gold.json):
17 documents of ../shared/corpus/local_gov_docs_2025, every relation read off them by hand.

    python bench/relations_score.py            # the table by relation type, then every miss and false find
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.readers import read_document  # noqa: E402
from pipeline.refs.references import find_references  # noqa: E402
from pipeline.refs.statements import relations_in  # noqa: E402
from pipeline.text.chunk import chunk_document  # noqa: E402

GOLD = ROOT / "tests" / "data" / "relations_gold.json"
CORPUS = ROOT.parent / "shared" / "corpus" / "local_gov_docs_2025"

Triple = tuple[str, str | None, str]


def extracted(path: Path) -> set[Triple]:
    """(type, subject or None for the document itself, object) of every relation found in one document."""
    d = read_document(path, name=path.name)
    own = [r for r in find_references(d.meta.number or "")[:1] if not r.partial]
    rels, _ = relations_in(chunk_document(d), d.meta.date, own[0].ref if own else None)
    return {(r.type.value, r.subject.ref if r.subject else None, r.other.ref) for r in rels}


def score(corpus: Path = CORPUS) -> tuple[dict[str, Counter], list[tuple[str, str, Triple]]]:
    """Per relation type: true positives, false positives, misses; and every error (doc, "miss"/"false", triple)."""
    gold = {k: v for k, v in json.loads(GOLD.read_text(encoding="utf-8")).items() if not k.startswith("_")}
    by_type: dict[str, Counter] = {}
    errors = []
    for name, triples in gold.items():
        want = {(t, s, o) for t, s, o in triples}
        got = extracted(corpus / name)
        for kind in {t for t, _, _ in want | got}:
            c = by_type.setdefault(kind, Counter())
            w, g = {x for x in want if x[0] == kind}, {x for x in got if x[0] == kind}
            c["tp"] += len(w & g)
            c["fp"] += len(g - w)
            c["fn"] += len(w - g)
        errors += [(name, "miss", x) for x in sorted(want - got, key=str)]
        errors += [(name, "false", x) for x in sorted(got - want, key=str)]
    return by_type, errors


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f} %" if b else "—"


def main() -> None:
    """Print the table and the errors."""
    by_type, errors = score()
    total = sum(by_type.values(), Counter())
    print("| type | in the list | found right | false | recall | precision |\n|---|---|---|---|---|---|")
    for kind, c in sorted(by_type.items()) + [("all", total)]:
        print(f"| {kind} | {c['tp'] + c['fn']} | {c['tp']} | {c['fp']} | {_pct(c['tp'], c['tp'] + c['fn'])} | "
              f"{_pct(c['tp'], c['tp'] + c['fp'])} |")
    for name, what, triple in errors:
        print(f"{what:5}  {name[:40]}  {triple}")


if __name__ == "__main__":
    main()

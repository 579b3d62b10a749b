"""Cache the searches `ask` makes for a question set, then replay answer selection offline on that cache.

Selection (which sentence of the retrieved passages answers) is iterated on far more often than search;
replaying the cached hits makes one pass over a question set take seconds instead of minutes. The numbers to
report still come from bench_dev.py.

Run:
    python bench/select_cache.py dump --index /work/bench-idx/full-new --questions bench/qa_corpus.jsonl \
        --out /tmp/sel/corpus.json
    python bench/select_cache.py replay --index /work/bench-idx/full-new --cache /tmp/sel/corpus.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.search.filters import Filters
from pipeline.types import Hit


class RecordingSearcher:
    """Wraps a searcher: every ``search(query, k, filters)`` call and its hits are kept by key."""

    def __init__(self, inner: object) -> None:
        """Wrap `inner` (a HybridSearcher)."""
        self.inner = inner
        self.calls: dict[str, list[list]] = {}

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        """The inner searcher's hits, recorded."""
        hits = self.inner.search(query, k, filters)  # type: ignore[attr-defined]
        self.calls[key(query, k, filters)] = [[h.chunk_id, h.score, h.source] for h in hits]
        return hits


class ReplaySearcher:
    """Answers ``search`` from a recorded cache (a call not recorded is an error)."""

    def __init__(self, calls: dict[str, list[list]]) -> None:
        """Replay `calls`, as RecordingSearcher kept them."""
        self.calls = calls

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        """The recorded hits of this call."""
        return [Hit(c, s, src) for c, s, src in self.calls[key(query, k, filters)]]


def key(query: str, k: int, filters: Filters | None) -> str:
    """One string per search call."""
    f = (list(filters.docs), filters.year) if filters else None
    return json.dumps([query, k, f], ensure_ascii=False)


def dump(index: str, questions: str, out: str) -> None:
    """Run `ask` over the questions with a recording searcher; write the calls."""
    import pipeline
    from pipeline.ask.evaluate import load_questions

    answerer = pipeline.open_answerer(index)
    rec = RecordingSearcher(answerer.searcher)
    answerer.searcher = rec  # type: ignore[assignment]
    qs = load_questions(questions)
    for q in qs:
        answerer.ask(q["q"], 10)
    Path(out).write_text(json.dumps({"questions": qs, "calls": rec.calls}, ensure_ascii=False), encoding="utf-8")


def replay(index: str, cache: str) -> None:
    """Answer the cached questions again with today's selection; print misses and the summary."""
    import pipeline
    from pipeline.ask.answer import Answerer
    from pipeline.ask.evaluate import score

    data = pipeline.open_index(index)
    saved = json.loads(Path(cache).read_text(encoding="utf-8"))
    answerer = Answerer(ReplaySearcher(saved["calls"]), data)  # type: ignore[arg-type]
    r = score(saved["questions"], [answerer.ask(q["q"], 10) for q in saved["questions"]])
    for m in r.misses:
        print(m)
    print(r.summary())


def main() -> None:
    """Parse the command line and run dump or replay."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["dump", "replay"])
    ap.add_argument("--index", required=True)
    ap.add_argument("--questions")
    ap.add_argument("--out")
    ap.add_argument("--cache")
    args = ap.parse_args()
    if args.mode == "dump":
        dump(args.index, args.questions, args.out)
    else:
        replay(args.index, args.cache)


if __name__ == "__main__":
    main()

"""The metrics of ../shared/eval/README.md, computed on `Answer` records (agrees with eval/score.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.text.clean import fold
from pipeline.types import Answer

# the scorer's folding (NFD, no combining marks, đ→d, lower case, white space collapsed) is clean.fold
fold_eval = fold


@dataclass
class EvalResult:
    """The counts `score` gathers over a question set, the misses listed, and per-kind tallies."""
    n: int = 0
    evidence_at_5: int = 0
    r_at_1: int = 0
    mrr_at_10: float = 0.0
    answer: int = 0
    misses: list[str] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)

    def summary(self) -> str:
        """Two lines for the terminal: per-kind (evidence@5, answer, n), then the overall evidence@5, R@1, MRR@10."""
        kinds = ", ".join(f"{k} {v[0]}/{v[1]}/{v[2]}" for k, v in sorted(self.by_kind.items()))
        return (f"by kind (evidence@5, answer, n): {kinds}\n"
                f"ask n={self.n} evidence@5={self.evidence_at_5} R@1={self.r_at_1} "
                f"MRR@10={self.mrr_at_10 / max(1, self.n):.3f} answer={self.answer}")


def load_questions(path: str | Path) -> list[dict]:
    """The questions of a JSON Lines file (``{"id", "kind", "q", "evidence", "answer"}`` a line), blanks skipped."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def score(questions: list[dict], answers: list[Answer]) -> EvalResult:
    """evidence@5, R@1, MRR@10 and answer accuracy, as eval/README.md defines them."""
    r = EvalResult()
    for q, a in zip(questions, answers, strict=True):
        texts = [fold_eval(p.full_text) for p in a.passages][:10]
        top5 = " ".join(texts[:5])
        ev_ok = all(fold_eval(e) in top5 for e in q["evidence"])
        first = next((i for i, t in enumerate(texts) if fold_eval(q["evidence"][0]) in t), None)
        at = fold_eval(a.text)
        need = q.get("answer", [])
        a_ok = bool(at) and len(at) <= 400 * max(1, len(need)) and all(fold_eval(x) in at for x in need)
        r.n += 1
        r.evidence_at_5 += ev_ok
        r.answer += a_ok
        if first is not None:
            r.mrr_at_10 += 1 / (first + 1)
            r.r_at_1 += first == 0
        kind = r.by_kind.setdefault(q.get("kind", "?"), [0, 0, 0])
        kind[0] += ev_ok
        kind[1] += a_ok
        kind[2] += 1
        if not (ev_ok and a_ok):
            r.misses.append(f"miss {q.get('id')} [{q.get('kind')}] ev5={ev_ok} rank={first} ans={a_ok} :: "
                            f"{q['q'][:70]}")
    return r

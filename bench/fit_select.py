"""Fit the weights of answer selection (`pipeline/ask/features.FEATURES`) on cached development questions.

Each question's candidates are the sentences `Answerer._best` scores (recorded from the real code path, so
table cells or any new candidate appear here too); a candidate is right when it holds every answer string
(accents folded). The model is linear with a softmax over one question's candidates (listwise: maximise the
probability of the right ones), L2-regularised, fitted by gradient descent in numpy. Reported: selection
accuracy in-sample and cross-validated leaving whole documents out (the questions of one document are never
fitted and scored in the same fold), and the same with each feature left out (ablation).

Run (after bench/select_cache.py dump for each question set):
    python bench/fit_select.py --index /work/bench-idx/full-new \
        --cache /tmp/sel/corpus.json /tmp/sel/extra.json /tmp/sel/dev.json --write
"""

from __future__ import annotations

import argparse
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from select_cache import ReplaySearcher

from pipeline.ask.answer import Answerer, Scored
from pipeline.ask.features import FEATURES, SENTENCE, Need, Source
from pipeline.text.clean import fold
from pipeline.types import Passage

WEIGHTS_FILE = Path(__file__).resolve().parents[1] / "pipeline" / "ask" / "weights.py"
L2 = 0.005
_CELL, _ROW = FEATURES.index("cell"), FEATURES.index("table_row")
# the features by what they read, for the ablation: the lexical base, then each family added to it / taken away
FAMILIES = {
    "lexical": ("cover", "lex", "focus", "rank", "length"),
    "value kind": ("kind", "unit"),
    "condition": ("near_value", "context", "bound", "other_bound"),
    "negation": ("negation", "negates_term", "both_negated"),
    "front matter": ("preamble", "front", "cites_other"),
    "subject, titles, novelty": ("subject_for_what", "subject", "letterhead", "title_for_what", "title", "novelty"),
    "year, number": ("year", "code_missing"),
}  # per question: weights stay small where the data say little


@dataclass
class Group:
    """One question's candidates: features (n × d), which hold the answer, and the document it is about."""

    qid: str
    x: np.ndarray
    right: np.ndarray
    doc: str
    question: str = ""
    sentences: tuple[str, ...] = ()


class Recording(Answerer):
    """An Answerer that keeps the features of every candidate each `_best` call scores."""

    calls: list[list[tuple[str, list[float]]]]

    def _best(self, passages: list[Passage], need: Need) -> Scored | None:
        self.calls.append([])
        return super()._best(passages, need)

    def _score(self, sentence: str, p: Passage, need: Need, source: Source = SENTENCE) -> float:
        f = self._features(sentence, p, need, source)
        self.calls[-1].append((sentence, f))
        return super()._score(sentence, p, need, source)


def collect(index: str, caches: list[str]) -> list[Group]:
    """The candidate groups of every cached question with one selection and at least one right candidate."""
    import pipeline

    data = pipeline.open_index(index)
    out = []
    for cache in caches:
        saved = json.loads(Path(cache).read_text(encoding="utf-8"))
        a = Recording(ReplaySearcher(saved["calls"]), data)  # type: ignore[arg-type]
        for q in saved["questions"]:
            a.calls = []
            ans = a.ask(q["q"], 10)
            need = [fold(x) for x in q.get("answer", [])]
            if len(a.calls) != 1 or not need or not a.calls[0]:
                continue  # comparisons (one selection per year) and questions any sentence answers
            right = np.array([all(x in fold(s) for x in need) for s, _ in a.calls[0]])
            x = np.array([f for _, f in a.calls[0]])
            # a whole table row holds every cell's value: it is right only when no single cell answers
            if (right & (x[:, _CELL] > 0)).any():
                right &= x[:, _ROW] == 0
            ev = fold(q["evidence"][0]) if q.get("evidence") else ""
            doc = q.get("doc") or next((p.doc for p in ans.passages if ev and ev in fold(p.full_text)), q["id"])
            out.append(Group(q["id"], x, right, doc, q["q"],
                             tuple(s for s, _ in a.calls[0])))
    return out


def fit(groups: list[Group], mask: np.ndarray, steps: int = 1500, lr: float = 0.3) -> np.ndarray:
    """Weights maximising the softmax probability of the right candidates (features where `mask` is 0 are
    left out: their weight stays 0). All candidates are stacked in one matrix; a question's softmax runs over
    its own rows (``np.add.reduceat`` over the row where each question starts)."""
    learnable = [g for g in groups if g.right.any()]
    x = np.vstack([g.x for g in learnable])
    right = np.concatenate([g.right for g in learnable])
    sizes = np.array([len(g.right) for g in learnable])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    w = np.zeros(len(mask))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, steps + 1):  # Adam
        s = x @ w
        e = np.exp(s - np.repeat(np.maximum.reduceat(s, starts), sizes))
        p = e / np.repeat(np.add.reduceat(e, starts), sizes)
        er = np.where(right, e, 0.0)
        q = er / np.repeat(np.add.reduceat(er, starts), sizes)
        grad = (x.T @ (p - q) / len(learnable) + L2 * w) * mask
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= lr / np.sqrt(t) * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w * mask


def accuracy(groups: list[Group], w: np.ndarray) -> int:
    """How many groups' best-scored candidate is right."""
    return sum(bool(g.right[int(np.argmax(g.x @ w))]) for g in groups)


def cross_validated(groups: list[Group], mask: np.ndarray, folds: int = 10) -> int:
    """Right selections when each document's questions are scored by weights fitted without that document
    (documents dealt round-robin into `folds` folds, in order of first appearance)."""
    docs = list(dict.fromkeys(g.doc for g in groups))
    fold_of = {d: i % folds for i, d in enumerate(docs)}
    good = 0
    for k in range(folds):
        train = [g for g in groups if fold_of[g.doc] != k]
        test = [g for g in groups if fold_of[g.doc] == k]
        good += accuracy(test, fit(train, mask))
    return good


def with_cosine(groups: list[Group], index: str) -> None:
    """Add the e5 cosine of question and sentence as a last feature column (an experiment: what a semantic
    signal adds to the others, and what it would cost per question)."""
    import time

    import pipeline
    from pipeline.embed import Role

    embedder = pipeline.load_embedder(pipeline.open_index(index).embedder_name)
    t = time.perf_counter()
    for g in groups:
        q = embedder.embed_batch([g.question], Role.QUERY)[0]
        s = embedder.embed_batch(list(g.sentences), Role.PASSAGE)
        g.x = np.column_stack([g.x, s @ q])
    secs = time.perf_counter() - t
    n = sum(len(g.sentences) for g in groups)
    print(f"cosine: {n} sentences embedded in {secs:.1f} s ({1000 * secs / len(groups):.0f} ms a question)")


def families(groups: list[Group], names: list[str], folds: int) -> None:
    """Print the cross-validated selections of the lexical base, the base plus each family, and all features
    but each family: what each kind of reading adds."""
    def mask(keep: set[str]) -> np.ndarray:
        return np.array([float(n in keep) for n in names])

    base = set(FAMILIES["lexical"])
    print(f"  lexical base alone: cv {cross_validated(groups, mask(base), folds)}/{len(groups)}")
    for family, members in FAMILIES.items():
        if family == "lexical":
            continue
        plus = cross_validated(groups, mask(base | set(members)), folds)
        minus = cross_validated(groups, mask(set(names) - set(members)), folds)
        print(f"  {family:26s} base + it: cv {plus}/{len(groups)}   all but it: cv {minus}/{len(groups)}")


def write(w: np.ndarray, note: str) -> None:
    """Write the weights as a readable Python module."""
    note = "\n".join(textwrap.wrap(note, 110))
    rows = "\n".join(f'    "{name}": {v:.3f},' for name, v in zip(FEATURES, w, strict=True))
    WEIGHTS_FILE.write_text(f'"""The weight of each answer-selection feature (`features.FEATURES`), fitted by '
                            f'``bench/fit_select.py``.\n\n{note}\n"""\n\nWEIGHTS: dict[str, float] = {{\n{rows}\n}}\n',
                            encoding="utf-8")


def main() -> None:
    """Collect, fit, cross-validate, ablate; optionally write the weights."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--cache", nargs="+", required=True)
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--ablate", action="store_true", help="cross-validate with each feature left out")
    ap.add_argument("--write", action="store_true", help="write pipeline/ask/weights.py")
    ap.add_argument("--families", action="store_true", help="cross-validate the lexical base plus each family, "
                    "and all but each family")
    ap.add_argument("--cosine", action="store_true", help="add the e5 cosine as a feature (an experiment)")
    args = ap.parse_args()
    groups = collect(args.index, args.cache)
    names = list(FEATURES)
    if args.cosine:
        with_cosine(groups, args.index)
        names.append("cosine")
    n_ok = sum(g.right.any() for g in groups)
    full = np.ones(len(names))
    w = fit(groups, full)
    ins, cv = accuracy(groups, w), cross_validated(groups, full, args.folds)
    docs = len({g.doc for g in groups})
    from pipeline.ask.weights import WEIGHTS

    now = accuracy(groups, np.array([WEIGHTS.get(f, 0.0) for f in names]))
    print(f"{len(groups)} questions ({n_ok} with a right candidate) over {docs} documents; "
          f"the weights in use choose right for {now}")
    print(f"selection right: in-sample {ins}/{len(groups)}, "
          f"leave-documents-out ({args.folds} folds) {cv}/{len(groups)}")
    for name, v in zip(names, w, strict=True):
        print(f"  {name:16s} {v:+.3f}")
    if args.ablate:
        for i, name in enumerate(names):
            mask = full.copy()
            mask[i] = 0
            print(f"  without {name:16s} cv {cross_validated(groups, mask, args.folds)}/{len(groups)}")
    if args.families:
        families(groups, names, args.folds)
    if args.write and not args.cosine:
        sets = ", ".join(Path(c).stem for c in args.cache)
        write(w, f"Fitted on {len(groups)} questions over {docs} documents ({sets}): the right sentence chosen "
                 f"for {ins} in-sample, {cv} leaving documents out ({args.folds} folds).")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Check bench/qa_corpus.jsonl against the corpus documents, read with the project's own reader.

usage: PYTHONPATH=. .venv/bin/python bench/check_qa.py [QA.jsonl] [--corpus DIR]
       PYTHONPATH=. .venv/bin/python bench/check_qa.py --dump FILE.md     (print the folded reader text of one document)

Every line must have a unique id, a kind among the five, a `doc` that exists in the corpus (docs/ or national/),
1-2 evidence strings and 0-2 answer strings (empty only for `ref`), and every evidence and answer string must occur
in the document text (paragraphs joined by a space, plus footnote bodies) after folding both sides as
/work/shared/eval/score.py does. Prints the failures, a summary by kind and the number of distinct documents;
exits 1 on any failure."""
import argparse
import collections
import json
import re
import sys
import unicodedata
from pathlib import Path

from pipeline.readers import read_document

CORPUS = Path("/work/shared/corpus/local_gov_docs_2025")
KINDS = ("fact", "table", "semantic", "nodiacritics", "ref")


def fold(s: str) -> str:
    """The fold of /work/shared/eval/score.py: NFD, drop combining marks, đ→d, lower case, collapse white space."""
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"\s+", " ", "".join(c for c in s if not unicodedata.combining(c)).lower()).strip()


def locate(corpus: Path, name: str) -> Path | None:
    """The document named `name` (a bare file name, or docs/... / national/...) in the corpus, or None."""
    for p in (corpus / name, corpus / "docs" / name, corpus / "national" / name):
        if p.is_file():
            return p
    return None


_cache: dict[Path, str] = {}


def doc_text(path: Path) -> str:
    """The folded text the checks run on: paragraphs joined by a space, then the footnote bodies."""
    if path not in _cache:
        doc = read_document(path)
        parts = [p.text for p in doc.paragraphs] + list((doc.footnotes or {}).values())
        _cache[path] = fold(" ".join(parts))
    return _cache[path]


def _shape(q: dict, where: str) -> tuple[list[str], list, list]:
    """The line's own errors (id aside), and its evidence and answer lists (empty when malformed)."""
    errors = []
    if q.get("kind") not in KINDS:
        errors.append(f"{where}: kind {q.get('kind')!r} not in {KINDS}")
    if not isinstance(q.get("q"), str) or not q["q"].strip():
        errors.append(f"{where}: empty question")
    ev, ans = q.get("evidence"), q.get("answer")
    if not isinstance(ev, list) or not 1 <= len(ev) <= 2:
        errors.append(f"{where}: evidence must be 1-2 strings")
        ev = ev if isinstance(ev, list) else []
    if not isinstance(ans, list) or len(ans) > 2 or (not ans and q.get("kind") != "ref"):
        errors.append(f"{where}: answer must be 1-2 strings (may be empty only for ref)")
        ans = ans if isinstance(ans, list) else []
    typed = q.get("q", "")
    if q.get("kind") == "nodiacritics" and fold(typed) != re.sub(r"\s+", " ", typed.lower()).strip():
        errors.append(f"{where}: nodiacritics question carries diacritics")
    return errors, ev, ans


def check(lines: list[str], corpus: Path) -> tuple[list[str], list[dict]]:
    """Return (errors, parsed rows)."""
    errors, rows, seen = [], [], set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: bad JSON: {e}")
            continue
        qid = q.get("id")
        where = f"line {n} ({qid})"
        if not qid or qid in seen:
            errors.append(f"{where}: missing or duplicate id")
        seen.add(qid)
        found, ev, ans = _shape(q, where)
        errors += found
        path = locate(corpus, q.get("doc", ""))
        if path is None:
            errors.append(f"{where}: doc {q.get('doc')!r} not in {corpus}")
            continue
        text = doc_text(path)
        errors += [f"{where}: {what} not in {path.name}: {s!r}" for what, strings in (("evidence", ev), ("answer", ans))
                   for s in strings if not s.strip() or fold(s) not in text]
        q["_path"] = path
        rows.append(q)
    return errors, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(Path(__file__).with_name("qa_corpus.jsonl")))
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--dump", help="print the folded text of one corpus document and exit")
    a = ap.parse_args()
    corpus = Path(a.corpus)
    if a.dump:
        p = locate(corpus, a.dump)
        if p is None:
            print(f"no such document: {a.dump}")
            return 1
        print(doc_text(p))
        return 0
    errors, rows = check(Path(a.file).read_text(encoding="utf-8").splitlines(), corpus)
    for e in errors:
        print("FAIL", e)
    kinds = collections.Counter(q["kind"] for q in rows)
    docs = {q["_path"] for q in rows}
    local = sum(1 for q in rows if q["_path"].parent.name == "docs")
    print("by kind: " + ", ".join(f"{k} {kinds.get(k, 0)}" for k in KINDS))
    local_docs = sum(1 for p in docs if p.parent.name == "docs")
    print(f"questions {len(rows)} (local {local}, national {len(rows) - local}); distinct documents {len(docs)} "
          f"(local {local_docs}, national {len(docs) - local_docs})")
    print("OK" if not errors else f"{len(errors)} failures")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

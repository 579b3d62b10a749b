"""The library of indexed documents as staff manage it: list, add uploaded files, remove.

Uploaded files are kept under ``<index>/uploads/`` (an index remembers where each document was read from and
reads it again when the parser changes), with a safe name: no folders, no hidden files, no control characters.
A file that is too large, of a type tracuu cannot read, or broken is reported and skipped; the rest go in, and
no copy is left in the uploads folder of a file that did not go in. An upload named like an indexed document
replaces it only when asked to (`AlreadyIndexed` otherwise).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from pipeline.embed import Embedder
from pipeline.protocol import IndexReader, waiting_for_vectors
from pipeline.settings import ENV_MAX_UPLOAD_MB, Settings
from pipeline.store.ingest import IngestReport, Progress, ingest, try_read
from pipeline.store.layout import current_generation, index_root, live_name
from pipeline.store.reader import IndexData, salvage_documents

UPLOADS = "uploads"


class AlreadyIndexed(ValueError):
    """Uploads named like documents already in the index: replace them? (`names`: those names)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"{', '.join(names)}: already indexed — replace? Upload again choosing to replace, or "
                         "rename the file (đã có trong chỉ mục — thay thế?)")
        self.names = names
_UNSAFE_RE = re.compile(r"[^\w.\- ()]+")


def max_upload_bytes() -> int:
    """The size limit of one uploaded file: $TRACUU_MAX_UPLOAD_MB megabytes, 50 unless set."""
    return Settings.from_env().max_upload_bytes


def uploads_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder that uploaded files are saved into, inside the index folder."""
    return index_root(root) / UPLOADS


def safe_name(name: str) -> str:
    r"""A file name that stays inside the uploads folder: the last path component only, NFC, letters (Vietnamese
    included), digits and ``. - _ ( )``; spaces become dashes. Raises ValueError when nothing usable is left.

    >>> safe_name("../../etc/báo cáo 2022.txt"), safe_name("C:\\tmp\\qd 97.md")
    ('báo-cáo-2022.txt', 'qd-97.md')
    """
    base = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = _UNSAFE_RE.sub("-", base).strip(" .-")
    base = re.sub(r"[\s-]+", "-", base)
    stem, dot, ext = base.rpartition(".")
    if not base or (dot and not stem.strip("-_.")):
        raise ValueError(f"'{name[:80]}': not a usable file name (tên tệp không hợp lệ)")
    return base[:150]


def save_upload(name: str, data: bytes, folder: Path, limit: int | None = None) -> Path:
    """Write one uploaded file under `folder` with a safe name, once it has been read successfully. Raises
    ValueError (a message for the user) when the name is unusable, the file too large, of a type tracuu cannot
    read, or unreadable; an earlier file of the same name is then left as it was."""
    limit = max_upload_bytes() if limit is None else limit
    safe = safe_name(name)
    if len(data) > limit:
        raise ValueError(f"{safe}: {len(data) / 1e6:.1f} MB is over the {limit / 1e6:.0f} MB limit "
                         f"(tệp quá lớn; giới hạn đặt bằng {ENV_MAX_UPLOAD_MB})")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe
    if path.resolve().parent != folder.resolve():
        raise ValueError(f"'{name[:80]}': not a usable file name (tên tệp không hợp lệ)")
    tmp = folder / f".part-{os.getpid()}-{safe}"
    try:
        tmp.write_bytes(data)
        # a broken file is refused before it can replace anything, read within the per-file budget
        if (error := try_read(tmp, safe)) is not None:
            raise ValueError(error.replace(str(tmp), safe))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def indexed_names(root: str | os.PathLike | None = None) -> set[str]:
    """The names of the documents in the index at `root` (read from its database alone: nothing is loaded)."""
    root = index_root(root)
    return set(salvage_documents(root)) if live_name(root) else set()


def add_uploads(files: Sequence[tuple[str, bytes]], embedder: Embedder, root: str | os.PathLike | None = None,
                progress: Progress | None = None, limit: int | None = None, replace: bool = False,
                collection: str | None = None) -> IngestReport:
    """Save uploaded (name, content) pairs into the index's uploads folder and ingest them. Every file that
    cannot be saved or read is one error in the report; the others are indexed. Raises `AlreadyIndexed`, before
    anything is saved, when an upload is named like an indexed document, unless `replace`. A file that does not
    end up in the index (or all of them, when the ingest fails) leaves the uploads folder as it was. The files go
    into `collection` (None: a replaced document's own, else the shared one)."""
    folder = uploads_dir(root)
    clash = sorted({n for n in map(_name_or_none, (n for n, _ in files)) if n} & indexed_names(root))
    if clash and not replace:
        raise AlreadyIndexed(clash)
    saved, problems = [], []
    before: dict[Path, bytes | None] = {}
    for name, data in files:
        path = folder / (_name_or_none(name) or "-")
        previous = path.read_bytes() if path.is_file() else None
        try:
            saved.append(save_upload(name, data, folder, limit))
            before.setdefault(saved[-1], previous)
        except ValueError as e:
            problems.append(str(e))
    report = IngestReport()
    try:
        if saved:
            names = {p.name for p in saved}  # a document is replaced only by an upload that could be saved
            report = ingest(saved, embedder, root=root, progress=progress, remove=[n for n in clash if n in names],
                            collection=collection)
    finally:
        went_in = set(report.added) | set(report.updated) | set(report.unchanged)
        for path in saved:
            if path.name not in went_in:
                _restore(path, before[path])
    report.errors[:0] = problems
    return report


def _name_or_none(name: str) -> str | None:
    """`safe_name(name)`, None when the name is unusable (`save_upload` then reports it)."""
    try:
        return safe_name(name)
    except ValueError:
        return None


def _restore(path: Path, previous: bytes | None) -> None:
    """Put back the file an upload replaced (or remove the upload): nothing is left of a file not indexed."""
    if previous is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(previous)


def remove_documents(names: Sequence[str], embedder: Embedder, root: str | os.PathLike | None = None) -> IngestReport:
    """Drop documents from the index; the uploaded copy of a removed document is deleted too (files elsewhere,
    such as data/, are never touched)."""
    report = ingest([], embedder, root=root, remove=names)
    folder = uploads_dir(root)
    for name in report.removed:
        copy = folder / name
        if copy.is_file() and copy.resolve().parent == folder.resolve():
            copy.unlink()
    return report


def document_rows(data: IndexReader) -> list[dict]:
    """One row per indexed document: the `tracuu stats --json` document shape (``pending``: its chunks still
    waiting for vectors, found by keyword only meanwhile)."""
    waiting = waiting_for_vectors(data)
    return [{"name": d.name, "title": d.meta.title, "number": d.meta.number, "issuer": d.meta.issuer,
             "date": d.meta.date, "years": list(d.meta.years), "chunks": d.n_chunks, "collection": d.collection,
             "pending": waiting.get(d.name, 0)}
            for d in data.docs.values()]


def stats_json(view: IndexReader, base: IndexData, where: str | None = None) -> dict:
    """`tracuu stats --json` and the API's ``/api/stats``: the generation (`where`, default its folder), its
    embedder and date from `base`; the counts and document rows from `view` (a scoped view counts its own
    collections only, and the size on disk, which counts everything, is left out: None). ``pending``: the chunks
    still waiting for vectors (an ingest under way, or one stopped before it embedded them all); ``segments``:
    how many the generation is made of, ``tombstoned``: their rows removed or replaced, until a merge drops them."""
    return {"index": where or str(base.gen), "documents": len(view.docs), "chunks": len(view.chunks),
            "pending": int(view.pending.sum()), "segments": len(base.segments),
            "tombstoned": sum(s.rows - len(s.live_rows) for s in base.segments),
            "embedder": base.manifest["embedder"], "size_bytes": base.size_bytes() if view is base else None,
            "created": base.manifest["created"], "docs": document_rows(view)}


class Library:
    """One index folder as staff manage it from the app: which generation is live, the document table, uploads
    and removal (`pipeline.open_library`). Nothing is loaded: the index itself is `pipeline.open_index`'s."""

    def __init__(self, root: str | os.PathLike | None = None, settings: Settings | None = None) -> None:
        self.settings = Settings.from_env() if settings is None else settings
        self.root = Path(root) if root else self.settings.index

    @property
    def generation(self) -> str | None:
        """The live generation's name, None before the first ingest (IndexDamaged when CURRENT is broken)."""
        gen = current_generation(self.root)
        return gen.name if gen else None

    @property
    def upload_limit(self) -> int:
        """The size limit of one uploaded file, in bytes ($TRACUU_MAX_UPLOAD_MB)."""
        return self.settings.max_upload_bytes

    @property
    def upload_types(self) -> list[str]:
        """The file extensions tracuu reads (``docx``, ``pdf`` …)."""
        from pipeline.readers import READERS

        return sorted(s.lstrip(".") for s in READERS)

    def embedder_name(self, index: IndexReader | None) -> str:
        """The embedder of uploads: the index's own, else ($TRACUU_MODEL or e5-small) for a first upload."""
        return index.embedder_name if index is not None else self.settings.model

    @staticmethod
    def rows(index: IndexReader) -> list[dict]:
        """One row per indexed document (name, number, title, chunks …): the document table of `stats` and the app."""
        return document_rows(index)

    def add(self, files: Sequence[tuple[str, bytes]], embedder: Embedder,
            progress: Progress | None = None, replace: bool = False, collection: str | None = None) -> IngestReport:
        """Save uploaded (name, content) pairs and ingest them into `collection` (see `add_uploads`;
        `AlreadyIndexed` when one is named like an indexed document, unless `replace`)."""
        return add_uploads(files, embedder, root=self.root, progress=progress, limit=self.upload_limit,
                           replace=replace, collection=collection)

    def remove(self, names: Sequence[str], embedder: Embedder) -> IngestReport:
        """Drop the documents named in `names` (see `remove_documents`)."""
        return remove_documents(names, embedder, root=self.root)

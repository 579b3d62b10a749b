"""Where an index lives and what it is made of: the file names of a generation, the manifest's format, the
errors an unusable index raises, and which generation is live.

``<root>/CURRENT`` names the live generation ``<root>/gen-<time>/``. A generation (format 3) is a manifest and
the *segments* it lists, one folder each (``seg-<time>-<pid>/``). An ingest writes its new and changed documents
as one new segment; the segments that did not change are shared with the previous generation by hard link, and a
removed or replaced document is a *tombstone* (its name in the segment's ``deleted`` list in the manifest), so the
cost of a change is the cost of the documents changed, not of the index. Small segments are merged into larger
ones behind the ingest (pipeline/store/merge.py). A segment holds:

- ``chunks.sqlite``  its documents and chunks (text, heading path, footnotes, year, PDF page, segmented words,
  folded tokens, content hash), references, indicators, indicator names, relations, effective dates
- ``dense.faiss``    one vector per chunk, FAISS row = ``chunks.row`` (exact, or HNSW above a size: dense.py)
- ``words/``, ``folded/``  the BM25 postings of its segmented words and folded syllables (postings.py): term
  frequencies, not scores, so BM25 statistics are summed over every segment's live rows at query time
- ``accents.json``   folded word → {spelling: chunks}: summed over segments, it re-accents unaccented queries
- ``accent_pairs.json``  folded pair of adjacent words → {spelling: chunks}, where a word of it has several
  spellings: what decides between them (pipeline/text/accents.py); absent in a segment written before parser 21
- ``indicator_names.npy``  one vector per indicator name of the segment, row = indicator_names.row
- ``pending.npy``    the rows whose vectors are not there yet (their FAISS rows hold zeros): found by BM25 only
  until the ingest that wrote them, or the next one, fills them in. Absent: every row has its vector

``manifest.json`` holds the format version, embedder name and dimension, counts, created time, the segments
(name, rows, documents, deleted documents, pending rows, the dense index's record) and the size and sha256 of
every file (checked at open, see pipeline/store/integrity.py).

A generation is never modified once written. A *vectors-only* generation (written as an ingest embeds what is
pending) holds a new ``dense.faiss`` and ``pending.npy`` for the segment being embedded, a manifest, and hard
links to every other file of its base generation (copies where links are impossible), whose checksums its
manifest copies from the base's.

Format 2 (written before segments: the same files in the generation folder itself, BM25 as bm25s score arrays in
``bm25_words/`` and ``bm25_folded/``, one accent map) still opens; the first ingest into it writes it again as
one segment. Format 1 (no checksums) is migrated to format 2 at open.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.settings import Settings

FORMAT_VERSION = 3  # 2: checksums of every file in the manifest (a version-1 index is migrated at open); 3: segments
SINGLE_FOLDER = 2  # the last format that kept one set of files in the generation folder (no segments)
# what only format 2 writes: a format-1 manifest holding any of it was edited (to turn the checksums off)
FORMAT_2_KEYS = ("files", "migrated_from", "segments")
LAST_FORMAT_1_PARSER = 7  # the parser version when format 2 came: no format-1 index was written by a later one


@dataclass(frozen=True)
class Layout:
    """File names inside one generation."""

    manifest: str = "manifest.json"
    db: str = "chunks.sqlite"
    dense: str = "dense.faiss"
    bm25_words: str = "bm25_words"
    bm25_folded: str = "bm25_folded"
    accents: str = "accents.json"
    accent_pairs: str = "accent_pairs.json"  # a segment's folded pairs of adjacent words → {spelling: chunks}
    names: str = "indicator_names.npy"  # one vector per distinct indicator name, row = indicator_names.row
    pending: str = "pending.npy"  # int64 rows still without a vector, ascending (absent: none)
    words: str = "words"  # a segment's BM25 postings of segmented words
    folded: str = "folded"  # … and of folded syllables and pairs
    segment: str = "seg-"  # the prefix of a segment's folder
    current: str = "CURRENT"  # in the index root


LAYOUT = Layout()


class IndexUnavailable(RuntimeError):
    """An index that is missing, broken or built for another embedder, with what to do."""


class IndexDamaged(IndexUnavailable):
    """A generation whose files do not match its manifest (truncated, corrupted, missing): ingest rebuilds it."""

    def __init__(self, where: Path, what: str) -> None:
        super().__init__(
            f"{where}: the index is damaged ({what}) — run `tracuu ingest` again (e.g. `tracuu ingest data/`) to "
            "rebuild it (chỉ mục bị hỏng: hãy chạy lại tracuu ingest)"
        )
        self.where, self.what = where, what


def index_root(path: str | os.PathLike | None = None) -> Path:
    """The index folder: the argument, else $TRACUU_INDEX, else ./index (see `pipeline.settings`)."""
    return Path(path) if path else Settings.from_env().index


def current_generation(root: Path) -> Path | None:
    """The live generation folder, or None when nothing was built yet."""
    try:
        name = (root / LAYOUT.current).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise IndexDamaged(root, f"CURRENT cannot be read: {e}") from None
    gen = root / name
    if not name.startswith("gen-") or "/" in name or not (gen / LAYOUT.manifest).is_file():
        raise IndexDamaged(root, f"CURRENT names '{name[:80]}', which is missing")
    return gen


def live_name(root: Path) -> str:
    """The name of the live generation that the ``CURRENT`` pointer names; "" when it is missing or unreadable."""
    try:
        return (root / LAYOUT.current).read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return ""


def embed_hash(text: str) -> str:
    """The content hash that lets an unchanged chunk keep its vector."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def built_with(root: Path) -> str | None:
    """The embedder the live generation of `root` was built with, read from its manifest alone (nothing loaded);
    None before the first ingest, IndexDamaged when the manifest is unreadable."""
    gen = current_generation(root)
    return read_manifest(gen)["embedder"]["name"] if gen else None


def read_manifest(gen: Path) -> dict:
    """The manifest of a generation (format 1 or 2); IndexDamaged when unreadable, IndexUnavailable when newer."""
    try:
        manifest = json.loads((gen / LAYOUT.manifest).read_text(encoding="utf-8"))
        version = manifest["format_version"]
        manifest["embedder"]["name"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise IndexDamaged(gen, f"unreadable manifest: {type(e).__name__} {e}") from None
    if not isinstance(version, int) or version < 1:
        raise IndexDamaged(gen, f"unknown format version {version!r}")
    if version > FORMAT_VERSION:
        raise IndexUnavailable(
            f"{gen}: this index was written by a newer tracuu (format {version}; this one reads up to "
            f"{FORMAT_VERSION}) — upgrade tracuu, or rebuild it with `tracuu ingest --rebuild` "
            "(chỉ mục do phiên bản tracuu mới hơn tạo: hãy cập nhật tracuu)"
        )
    if version >= 2 and not isinstance(manifest.get("files"), dict):
        raise IndexDamaged(gen, "the manifest lists no file checksums")
    if version >= 3 and not _segments_ok(manifest.get("segments")):
        raise IndexDamaged(gen, "the manifest's segment list is missing or malformed")
    if version == 1:
        _check_format_1(gen, manifest)
    return manifest


def _segments_ok(segments: object) -> bool:
    """Whether a manifest's ``segments`` entry is a list of segment records as the writer writes them."""
    if not isinstance(segments, list):
        return False
    for s in segments:
        if not (isinstance(s, dict) and isinstance(s.get("name"), str) and s["name"].startswith(LAYOUT.segment)
                and "/" not in s["name"] and isinstance(s.get("rows"), int) and isinstance(s.get("deleted"), list)
                and all(isinstance(d, str) for d in s["deleted"])):
            return False
    return True


def segmented(manifest: dict) -> bool:
    """Whether the generation of `manifest` is made of segments (format 3), not one folder of files."""
    return manifest["format_version"] > SINGLE_FOLDER


def _check_format_1(gen: Path, manifest: dict) -> None:
    """A manifest that says format 1 (no checksums, migrated at open) must look like one that format 1 wrote:
    one with format-2 keys or a later parser was edited by hand, and migrating it would bless its files."""
    parser = manifest.get("parser_version", 0)
    later = [k for k in FORMAT_2_KEYS if k in manifest]
    if not isinstance(parser, int) or isinstance(parser, bool) or not 0 <= parser <= LAST_FORMAT_1_PARSER:
        later.append(f"parser_version {parser!r}")
    if later:
        raise IndexDamaged(gen, f"the manifest says format 1 but holds {', '.join(later)}, which format 1 never "
                                "wrote: it was edited, so its files are not trusted — rebuild it with "
                                "`tracuu ingest --rebuild`")

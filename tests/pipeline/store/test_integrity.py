"""Checksums, format versions and damage: a broken index is caught at open with what to do, and ingest rebuilds it."""

import json
import shutil
import sqlite3

import pytest

from pipeline import open_answerer
from pipeline.embed import FakeEmbedder
from pipeline.store import integrity
from pipeline.store.ingest import ingest
from pipeline.store.layout import FORMAT_VERSION, IndexDamaged, IndexUnavailable, current_generation
from pipeline.store.reader import open_index
from tests.conftest import DATA
from tests.pipeline.store.old_formats import as_single_folder

DOCS = sorted(DATA.glob("qd-*.md"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("integrity") / "index"
    ingest(DOCS[:2], FakeEmbedder(), root=root)
    return root


@pytest.fixture
def index(built, tmp_path):
    """A fresh copy of a two-document index, and a clean slate of hashes verified in this process."""
    root = tmp_path / "index"
    shutil.copytree(built, root)
    integrity._verified.clear()
    return root


def manifest_of(root):
    return json.loads((current_generation(root) / "manifest.json").read_text(encoding="utf-8"))


def file_of(root, name):
    """The file `name` (relative to its segment) of the live generation's one segment."""
    [f] = current_generation(root).glob(f"seg-*/{name}")
    return f


def test_the_manifest_records_size_and_sha256_of_every_file(index):
    gen = current_generation(index)
    files = manifest_of(index)["files"]
    on_disk = {f.relative_to(gen).as_posix() for f in gen.rglob("*") if f.is_file()} - {"manifest.json"}
    [segment] = {n.split("/")[0] for n in on_disk}
    wanted = {f"{segment}/{n}" for n in ("chunks.sqlite", "dense.faiss", "accents.json")}
    assert set(files) == on_disk and wanted <= on_disk
    assert any(n.startswith(f"{segment}/words/") for n in files) and manifest_of(index)["format_version"] == 3
    db = files[f"{segment}/chunks.sqlite"]
    assert db["size"] == file_of(index, "chunks.sqlite").stat().st_size
    assert db["sha256"] == integrity.sha256_file(file_of(index, "chunks.sqlite"))


@pytest.mark.parametrize("name", ["dense.faiss", "chunks.sqlite", "accents.json"])
def test_a_truncated_file_is_caught_at_open_with_what_to_do(index, name):
    f = file_of(index, name)
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    with pytest.raises(IndexDamaged, match=rf"{name} has \d+ bytes.*run `tracuu ingest` again.*chạy lại"):
        open_index(index)


def test_a_flipped_byte_is_caught_by_the_checksum(index):
    f = file_of(index, "words/rows.npy")
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the hash can tell
    f.write_bytes(bytes(data))
    with pytest.raises(IndexDamaged, match="does not match its checksum"):
        open_index(index)


def test_hashes_are_checked_once_per_generation_per_process(index):
    open_index(index)
    f = file_of(index, "accents.json")
    f.write_bytes(f.read_bytes().replace(b"a", b"b", 1))  # same size, after a successful check
    open_index(index)  # not read again: a generation is never rewritten in place
    integrity._verified.clear()
    with pytest.raises(IndexDamaged, match="accents.json does not match"):
        open_index(index)


def test_current_naming_a_missing_generation_or_garbage_says_to_ingest(index):
    (index / "CURRENT").write_text("gen-19990101T000000000000\n")
    with pytest.raises(IndexDamaged, match="CURRENT names 'gen-1999.*which is missing.*tracuu ingest"):
        open_index(index)
    (index / "CURRENT").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(IndexDamaged, match="CURRENT"):
        open_index(index)


@pytest.mark.parametrize("content", ["", "{not json", '{"format_version": 2}', "[1, 2]"])
def test_an_unreadable_manifest_says_to_ingest(index, content):
    (current_generation(index) / "manifest.json").write_text(content)
    with pytest.raises(IndexDamaged, match="unreadable manifest.*tracuu ingest"):
        open_index(index)


def test_a_corrupt_sqlite_without_checksums_is_still_caught(index):
    gen = current_generation(index)
    manifest = manifest_of(index)
    db = file_of(index, "chunks.sqlite")
    db.write_bytes(b"\x00" * 100 + db.read_bytes()[100:])  # header gone, size kept
    rel = db.relative_to(gen).as_posix()
    manifest["files"][rel]["sha256"] = integrity.sha256_file(db)  # as if the damage predated it
    integrity.write_manifest(gen, manifest)
    with pytest.raises(IndexDamaged, match="DatabaseError.*tracuu ingest"):
        open_index(index)


def test_a_newer_format_asks_to_upgrade_tracuu(index):
    gen = current_generation(index)
    integrity.write_manifest(gen, {**manifest_of(index), "format_version": FORMAT_VERSION + 1})
    with pytest.raises(IndexUnavailable, match="newer tracuu.*upgrade tracuu") as e:
        open_index(index)
    assert not isinstance(e.value, IndexDamaged)
    with pytest.raises(IndexUnavailable, match="newer tracuu"):  # and ingest does not overwrite it
        ingest(DOCS[2:3], FakeEmbedder(), root=index)


def as_version_1(root):
    gen = as_single_folder(root)
    old = {k: v for k, v in manifest_of(root).items() if k != "files"}
    integrity.write_manifest(gen, {**old, "format_version": 1, "parser_version": 7})  # as format 1 wrote it
    return gen


def test_a_version_1_index_is_migrated_at_open(index):
    gen = as_version_1(index)
    data = open_index(index)
    assert len(data.docs) == 2 and data.manifest["format_version"] == 2 and not data.segmented
    written = manifest_of(index)
    assert written["migrated_from"] == 1 and written["files"] == integrity.file_digests(gen)
    integrity._verified.clear()
    f = gen / "dense.faiss"
    f.write_bytes(f.read_bytes()[:-8])
    with pytest.raises(IndexDamaged, match="dense.faiss has"):  # the migrated checksums now guard it
        open_index(index)


def test_a_damaged_version_1_index_is_not_migrated(index):
    gen = as_version_1(index)
    f = gen / "dense.faiss"
    f.write_bytes(f.read_bytes()[:-8])
    with pytest.raises(IndexDamaged, match="tracuu ingest"):
        open_index(index)
    assert manifest_of(index)["format_version"] == 1


def test_ingest_rebuilds_a_damaged_index_from_its_document_list(index):
    f = file_of(index, "dense.faiss")
    f.write_bytes(f.read_bytes()[:100])
    report = ingest([], FakeEmbedder(), root=index)  # nothing named: the damaged database still lists both
    assert report.written and sorted(report.updated) == sorted(d.name for d in DOCS[:2])
    assert "damaged" in report.notes[0] and report.chunks_reused == 0
    data = open_index(index)
    assert sorted(data.docs) == sorted(d.name for d in DOCS[:2]) and len(data.vectors()) == len(data.chunks)


def test_ingest_after_current_lost_its_generation_keeps_what_it_is_given(index):
    for gen in index.glob("gen-*"):  # the live one and the keyword generation its vectors were filled in over
        shutil.rmtree(gen)
    report = ingest(DOCS[2:3], FakeEmbedder(), root=index)
    assert report.added == [DOCS[2].name] and "missing" in report.notes[0]
    assert list(open_index(index).docs) == [DOCS[2].name]
    (index / "CURRENT").write_bytes(b"\xff\xfe garbage")
    report = ingest(DOCS[3:4], FakeEmbedder(), root=index)
    assert report.added == [DOCS[3].name] and "CURRENT cannot be read" in report.notes[0]
    assert report.updated == [DOCS[2].name]  # listed by the newest generation still on disk


def test_rebuild_reads_every_document_again_and_reuses_verified_vectors(index, tmp_path):
    moved = tmp_path / "moved.md"
    shutil.copy(DOCS[0], moved)
    ingest([moved], FakeEmbedder(), root=index)
    moved.unlink()  # one indexed document's file is gone
    report = ingest([], FakeEmbedder(), root=index, rebuild=True)
    assert sorted(report.updated) == sorted(d.name for d in DOCS[:2]) and report.chunks_embedded == 0
    assert any("moved.md" in e and "kept as indexed before" in e for e in report.errors)
    assert len(open_index(index).docs) == 3


def test_garbage_collection_keeps_the_previous_generation_for_readers(index):
    first = current_generation(index)
    ingest(DOCS[2:3], FakeEmbedder(), root=index)  # a keyword generation, then its vectors-only one
    second = current_generation(index)
    assert first.is_dir() and second != first  # a reader that resolved CURRENT before the ingest still loads
    ingest(DOCS[3:4], FakeEmbedder(), root=index)
    assert not first.exists() and second.is_dir()
    gens = sorted(p.name for p in index.iterdir() if p.name.startswith("gen-"))
    keyword = json.loads((current_generation(index) / "manifest.json").read_text())["vectors_over"]
    assert gens == sorted([second.name, keyword, current_generation(index).name])


def test_a_reader_on_the_old_generation_keeps_answering_across_a_swap(index):
    from pipeline.store.reader import IndexData

    resolved = current_generation(index)  # resolved, not yet loaded, when the ingest switches
    reader = open_answerer(index, model=FakeEmbedder())
    before = reader.ask("phân cấp thẩm quyền", 3)
    ingest(DOCS[2:4], FakeEmbedder(), root=index)
    assert current_generation(index) != resolved
    late = IndexData(resolved)
    assert sorted(late.docs) == sorted(d.name for d in DOCS[:2]) and late.chunks_with_tokens()
    after = reader.ask("phân cấp thẩm quyền", 3)
    assert [p.chunk_id for p in after.passages] == [p.chunk_id for p in before.passages] and after.passages
    assert len(open_index(index).docs) == 4


def test_leftovers_of_a_killed_write_are_cleaned_by_the_next_one(index):
    dead = 2**22 + 12345  # above the default pid_max: no such process
    (index / f".tmp-20990101T000000000000-{dead}").mkdir()
    (index / f".CURRENT-{dead}").write_text("gen-x\n")
    ingest(DOCS[2:3], FakeEmbedder(), root=index)
    assert not [p for p in index.iterdir() if p.name.startswith((".tmp-", ".CURRENT-"))]


def test_a_database_changed_after_the_write_is_caught(index):
    with sqlite3.connect(file_of(index, "chunks.sqlite")) as db:
        db.execute("DROP TABLE chunks")
    with pytest.raises(IndexDamaged, match="chunks.sqlite (has|does not match)"):
        open_index(index)


def _counting_hashes(monkeypatch) -> list:
    """Every file integrity hashes from now on."""
    read: list = []
    real = integrity.sha256_file
    monkeypatch.setattr(integrity, "sha256_file", lambda p: read.append(p.name) or real(p))
    return read


def test_a_file_whose_hash_matched_is_not_read_again_by_the_next_process_unless_it_changed(index, monkeypatch):
    monkeypatch.setattr(integrity, "_RACY_SECONDS", -1.0)  # every stamp old enough to remember
    read = _counting_hashes(monkeypatch)
    open_index(index)
    n_files = len(manifest_of(index)["files"])
    assert len(read) == n_files and (index / integrity.VERIFIED).is_file()
    integrity._verified.clear()  # as a new process: only the stamps on disk remain
    read.clear()
    open_index(index)
    assert read == []  # a stat per file, no read
    # a file replaced by one of the same size (another inode) is hashed again, and its damage is caught
    f = file_of(index, "accents.json")
    damaged = f.with_name("accents.tmp")
    damaged.write_bytes(f.read_bytes().replace(b"a", b"b", 1))
    damaged.replace(f)
    integrity._verified.clear()
    with pytest.raises(IndexDamaged, match="accents.json does not match"):
        open_index(index)
    assert read == ["accents.json"]


def test_a_stamp_taken_right_after_a_files_change_is_not_remembered(index, monkeypatch):
    monkeypatch.setattr(integrity, "_RACY_SECONDS", 1e9)  # every file changed "just now"
    read = _counting_hashes(monkeypatch)
    open_index(index)
    integrity._verified.clear()
    open_index(index)
    assert len(read) == 2 * len(manifest_of(index)["files"])  # hashed by both: a same-tick write could hide

import json
import os
import signal
import sys

import pytest

from pipeline.embed import FakeEmbedder
from pipeline.store.ingest import Stage, ingest
from pipeline.store.layout import IndexUnavailable, current_generation
from pipeline.store.reader import open_index
from tests.conftest import DATA, ROOT, SEED
from tests.pipeline.store.old_formats import as_single_folder
from tests.procs import PROGRESS, Watched


def test_index_is_a_folder_of_plain_files_with_a_manifest(seed_index_fake):
    gen = current_generation(seed_index_fake)
    manifest = json.loads((gen / "manifest.json").read_text())
    [segment] = manifest["segments"]
    assert {p.name for p in gen.iterdir()} == {"manifest.json", segment["name"]}
    names = {p.name for p in (gen / segment["name"]).iterdir()}
    assert {"chunks.sqlite", "dense.faiss", "words", "folded", "accents.json", "indicator_names.npy"} <= names
    assert manifest["embedder"] == {"name": "fake", "dim": 64}
    assert manifest["counts"]["documents"] == 2 and manifest["format_version"] == 3
    assert not list(gen.rglob("*.pkl")) and not list(gen.rglob("*.pickle"))


def test_faiss_row_bm25_doc_and_sqlite_row_share_one_chunk_order(seed_index_fake):
    data = open_index(seed_index_fake)
    assert len(data.vectors()) == len(data.chunks) == len(data.embed_hashes)
    emb = FakeEmbedder()
    vecs = data.vectors()
    probe = data.chunks[7]
    title = data.docs[probe.doc].meta.title
    assert abs(float(vecs[7] @ emb.embed_batch([probe.embed_text(title)], emb_role())[0]) - 1.0) < 1e-5
    from pipeline.search.query import Query
    from pipeline.search.retrievers import BM25Retriever

    for folded in (False, True):  # both BM25 indexes name the same row for the chunk's own words
        assert BM25Retriever(data, folded=folded).search(Query.of(probe.text), 1)[0].chunk_id == probe.chunk_id


def test_progress_names_each_stage_with_the_stage_enum(tmp_path):
    seen: list[tuple[Stage, int, int]] = []
    ingest([SEED], FakeEmbedder(), root=tmp_path / "ix", progress=lambda *a: seen.append(a))
    assert {s for s, _, _ in seen} == {Stage.DOCUMENTS, Stage.CHUNKS, Stage.NAMES}
    assert seen[0] == (Stage.DOCUMENTS, 0, 1) and (Stage.DOCUMENTS, 1, 1) in seen
    chunks = [(d, t) for s, d, t in seen if s is Stage.CHUNKS]
    assert chunks[-1][0] == chunks[-1][1] == len(open_index(tmp_path / "ix").chunks)
    names = [(d, t) for s, d, t in seen if s is Stage.NAMES]
    assert names[-1][0] == names[-1][1] == len(open_index(tmp_path / "ix").indicator_names[0])


def emb_role():
    from pipeline.embed import Role

    return Role.PASSAGE


class CountingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def embed_batch(self, texts, role):
        self.calls += len(texts)
        return super().embed_batch(texts, role)


def test_unchanged_documents_are_skipped_and_changed_ones_replaced(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_bytes(SEED.read_bytes())
    (docs / "qd.md").write_bytes((DATA / "qd-97-2025-ubnd.md").read_bytes())
    root = tmp_path / "index"
    emb = CountingEmbedder()
    first = ingest([docs], emb, root=root)
    assert sorted(first.added) == ["qd.md", "seed.txt"] and first.chunks_embedded > 0
    assert emb.calls == first.chunks_embedded + first.names_embedded  # and one vector per indicator name
    gen1 = current_generation(root)

    emb.calls = 0
    again = ingest([docs], emb, root=root)
    assert sorted(again.unchanged) == ["qd.md", "seed.txt"] and not again.written and emb.calls == 0
    assert current_generation(root) == gen1

    text = (docs / "qd.md").read_text(encoding="utf-8")
    (docs / "qd.md").write_text(text.replace("Nghệ An ban hành", "Nghệ An (sửa đổi) ban hành"), encoding="utf-8")
    changed = ingest([docs], emb, root=root)
    assert changed.updated == ["qd.md"] and changed.unchanged == ["seed.txt"]
    assert 0 < emb.calls < first.chunks_embedded / 4  # only the edited chunk is embedded again
    data = open_index(root)
    assert any("(sửa đổi)" in c.text for c in data.chunks)
    assert len({c.chunk_id for c in data.chunks}) == len(data.chunks)


def test_remove_deletes_one_document(tmp_path):
    root = tmp_path / "index"
    ingest([SEED, DATA / "qd-97-2025-ubnd.md"], FakeEmbedder(), root=root)
    report = ingest([], FakeEmbedder(), root=root, remove=["qd-97-2025-ubnd.md", "nope.txt"])
    assert report.removed == ["qd-97-2025-ubnd.md"] and "nope.txt" in report.errors[0]
    data = open_index(root)
    assert list(data.docs) == [SEED.name] and data.chunks and all(c.doc == SEED.name for c in data.chunks)


def test_a_broken_file_is_reported_and_the_rest_ingested(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "good.txt").write_bytes(SEED.read_bytes())
    report = ingest([tmp_path, tmp_path / "missing.md"], FakeEmbedder(), root=tmp_path / "ix")
    assert report.added == ["good.txt"]
    assert len(report.errors) == 3 and any("missing.md" in e for e in report.errors)


def test_an_index_built_with_one_embedder_refuses_another(seed_index_fake):
    class Other(FakeEmbedder):
        name = "other"

    from pipeline.search.hybrid import HybridSearcher

    with pytest.raises(IndexUnavailable, match="built with embedder 'fake'"):
        HybridSearcher.over(open_index(seed_index_fake), Other())
    with pytest.raises(IndexUnavailable, match="built with embedder 'fake'"):
        ingest([SEED], Other(), root=seed_index_fake)


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexUnavailable, match="tracuu ingest"):
        open_index(tmp_path / "nothing")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killing_an_ingest_leaves_the_previous_index_intact(tmp_path, sig):
    root = tmp_path / "index"
    ingest([SEED], FakeEmbedder(), root=root)
    before = open_index(root)
    docs = tmp_path / "more"
    docs.mkdir()
    for i in range(30):  # seconds of work after its first progress line: the signal lands mid-ingest
        (docs / f"copy{i}.txt").write_bytes(SEED.read_bytes() + f"\n\nBản {i}.".encode())
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = Watched([sys.executable, "-m", "pipeline", "ingest", str(docs), "--index", str(root),
                     "--model", "fake"], env=env)
    # a signal sent while Python is still starting is not a Ctrl-C during an ingest: wait until it reports work
    assert child.wait_for(PROGRESS), f"the ingest ended before reporting progress:\n{child.stderr}"
    child.proc.send_signal(sig)
    code = child.finish()
    after = open_index(root)
    if sig == signal.SIGINT:
        assert code == 130, child.stderr
        assert "the previous index is unchanged" in child.stderr
    else:
        assert code == -signal.SIGKILL
    assert list(after.docs) == list(before.docs) and len(after.chunks) == len(before.chunks)
    assert after.gen == before.gen


def test_a_second_ingest_at_the_same_time_refuses_clearly(tmp_path):
    from pipeline.store.ingest import ingest_lock

    root = tmp_path / "index"
    with ingest_lock(root), pytest.raises(IndexUnavailable, match="another ingest"):
        ingest([SEED], FakeEmbedder(), root=root)
    ingest([SEED], FakeEmbedder(), root=root)  # free again afterwards
    assert len(open_index(root).docs) == 1


def test_a_new_parser_version_reparses_every_document_and_keeps_unchanged_vectors(tmp_path, monkeypatch):
    import pipeline.store.ingest as ing

    root = tmp_path / "index"
    emb = CountingEmbedder()
    first = ingest([SEED], emb, root=root)
    monkeypatch.setattr(ing, "PARSER_VERSION", ing.PARSER_VERSION + 1)
    emb.calls = 0
    again = ingest([], emb, root=root)  # the seed is not named: it is read again from where it was
    assert again.updated == [SEED.name] and again.written
    assert emb.calls == 0 and again.chunks_reused == first.chunks_embedded
    assert json.loads((current_generation(root) / "manifest.json").read_text())["parser_version"] == ing.PARSER_VERSION


def test_an_index_written_before_pages_were_kept_still_opens(tmp_path):
    import sqlite3

    ingest([SEED], FakeEmbedder(), root=tmp_path)
    gen = as_single_folder(tmp_path)
    with sqlite3.connect(gen / "chunks.sqlite") as db:
        db.execute("ALTER TABLE chunks DROP COLUMN page")
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = 1  # as written then: no page column, no checksums (migrated at open)
    del manifest["files"]
    manifest["parser_version"] = 7  # the last parser of format 1
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    data = open_index(tmp_path)
    assert data.chunks and all(c.page is None for c in data.chunks)


def test_a_folder_scan_skips_word_lock_files_and_saved_page_folders(tmp_path):
    from pipeline.store.ingest import IngestReport, find_files

    (tmp_path / "bao-cao_files").mkdir()
    (tmp_path / "bao-cao_files" / "menu.html").write_text("<p>menu</p>", encoding="utf-8")
    (tmp_path / "~$bao-cao.docx").write_bytes(b"\x00lock")
    (tmp_path / "bao-cao.html").write_text("<p>Báo cáo</p>", encoding="utf-8")
    (tmp_path / "ghi-chu.xyz").write_text("x", encoding="utf-8")
    assert [n for n, _ in find_files([tmp_path], IngestReport())] == ["bao-cao.html"]


def test_an_index_written_before_heading_paths_were_stored_opens_and_the_next_ingest_restores_them(tmp_path):
    """Parser 11 wrote the breadcrumb only and appended footnote bodies to the text as "[n] …" lines."""
    import sqlite3

    from pipeline.store import integrity

    first = ingest([SEED], CountingEmbedder(), root=tmp_path)
    gen = as_single_folder(tmp_path)
    with sqlite3.connect(gen / "chunks.sqlite") as db:
        for row, text, notes in db.execute("SELECT row, text, footnotes FROM chunks").fetchall():
            full = "\n".join([text, *(f"[{n}] {body}" for n, body in json.loads(notes))])
            db.execute("UPDATE chunks SET text = ? WHERE row = ?", (full, row))
        db.execute("ALTER TABLE chunks DROP COLUMN headings")
        db.execute("ALTER TABLE chunks DROP COLUMN footnotes")
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(parser_version=11, files=integrity.file_digests(gen))
    integrity.write_manifest(gen, manifest)

    old = open_index(tmp_path)
    assert old.chunks and all(old.chunk(c.chunk_id).headings == () and c.footnotes == () for c in old.chunks)
    assert any("\n[6] " in c.text for c in old.chunks)  # served as it was written
    emb = CountingEmbedder()
    again = ingest([], emb, root=tmp_path)
    assert again.updated == [SEED.name] and emb.calls == 0 and again.chunks_reused == first.chunks_embedded
    new = open_index(tmp_path)
    assert all("\n[6] " not in c.text for c in new.chunks)
    holder = new.chunk(next(c.chunk_id for c in new.chunks if any(n == 6 for n, _ in c.footnotes)))
    assert holder.headings[-1].label == "1.2." and holder.section.endswith(holder.headings[-1].text)
    again_read = new.chunks_with_tokens()  # what a re-ingest carries over keeps its heading paths too
    assert next(c for c in again_read if c.chunk_id == holder.chunk_id).headings == holder.headings

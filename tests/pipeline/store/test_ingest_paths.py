"""Paths: a link out of the folders given is not followed unless asked; a document is its file, not its base
name (two different bao-cao.txt are two documents, in one ingest or two); an upload named like an indexed
document asks first, and an upload that does not go in leaves nothing behind."""

from __future__ import annotations

import pytest

from pipeline.cli import main
from pipeline.embed import FakeEmbedder
from pipeline.store import library
from pipeline.store.ingest import ingest
from pipeline.store.library import AlreadyIndexed, add_uploads, uploads_dir
from pipeline.store.reader import open_index
from tests.conftest import DATA

QD97 = (DATA / "qd-97-2025-ubnd.md").read_bytes()
ND25 = (DATA / "nd-25-2025-cp.md").read_bytes()


@pytest.fixture
def outside(tmp_path):
    secret = tmp_path / "elsewhere" / "mat-khau.txt"
    secret.parent.mkdir()
    secret.write_bytes(ND25)
    return secret


def test_a_link_to_a_file_outside_the_folder_is_skipped_with_a_note(tmp_path, outside):
    src = tmp_path / "data"
    src.mkdir()
    (src / "qd-97.md").write_bytes(QD97)
    (src / "lien-ket.txt").symlink_to(outside)
    (src / "ban-sao.md").symlink_to(src / "qd-97.md")  # a link inside the folder is an ordinary file
    report = ingest([src], FakeEmbedder(), root=tmp_path / "ix")
    assert set(open_index(tmp_path / "ix").docs) == {"qd-97.md", "ban-sao.md"}
    assert any("lien-ket.txt" in n and "--follow-links" in n for n in report.notes), report.notes
    assert not report.errors


def test_follow_links_reads_them_and_the_cli_has_the_flag(tmp_path, outside):
    src = tmp_path / "data"
    src.mkdir()
    (src / "qd-97.md").write_bytes(QD97)
    (src / "lien-ket.txt").symlink_to(outside)
    assert main(["ingest", str(src), "--index", str(tmp_path / "ix"), "--model", "fake", "-q",
                 "--follow-links"]) == 0
    assert set(open_index(tmp_path / "ix").docs) == {"qd-97.md", "lien-ket.txt"}


def test_two_files_of_one_name_in_two_ingests_are_two_documents(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "bao-cao.txt").write_bytes(QD97)
    (b / "bao-cao.txt").write_bytes(ND25)
    root = tmp_path / "ix"
    ingest([a], FakeEmbedder(), root=root)
    report = ingest([b], FakeEmbedder(), root=root)
    assert report.added == ["b/bao-cao.txt"] and any("b/bao-cao.txt: named by its folder" in n for n in report.notes)
    docs = open_index(root).docs
    assert set(docs) == {"bao-cao.txt", "b/bao-cao.txt"} and docs["b/bao-cao.txt"].path == str(b / "bao-cao.txt")
    again = ingest([b], FakeEmbedder(), root=root)  # the same file again is the same document
    assert again.unchanged == ["b/bao-cao.txt"] and not again.added


def test_two_files_of_one_name_in_one_ingest_are_two_documents(tmp_path):
    for folder, data in (("a", QD97), ("b", ND25)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "bao-cao.txt").write_bytes(data)
    ingest([tmp_path / "a", tmp_path / "b"], FakeEmbedder(), root=tmp_path / "ix")
    assert set(open_index(tmp_path / "ix").docs) == {"bao-cao.txt", "b/bao-cao.txt"}


def test_a_moved_file_keeps_its_name_and_replaces_its_old_place(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    (tmp_path / "a" / "bao-cao.txt").write_bytes(QD97)
    root = tmp_path / "ix"
    ingest([tmp_path / "a"], FakeEmbedder(), root=root)
    (tmp_path / "a" / "bao-cao.txt").rename(tmp_path / "b" / "bao-cao.txt")
    ingest([tmp_path / "b"], FakeEmbedder(), root=root)
    assert set(open_index(root).docs) == {"bao-cao.txt"}


def test_an_upload_named_like_an_indexed_document_asks_before_replacing(tmp_path):
    root = tmp_path / "ix"
    add_uploads([("qd-97.md", QD97)], FakeEmbedder(), root=root)
    with pytest.raises(AlreadyIndexed, match="qd-97.md: already indexed — replace"):
        add_uploads([("qd 97.md", ND25), ("moi.md", ND25)], FakeEmbedder(), root=root)
    assert (uploads_dir(root) / "qd-97.md").read_bytes() == QD97 and not (uploads_dir(root) / "moi.md").exists()
    report = add_uploads([("qd-97.md", ND25)], FakeEmbedder(), root=root, replace=True)
    assert report.added == ["qd-97.md"] and not report.errors
    assert open_index(root).docs["qd-97.md"].meta.number != "97/2025/QĐ-UBND"


def test_an_upload_whose_ingest_fails_leaves_no_file_behind(tmp_path, monkeypatch):
    root = tmp_path / "ix"
    add_uploads([("qd-97.md", QD97)], FakeEmbedder(), root=root)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(library, "ingest", disk_full)
    with pytest.raises(OSError):
        add_uploads([("moi.md", ND25), ("qd-97.md", ND25)], FakeEmbedder(), root=root, replace=True)
    assert sorted(p.name for p in uploads_dir(root).iterdir()) == ["qd-97.md"]
    assert (uploads_dir(root) / "qd-97.md").read_bytes() == QD97  # the replaced upload put back


def test_an_upload_that_the_ingest_cannot_read_is_not_kept(tmp_path, monkeypatch):
    from pipeline.readers import READERS

    real = READERS[".md"]

    def only_the_check_reads(data: bytes, path: str, name: str):
        if ".part-" in path:  # the check before saving reads the temporary copy: it passes
            return real(data, path=path, name=name)
        raise RuntimeError("boom")  # the ingest's read of the saved file fails

    monkeypatch.setitem(READERS, ".md", only_the_check_reads)
    report = add_uploads([("moi.md", ND25)], FakeEmbedder(), root=tmp_path / "ix")
    assert len(report.errors) == 1 and "moi.md" in report.errors[0] and "RuntimeError: boom" in report.errors[0]
    assert not (uploads_dir(tmp_path / "ix") / "moi.md").exists()

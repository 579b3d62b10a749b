"""pipeline/library.py: uploads saved under safe names and ingested, broken files reported, documents removed."""

from pathlib import Path

import pytest

from pipeline.embed import FakeEmbedder
from pipeline.store.ingest import Stage
from pipeline.store.library import (
    add_uploads,
    document_rows,
    max_upload_bytes,
    remove_documents,
    safe_name,
    save_upload,
    uploads_dir,
)
from pipeline.store.reader import open_index

DATA = Path(__file__).resolve().parents[2] / "data"
QD97 = (DATA / "qd-97-2025-ubnd.md").read_bytes()
ND25 = (DATA / "nd-25-2025-cp.md").read_bytes()


@pytest.mark.parametrize(("raw", "safe"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\Windows\\báo cáo 2022.txt", "báo-cáo-2022.txt"),
    ("/abs/path/qd 97 (bản sạch).md", "qd-97-(bản-sạch).md"),
    ("ten\x00co\nky tu dieu khien.txt", "tencoky-tu-dieu-khien.txt"),
    (".hidden.md", "hidden.md"),
    ("a<b>c|d.txt", "a-b-c-d.txt"),
])
def test_upload_names_are_reduced_to_a_safe_file_name(raw: str, safe: str):
    assert safe_name(raw) == safe


@pytest.mark.parametrize("raw", ["", "..", "../", "/", "-.-", "***"])
def test_unusable_upload_names_are_refused(raw: str):
    with pytest.raises(ValueError, match="not a usable file name"):
        safe_name(raw)


def test_a_traversal_name_is_written_inside_the_uploads_folder(tmp_path: Path):
    folder = tmp_path / "index" / "uploads"
    path = save_upload("../../../outside.md", QD97, folder)
    assert path == folder / "outside.md" and path.read_bytes() == QD97
    assert not (tmp_path / "outside.md").exists()


def test_size_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("TRACUU_MAX_UPLOAD_MB", "0.001")
    assert max_upload_bytes() == 1048
    with pytest.raises(ValueError, match="over the 0 MB limit|TRACUU_MAX_UPLOAD_MB"):
        save_upload("qd.md", QD97, tmp_path)
    monkeypatch.delenv("TRACUU_MAX_UPLOAD_MB")
    assert max_upload_bytes() == 50 * 1024 * 1024


def test_a_broken_upload_never_replaces_a_good_file_of_the_same_name(tmp_path: Path):
    save_upload("qd.md", QD97, tmp_path)
    with pytest.raises(ValueError, match="qd.md: binary data"):
        save_upload("qd.md", b"\x00\x01\x02PK\x03\x04" * 50, tmp_path)
    assert (tmp_path / "qd.md").read_bytes() == QD97
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qd.md"]  # no partial file left behind


def test_good_uploads_are_indexed_and_each_bad_one_reported(tmp_path: Path):
    root = tmp_path / "index"
    seen = []
    report = add_uploads([("qd 97.md", QD97), ("rong.txt", b""), ("bang.docx", b"PK\x03\x04"),
                          ("../nd-25.md", ND25)], FakeEmbedder(), root=root,
                         progress=lambda stage, done, total: seen.append(stage))
    assert sorted(report.added) == ["nd-25.md", "qd-97.md"]
    assert len(report.errors) == 2
    assert report.errors[0].startswith("rong.txt: the file is empty")
    assert report.errors[1].startswith("bang.docx: not a valid .docx file")
    assert {Stage.DOCUMENTS, Stage.CHUNKS} <= set(seen)
    data = open_index(root)
    assert set(data.docs) == {"nd-25.md", "qd-97.md"}
    assert Path(data.docs["qd-97.md"].path).parent == uploads_dir(root)
    rows = {r["name"]: r for r in document_rows(data)}
    assert rows["qd-97.md"]["number"] == "97/2025/QĐ-UBND"
    assert rows["qd-97.md"]["chunks"] == data.docs["qd-97.md"].n_chunks > 0


def test_removing_an_uploaded_document_deletes_its_copy_but_never_other_files(tmp_path: Path):
    root = tmp_path / "index"
    outside = tmp_path / "data" / "nd-25.md"
    outside.parent.mkdir()
    outside.write_bytes(ND25)
    from pipeline.store.ingest import ingest

    ingest([outside], FakeEmbedder(), root=root)
    add_uploads([("qd-97.md", QD97)], FakeEmbedder(), root=root)
    report = remove_documents(["qd-97.md", "nd-25.md", "khong-co.md"], FakeEmbedder(), root=root)
    assert sorted(report.removed) == ["nd-25.md", "qd-97.md"]
    assert report.errors == ["khong-co.md: not in the index (không có trong chỉ mục) — see `tracuu stats`"]
    assert not (uploads_dir(root) / "qd-97.md").exists()
    assert outside.read_bytes() == ND25
    assert open_index(root).docs == {}

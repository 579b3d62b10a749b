"""The app's upload of hostile or careless files: a name already indexed asks before replacing; a failure of
the whole ingest is one line, never a traceback, and leaves no file behind in uploads/."""

from pathlib import Path

from pipeline.store.reader import open_index
from tests.conftest import DATA
from tests.test_app import library, own_index, shown_text, start  # noqa: F401 - fixtures used by name

ND25 = (DATA / "nd-25-2025-cp.md").read_bytes()


def test_an_upload_named_like_an_indexed_document_asks_before_replacing(own_index: Path):  # noqa: F811
    at = start()
    at.file_uploader[0].upload("qd-97-2025-ubnd.md", ND25, "text/markdown")
    at.run()
    at.button(key="add").click().run()
    assert not at.exception, at.exception
    assert "qd-97-2025-ubnd.md: already indexed — replace?" in shown_text(at.warning[0].value)
    assert open_index(own_index).docs["qd-97-2025-ubnd.md"].meta.number == "97/2025/QĐ-UBND"  # not yet
    at.button(key="replace").click().run()
    assert not at.exception, at.exception
    assert open_index(own_index).docs["qd-97-2025-ubnd.md"].meta.number != "97/2025/QĐ-UBND"
    assert (own_index / "uploads" / "qd-97-2025-ubnd.md").read_bytes() == ND25


def test_an_ingest_that_fails_shows_one_line_and_leaves_no_upload(own_index: Path, monkeypatch):  # noqa: F811
    from pipeline.store import library as lib

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(own_index / "gen-x" / "chunks.sqlite"))

    monkeypatch.setattr(lib, "ingest", disk_full)
    at = start()
    at.file_uploader[0].upload("moi.md", ND25, "text/markdown")
    at.run()
    at.button(key="add").click().run()
    assert not at.exception, at.exception
    assert [shown_text(e.value) for e in at.error] == ["Không đọc được: No space left on device"]
    assert not (own_index / "uploads" / "moi.md").exists()

"""Old Word .doc files, through LibreOffice when it is installed; a clear message when it is not."""

import pytest

from pipeline.readers import ReadError, office, read_document
from tests.conftest import DATA, SEED
from tests.pipeline.readers.helpers import body_chunks


@pytest.mark.skipif(office.soffice() is None, reason="needs LibreOffice (libreoffice-writer-nogui)")
def test_doc_is_read_through_libreoffice_like_the_text_form():
    assert body_chunks(DATA / "seed.doc") == body_chunks(SEED)
    doc = read_document(DATA / "seed.doc")
    assert doc.footnotes == read_document(SEED).footnotes
    assert doc.meta == read_document(SEED).meta


def test_without_libreoffice_a_doc_gets_what_to_install(monkeypatch):
    monkeypatch.setattr(office.shutil, "which", lambda name: None)
    with pytest.raises(ReadError, match=r"seed.doc: .doc files are read through LibreOffice, which is not installed"
                                        r" — install it \(apt-get install libreoffice-writer-nogui\) or .* \.docx"):
        read_document(DATA / "seed.doc")


@pytest.mark.skipif(office.soffice() is None, reason="needs LibreOffice (libreoffice-writer-nogui)")
def test_a_broken_doc_is_reported(tmp_path):
    path = tmp_path / "hong.doc"
    path.write_bytes((DATA / "seed.doc").read_bytes()[:3000])  # cut short, as a failed download leaves it
    with pytest.raises(ReadError, match="hong.doc: LibreOffice could not convert it"):
        read_document(path)


@pytest.mark.parametrize(("suffix", "data"), [(".doc", b"random bytes, not a Word file"), (".rtf", b"PK\x03\x04"),
                                              (".odt", b"{\\rtf1 not a zip")])
def test_a_file_that_is_not_what_its_name_says_is_refused_before_libreoffice_starts(tmp_path, monkeypatch,
                                                                                      suffix, data):
    calls = []
    monkeypatch.setattr(office.subprocess, "run", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(office, "soffice", lambda: "/usr/bin/soffice")
    path = tmp_path / f"doi-ten{suffix}"
    path.write_bytes(data)
    with pytest.raises(ReadError, match=f"doi-ten{suffix}: not an? .*file"):
        read_document(path)
    assert calls == []

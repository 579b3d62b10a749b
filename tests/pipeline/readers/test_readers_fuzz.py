"""Broken input, generated: every file ends in a Document or a ReadError, within 5 s and bounded memory, and a
batch with broken files ingests the rest. The zip guard refuses bombs before decompressing anything."""

import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz_readers import lying_zip, make_docx, make_pdf, mutate, zip_bomb
from pipeline.readers import ReadError, read_document, safety
from pipeline.types import Document
from tests.conftest import DATA, SEED

TEXT = (DATA / "qd-97-2025-ubnd.md").read_bytes()
DOCX = make_docx(TEXT.decode("utf-8"))
PDF = make_pdf(TEXT.decode("utf-8"))
SUFFIXES = [".txt", ".md", ".docx", ".pdf", ".html", ".odt", ".doc", ".xyz", ""]
HANG = 120  # seconds: only a runaway loop takes this long
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def outcome(tmp_path: Path, suffix: str, data: bytes) -> Document | ReadError:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    try:
        doc = read_document(path)
    except ReadError as e:
        assert str(path) in str(e)  # every error names the file
        return e
    assert doc.paragraphs and all(p.text.strip() for p in doc.paragraphs)
    return doc


@FUZZ
@given(data=st.binary(max_size=20_000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_under_any_suffix(tmp_path, data, suffix):
    outcome(tmp_path, suffix, data)


@FUZZ
@given(seed=st.integers(0, 2**32), rounds=st.integers(1, 4), suffix=st.sampled_from([".txt", ".md"]),
       source=st.sampled_from([TEXT, SEED.read_bytes()]))
def test_damaged_real_text(tmp_path, seed, rounds, suffix, source):
    import random

    rng, data = random.Random(seed), source
    for _ in range(rounds):
        data = mutate(rng, data) or b"x"
    outcome(tmp_path, suffix, data)


@FUZZ
@given(cut=st.integers(0, len(TEXT.decode("utf-8").encode("utf-16")) - 1),
       codec=st.sampled_from(["utf-16", "utf-16-le", "utf-16-be"]), junk=st.binary(max_size=3))
def test_broken_utf16(tmp_path, cut, codec, junk):
    outcome(tmp_path, ".txt", TEXT.decode("utf-8").encode(codec)[:cut] + junk)


@FUZZ
@given(cut=st.integers(0, len(DOCX)), flips=st.lists(st.tuples(st.integers(0, len(DOCX) - 1), st.integers(0, 255)),
                                                     max_size=8), suffix=st.sampled_from([".docx", ".odt"]))
def test_broken_docx_zips_through_the_reader_and_the_guard(tmp_path, cut, flips, suffix):
    data = bytearray(DOCX)
    for at, byte in flips:
        data[at] = byte
    data = bytes(data[:cut])
    outcome(tmp_path, suffix, data)
    try:  # what a docx reader does with the shared guard
        zf = safety.open_zip(data)
        for name in zf.namelist():
            safety.read_member(zf, name)
    except ValueError as e:
        assert "—" in str(e)  # a message that says what to do


@FUZZ
@given(cut=st.integers(0, PDF.rindex(b"%%EOF") + 4))  # every cut that loses (part of) the end-of-file marker
def test_truncated_pdfs_are_refused(tmp_path, cut):
    result = outcome(tmp_path, ".pdf", PDF[:cut])
    assert isinstance(result, ReadError)


def bounded(fn, megabytes: float = 200.0):
    """Run `fn`, return its ReadError/ValueError; fail if it allocated more than `megabytes` at its peak (what a
    bomb or an unbounded read would do). How long each case takes is measured by bench/fuzz_readers.py, not
    here: a wall-clock bound fails on a busy machine. HANG only stops a runaway loop."""
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        fn()
    except (ReadError, ValueError) as e:
        err = e
    else:
        err = None
    finally:
        dt = time.monotonic() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert peak < megabytes, f"peak {peak:.0f} MB"
    assert dt < HANG, f"{dt:.0f} s: a hang"
    return err


def test_a_50_mb_single_line_is_refused_by_the_size_limit_without_reading_it(tmp_path):
    p = tmp_path / "line.txt"
    p.write_bytes(b"x" * (50 * 2**20))
    err = bounded(lambda: read_document(p), megabytes=5)
    assert isinstance(err, ReadError) and "over the 20 MB limit" in str(err) and "TRACUU_MAX_FILE_MB" in str(err)


def test_a_huge_line_under_the_size_limit_is_refused_by_the_line_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACUU_MAX_FILE_MB", "100")
    p = tmp_path / "line.md"
    p.write_bytes("Ủy ban nhân dân ".encode() * (50 * 2**20 // 19))
    err = bounded(lambda: read_document(p), megabytes=400)  # the file itself and its decoded text
    assert isinstance(err, ReadError) and "a line of" in str(err) and "line breaks" in str(err)


def test_the_size_limit_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACUU_MAX_FILE_MB", "0.05")
    with pytest.raises(ReadError, match="over the 0.05 MB limit"):
        read_document(SEED)
    for bad in ("lots", "inf", "nan", "-5", "0"):  # a clear error, never an OverflowError or a silent default
        monkeypatch.setenv("TRACUU_MAX_FILE_MB", bad)
        with pytest.raises(ReadError, match="not a positive number of megabytes"):
            read_document(SEED)


@pytest.fixture(scope="module")
def bombs():
    return {"1 GB member": zip_bomb(1024), "4 × 150 MB": zip_bomb(150, members=4)}


def test_zip_bombs_are_refused_from_their_declared_sizes(bombs):
    for data in bombs.values():
        assert len(data) < 2 * 2**20
        err = bounded(lambda data=data: safety.open_zip(data), megabytes=10)
        assert isinstance(err, ValueError) and "zip bomb" in str(err)


def test_a_sound_docx_passes_the_guard_whole():
    zf = safety.open_zip(DOCX)
    xml = safety.read_member(zf, "word/document.xml").decode("utf-8")
    assert "<w:t>**QUYẾT ĐỊNH**</w:t>" in xml and xml.count("<w:p>") > 20


def test_a_zip_that_lies_about_its_sizes_is_read_no_further_than_declared():
    data = lying_zip()
    zf = safety.open_zip(data)  # it declares 1 KB: the directory looks harmless
    err = bounded(lambda: safety.read_member(zf, "word/document.xml"), megabytes=20)
    assert isinstance(err, ValueError) and "broken" in str(err)


def test_a_batch_with_every_kind_of_broken_file_ingests_the_rest(tmp_path, bombs):
    from pipeline.embed import FakeEmbedder
    from pipeline.store.ingest import ingest

    src = tmp_path / "src"
    src.mkdir()
    bad = {
        "bomb.docx": bombs["1 GB member"], "broken.docx": DOCX[: len(DOCX) // 2], "cut.pdf": PDF[:-100],
        "random.txt": bytes(range(256)) * 40, "nul.md": TEXT[:500] + b"\x00" * 5000 + TEXT[500:],
        "bad-utf8.txt": TEXT.replace("ố".encode(), b"\xe1\xbb", 3),
        "odd-utf16.txt": "Báo cáo".encode("utf-16") + b"\x00",
        "line.md": b"x" * 300_000,
    }
    for name, data in bad.items():
        (src / name).write_bytes(data)
    (src / "good.md").write_bytes(TEXT)
    report = ingest([src], FakeEmbedder(), root=tmp_path / "index")
    assert report.added == ["good.md"] and report.written
    failed = {Path(e.split(":")[0]).name for e in report.errors}
    assert failed == set(bad), report.errors

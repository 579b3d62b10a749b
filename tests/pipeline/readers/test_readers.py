from pathlib import Path

import pytest

from pipeline.readers import ReadError, read_document


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\n \t\n", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("latin.txt", "Grüße aus München, schöne Straße".encode("latin-1"), "UTF-8"),
        ("report.docx", b"PK\x03\x04", "not a valid .docx"),
        ("report.pdf", b"%PDF-1.7\n", "not a readable PDF"),
        ("notes.xyz", b"hello", "unknown file type"),
    ],
)
def test_bad_input_gets_a_clear_message_naming_the_file(tmp_path, name, data, reason):
    with pytest.raises(ReadError) as e:
        read_document(_write(tmp_path, name, data))
    assert name in str(e.value) and reason in str(e.value)


def test_unreadable_path_is_reported(tmp_path):
    with pytest.raises(ReadError, match="is a folder|cannot be read|permission"):
        read_document(tmp_path / "missing.txt")


def test_utf16_with_bom_and_utf8_bom_are_read(tmp_path):
    text = "BÁO CÁO\nTăng trưởng kinh tế đạt 11,67%."
    for name, data in (("a.txt", text.encode("utf-16")), ("b.txt", b"\xef\xbb\xbf" + text.encode())):
        doc = read_document(_write(tmp_path, name, data))
        assert "11,67%" in " ".join(p.text for p in doc.paragraphs)


def test_every_supported_format_is_dispatched_to_its_reader(tmp_path):
    from pipeline.readers import READERS, supported
    from tests.conftest import DATA, SEED

    assert {".txt", ".md", ".docx", ".pdf", ".html", ".htm", ".doc"} <= set(READERS)
    assert supported(tmp_path / "a.PDF") and not supported(tmp_path / "a.xlsx")
    sentence = "Tăng trưởng kinh tế ước đạt 11,67%"
    html = f"<html><body><h1>BÁO CÁO</h1><p>{sentence}.</p></body></html>".encode()
    files = {"seed.txt": SEED.read_bytes(), "SEED.MD": SEED.read_bytes(), "a.html": html, "a.htm": html,
             "seed.docx": (DATA / "seed.docx").read_bytes(), "seed.pdf": (DATA / "seed.pdf").read_bytes()}
    for name, data in files.items():
        text = " ".join(p.text for p in read_document(_write(tmp_path, name, data)).paragraphs)
        assert sentence in text and "<p>" not in text and "w:t" not in text, name  # each read as its format
    with pytest.raises(ReadError, match="not an old Word .doc file"):  # .doc goes to the LibreOffice reader
        read_document(_write(tmp_path, "a.doc", b"plain text named .doc"))


def test_the_readers_import_each_other_without_a_cycle():
    """Each reader module's imports of other reader modules (at the top or inside a function) form no cycle:
    what two readers share lives in a module both import (`running`, `tables`, `common`)."""
    import ast
    from graphlib import CycleError, TopologicalSorter

    folder = Path(__file__).parents[3] / "pipeline" / "readers"
    graph = {}
    for f in folder.glob("*.py"):
        if f.name == "__init__.py":
            continue
        found = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline.readers."):
                found.add(node.module.rsplit(".", 1)[1])
        graph[f.stem] = found
    assert {"ocr", "pdf", "running"} <= set(graph) and "running" in graph["ocr"] and "pdf" not in graph["ocr"]
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as e:
        pytest.fail(f"import cycle among the readers: {e.args[1]}")

"""Readers: a file on disk → a cleaned `Document`. One reader per format; they know nothing of indexes.

A file that cannot be read raises `ReadError` naming the file and what to do; the caller reports it and goes on.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.readers.docx import read_docx_file
from pipeline.readers.pdf import read_pdf_file
from pipeline.readers.text import read_text_file
from pipeline.types import Document

READERS = {".txt": read_text_file, ".md": read_text_file, ".markdown": read_text_file, ".docx": read_docx_file,
           ".pdf": read_pdf_file}
LATER = {".doc", ".odt", ".rtf", ".html", ".htm"}


class ReadError(Exception):
    """A file that could not be ingested, with a message a user can act on."""


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read_document(path: Path, name: str | None = None) -> Document:
    """Read and clean one file. Raises ReadError with a clear, actionable message."""
    suffix = path.suffix.lower()
    if suffix in LATER:
        raise ReadError(
            f"{path}: {suffix} files are not supported yet — save it as .txt (UTF-8) or .md and ingest that "
            f"(định dạng {suffix} chưa được hỗ trợ: hãy lưu thành .txt hoặc .md)"
        )
    if suffix not in READERS:
        raise ReadError(f"{path}: unknown file type '{suffix or '(none)'}' — tracuu reads .txt and .md")
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ReadError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise ReadError(f"{path}: permission denied — check the file's read permission (không có quyền đọc)") from None
    except OSError as e:
        raise ReadError(f"{path}: cannot be read ({e.strerror or e})") from None
    try:
        return READERS[suffix](data, path=str(path), name=name or path.name)
    except ValueError as e:
        raise ReadError(f"{path}: {e}") from None

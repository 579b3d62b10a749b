"""Readers: a file on disk → a cleaned `Document`. One reader per format; they know nothing of indexes.

A file that cannot be read raises `ReadError` naming the file and what to do; the caller reports it and goes on.
Size limits and the zip-bomb guard every format shares are in `pipeline/readers/safety.py`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from pipeline.readers import safety
from pipeline.readers.docx import read_docx_file
from pipeline.readers.html import read_html_file
from pipeline.readers.office import read_office_file
from pipeline.readers.pdf import read_pdf_file
from pipeline.readers.text import read_text_file
from pipeline.types import DEFAULT_READ, Document, ReadOptions

READERS = {".txt": read_text_file, ".md": read_text_file, ".markdown": read_text_file, ".docx": read_docx_file,
           ".pdf": read_pdf_file, ".html": read_html_file, ".htm": read_html_file, ".doc": read_office_file,
           ".odt": read_office_file, ".rtf": read_office_file}


class ReadError(Exception):
    """A file that could not be ingested, with a message a user can act on."""


def supported(path: Path) -> bool:
    """Whether a reader exists for the file's extension (``.txt``, ``.md``, ``.docx``, ``.pdf``, ``.html`` …)."""
    return path.suffix.lower() in READERS


def read_document(path: Path, name: str | None = None, options: ReadOptions = DEFAULT_READ) -> Document:
    """Read and clean one file. Raises ReadError with a clear, actionable message. `options.ocr`: read scanned
    PDFs with Tesseract."""
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise ReadError(f"{path}: unknown file type '{suffix or '(none)'}' — tracuu reads "
                        f"{', '.join(sorted(READERS))}")
    try:
        safety.check_size(path.stat().st_size)
        data = path.read_bytes()
        if suffix in safety.ZIP_FORMATS - {".docx"}:  # the .docx reader guards its own zip, with its own words
            safety.open_zip(data)
        elif suffix == ".pdf":
            safety.check_pdf(data)
    except IsADirectoryError:
        raise ReadError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise ReadError(f"{path}: permission denied — check the file's read permission (không có quyền đọc)") from None
    except OSError as e:
        raise ReadError(f"{path}: cannot be read ({e.strerror or e})") from None
    except ValueError as e:  # over a size limit, a zip bomb, a truncated PDF
        raise ReadError(f"{path}: {e}") from None
    reader = READERS[suffix]
    if reader is read_pdf_file:
        reader = partial(read_pdf_file, ocr=options.ocr)
    try:
        return reader(data, path=str(path), name=name or path.name)
    except ValueError as e:
        raise ReadError(f"{path}: {e}") from None

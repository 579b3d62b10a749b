"""Limits every reader applies before it parses, so a hostile or broken file ends in a clear error, quickly and
in bounded memory: the file's size, the length of a line, and for zip containers (.docx, .odt, …) the member
count, declared sizes and compression ratios, checked before a byte is decompressed; while it parses, the counts
that a few bytes can make huge: the columns a table cell spans, cells in a row, list numbers, how deep elements
nest (tables in tables, HTML), PDF pages, and the characters of text a document expands to.

The size limit is ``$TRACUU_MAX_FILE_MB`` (default 20 MB; the largest document of the shared corpus is 0.8 MB).
Errors are ``ValueError`` with a message a user can act on; `read_document` turns them into ``ReadError``.
"""

from __future__ import annotations

import functools
import io
import math
import os
import zipfile
import zlib
from dataclasses import dataclass

ENV_MAX_FILE_MB = "TRACUU_MAX_FILE_MB"
ZIP_FORMATS = {".docx", ".odt", ".xlsx", ".pptx", ".epub"}


@dataclass(frozen=True)
class Limits:
    """Limits on what a reader unpacks: file size, line length and the members of a zip container."""
    max_file_bytes: int = 20 * 2**20
    max_line_chars: int = 100_000  # the longest line in the shared corpus has 2,194 characters
    max_unpacked_bytes: int = 200 * 2**20  # all members of a zip container together, as declared
    max_ratio: float = 200.0  # declared size / compressed size of one member; Word XML is ~5-20
    max_members: int = 10_000
    max_span: int = 1_000  # columns or rows one table cell spans (Word allows 63 columns)
    max_row_cells: int = 1_000  # cells in one table row, spans counted
    max_list_number: int = 100_000  # a list's start value or counter
    max_depth: int = 200  # elements nested in elements: tables in tables, HTML; Python's recursion stays far off
    max_pages: int = 5_000  # pages of a PDF
    max_chars: int = 20_000_000  # characters of text one document expands to (tables' repeated cells included)


def limits() -> Limits:
    """The limits in force: the defaults, with the file size from $TRACUU_MAX_FILE_MB when set. Readers ask for
    them per list item and per table cell, so the record is built once per value of the variable."""
    return _limits_for(os.environ.get(ENV_MAX_FILE_MB) or "")


@functools.lru_cache(maxsize=8)
def _limits_for(mb: str) -> Limits:
    if not mb:
        return Limits()
    try:
        value = float(mb)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:  # "inf", "nan", "abc", "-5": a clear error, never an OverflowError
        raise ValueError(f"{ENV_MAX_FILE_MB}={mb!r} is not a positive number of megabytes — set it (e.g. 50) or "
                         "unset it (giá trị không hợp lệ)")
    return Limits(max_file_bytes=int(value * 2**20))


def check_size(size: int, lim: Limits | None = None) -> None:
    """ValueError, naming the limit and how to raise it, when a file of `size` bytes is over the size limit."""
    lim = lim or limits()
    if size > lim.max_file_bytes:
        raise ValueError(
            f"the file is {size / 2**20:.1f} MB, over the {lim.max_file_bytes / 2**20:.3g} MB limit — split it, or "
            f"raise the limit with {ENV_MAX_FILE_MB} (tệp quá lớn)"
        )


def over(what: str, value: int, limit: int) -> ValueError:
    """The error for a count over its limit: a file no document is (``… refused as unsafe``).

    >>> str(over("columns spanned by one table cell", 100000000, 1000))[:60]
    'columns spanned by one table cell: 100,000,000, over the lim'
    """
    return ValueError(f"{what}: {value:,}, over the limit of {limit:,} — the file is broken or built to exhaust "
                      "the reader; refused as unsafe (tệp bất thường, bị từ chối)")


def bounded_int(raw: str | None, default: int, limit: int, what: str) -> int:
    """An integer attribute of a file (``w:gridSpan``, a list's ``w:start``): `default` when missing or not a
    number, ValueError (see `over`) when its size is over `limit`."""
    raw = (raw or "").strip()
    digits = raw[1:] if raw[:1] in "+-" else raw
    if not digits.isascii() or not digits.isdigit():
        return default
    if len(digits) > 15:  # never turned into an int: a million digits would cost seconds
        raise ValueError(f"{what}: a number of {len(digits):,} digits, over the limit of {limit:,} — refused as "
                         "unsafe (tệp bất thường, bị từ chối)")
    value = int(raw)
    if abs(value) > limit:
        raise over(what, value, limit)
    return value


def check_count(what: str, value: int, limit: int) -> None:
    """ValueError (see `over`) when `value` is over `limit`."""
    if value > limit:
        raise over(what, value, limit)


def check_lines(text: str, lim: Limits | None = None) -> None:
    """Refuse text with a line no document has (a binary or a file saved without line breaks)."""
    lim = lim or limits()
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > lim.max_line_chars:
            raise ValueError(
                f"a line of {end - start:,} characters (limit {lim.max_line_chars:,}) — this is not a text document, "
                "or it was saved without line breaks (dòng quá dài: hãy lưu lại tệp có xuống dòng)"
            )
        start = end + 1


def open_zip(data: bytes, lim: Limits | None = None) -> zipfile.ZipFile:
    """Open a zip container after checking its directory: refuses broken zips and zip bombs without
    decompressing anything. Readers then read members with `read_member`."""
    lim = lim or limits()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as e:
        raise ValueError(f"not a valid zip container, the file is broken or truncated ({e}) — open it in Word and "
                         "save it again (tệp bị hỏng)") from None
    if len(infos) > lim.max_members:
        raise ValueError(f"{len(infos):,} parts in the zip (limit {lim.max_members:,}) — refused as unsafe")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > lim.max_ratio and info.file_size > 2**20:
            raise ValueError(f"'{info.filename[:80]}' would expand {ratio:,.0f} times, to {info.file_size / 2**20:,.0f}"
                             " MB — refused as a zip bomb (tệp nén bất thường)")
    if total > lim.max_unpacked_bytes:
        raise ValueError(f"the zip would expand to {total / 2**20:,.0f} MB (limit "
                         f"{lim.max_unpacked_bytes / 2**20:.0f} MB) — refused as a zip bomb (tệp nén bất thường)")
    return zf


def read_member(zf: zipfile.ZipFile, name: str, lim: Limits | None = None) -> bytes:
    """One member's bytes, never more than its declared size (zipfile stops there) nor the limit."""
    lim = lim or limits()
    try:
        info = zf.getinfo(name)
        if info.file_size > lim.max_unpacked_bytes:
            raise ValueError(f"'{name}' declares {info.file_size:,} bytes — refused as unsafe")
        parts, size = [], 0
        with zf.open(info) as fh:  # in 1 MB pieces: a lying header never makes one big allocation
            while size <= lim.max_unpacked_bytes and (part := fh.read(2**20)):
                parts.append(part)
                size += len(part)
        out = b"".join(parts)
    except KeyError:
        raise ValueError(f"'{name}' is missing from the container — not a valid file of this type") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as e:
        raise ValueError(f"'{name}' cannot be unpacked ({e}) — the file is broken; save it again") from None
    if len(out) > lim.max_unpacked_bytes:
        raise ValueError(f"'{name}' expands beyond {lim.max_unpacked_bytes / 2**20:.0f} MB — refused as unsafe")
    return out


def check_pdf(data: bytes) -> None:
    """A PDF must start with its header and end with its end-of-file marker: a download cut short does not."""
    if b"%PDF-" not in data[:1024]:
        raise ValueError("not a readable PDF (no %PDF- header) — is this the right file? (không phải tệp PDF)")
    if b"%%EOF" not in data[-4096:]:
        raise ValueError("not a readable PDF: it is truncated (no %%EOF at its end) — download or export it again "
                         "(tệp PDF bị cắt)")

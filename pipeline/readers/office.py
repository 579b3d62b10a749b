"""Old Word .doc (and .odt, .rtf): converted to .docx by LibreOffice headless when ``soffice`` is installed,
then read by the .docx reader. Without LibreOffice the message says what to install or how to re-save."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.readers.docx import read_docx_file
from pipeline.types import Document

TIMEOUT = 180  # seconds for one conversion
# what each format starts with: anything else is refused before LibreOffice is started (seconds each)
MAGIC = {".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word .doc"),
         ".odt": (b"PK\x03\x04", "an OpenDocument .odt"), ".rtf": (b"{\\rtf", "an .rtf")}


def soffice() -> str | None:
    """The LibreOffice executable (``soffice`` or ``libreoffice``) on PATH, None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_office_file(data: bytes, path: str, name: str) -> Document:
    """A .doc/.odt/.rtf file → Document, converted to .docx by LibreOffice in a temporary folder and read as one."""
    exe = soffice()
    suffix = Path(path).suffix.lower() or ".doc"
    magic, what = MAGIC.get(suffix, (b"", suffix))
    if not data.lstrip()[: len(magic)].startswith(magic):
        raise ValueError(f"not {what} file (its first bytes are not) — is this the right file, or was it renamed? "
                         "(tệp không đúng định dạng)")
    if exe is None:
        raise ValueError(
            f"{suffix} files are read through LibreOffice, which is not installed — install it "
            "(apt-get install libreoffice-writer-nogui) or open the file in Word and save it as .docx "
            f"(cần LibreOffice để đọc tệp {suffix}, hoặc hãy lưu lại thành .docx)")
    # LibreOffice may still be writing its profile when it exits: leftovers must not fail the read
    with tempfile.TemporaryDirectory(prefix="tracuu-office-", ignore_cleanup_errors=True) as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        try:  # a private profile: a running LibreOffice of the user's does not block the conversion
            subprocess.run([exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                            "docx", "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ValueError(f"LibreOffice took over {TIMEOUT} s to convert it — save it as .docx and retry") from None
        except subprocess.CalledProcessError as e:
            err = (e.stderr or b"").decode(errors="replace").strip()[:200]
            raise ValueError(f"LibreOffice could not convert it ({err or e.returncode}) — is the file damaged?") \
                from None
        out = Path(tmp) / "in.docx"
        if not out.exists():
            raise ValueError("LibreOffice could not convert it (no output) — is the file damaged or protected?")
        doc = read_docx_file(out.read_bytes(), path, name)
    return dataclasses.replace(doc, content_hash=hashlib.sha256(data).hexdigest())  # the original file's hash

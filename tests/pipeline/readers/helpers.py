"""Small builders for reader tests: a .docx written from its XML parts, the text form's chunks to compare with."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.readers import read_document
from pipeline.readers.legacy import TCVN3, VNI
from pipeline.text.chunk import chunk_document
from pipeline.types import Chunk
from tests.conftest import SEED

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def run(text: str, font: str | None = None) -> str:
    rpr = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr>' if font else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(*runs: str, style: str | None = None, num: tuple[int, int] | None = None) -> str:
    ppr = ""
    if style or num:
        ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "")
        if num:
            ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        ppr += "</w:pPr>"
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def note_ref(note_id: int) -> str:
    return f'<w:r><w:footnoteReference w:id="{note_id}"/></w:r>'


def table(rows: list[list[str]]) -> str:
    cells = "".join("<w:tr>" + "".join(f"<w:tc>{para(run(c))}</w:tc>" for c in r) + "</w:tr>" for r in rows)
    return f"<w:tbl>{cells}</w:tbl>"


def docx_bytes(body: str, footnotes: dict[int, str] | None = None, numbering: str = "", styles: str = "",
               header: str = "", parts: dict[str, str] | None = None) -> bytes:
    """A minimal but valid .docx: document.xml (+ footnotes, numbering, styles, a header) in a zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("word/document.xml", f'<w:document {W_NS}><w:body>{body}</w:body></w:document>')
        if footnotes:
            notes = "".join(f'<w:footnote w:id="{i}"><w:p><w:r><w:footnoteRef/></w:r>{run(t)}</w:p></w:footnote>'
                            for i, t in footnotes.items())
            z.writestr("word/footnotes.xml", f'<w:footnotes {W_NS}><w:footnote w:id="0" w:type="separator"/>'
                                             f"{notes}</w:footnotes>")
        if numbering:
            z.writestr("word/numbering.xml", f"<w:numbering {W_NS}>{numbering}</w:numbering>")
        if styles:
            z.writestr("word/styles.xml", f"<w:styles {W_NS}>{styles}</w:styles>")
        if header:
            z.writestr("word/header1.xml", f"<w:hdr {W_NS}>{header}</w:hdr>")
        for name, xml in (parts or {}).items():
            z.writestr(name, xml)
    return buf.getvalue()


def text_form_chunks() -> list[Chunk]:
    return chunk_document(read_document(SEED))


def body_chunks(path: Path) -> list[tuple[str, str, str]]:
    """(id after the document name, breadcrumb, text) of every chunk below a heading (the letterhead aside)."""
    return [(c.chunk_id.split("#", 1)[1], c.section, c.full_text) for c in chunk_document(read_document(path))
            if c.section]


# --- legacy encodings, the way old files store Vietnamese --------------------------------------------------

TO_TCVN3 = {v: k for k, v in TCVN3.items()}
TO_VNI = {v: k for k, v in VNI.items()}
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def as_tcvn3(text: str) -> bytes:
    """How a .VnTime document saved as text stores it: one byte a letter (the ABC fonts have no capital
    toned letters, so those were typed in lower case)."""
    return "".join(TO_TCVN3.get(c) or TO_TCVN3.get(c.lower()) or c for c in text).encode("latin-1")


def as_vni(text: str) -> bytes:
    return "".join(TO_VNI.get(c, c) for c in text).encode("cp1252")


def as_cp1258(text: str) -> bytes:
    """Windows-1258: â ă ê ô ơ ư đ are single bytes, tones are combining marks after the letter."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
            out.append((base + "".join(c for c in d if c in _TONES)).encode("cp1258"))
    return b"".join(out)

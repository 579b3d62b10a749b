"""Make the .docx/.pdf/.doc fixtures of the seed report with LibreOffice (run once; the outputs are committed).

The seed's text form is laid out as a real Word report would be: the letterhead in a two-column table, headings in
Heading styles, body paragraphs justified with a first-line indent, footnotes as real footnotes (at the page
bottom in the PDF), the page number in the page header and a running footer. LibreOffice then converts that
flat ODT to .docx, .pdf and .doc, so the readers are checked on files written by a real word processor.

    apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-liberation
    python bench/make_format_fixtures.py            # writes tests/data/seed.{docx,pdf,doc}
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.text.clean import FOOTMARK_RE, clean  # noqa: E402
from pipeline.text.sections import parse_heading  # noqa: E402

SEED = ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"
LEVEL = {"phan": 1, "chuong": 1, "muc": 2, "dieu": 2, "roman": 2, "caps": 2, "arabic": 3, "arabic2": 4,
         "arabic3": 5, "letter": 6}
NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
)
FONT = "Liberation Serif"  # Times New Roman's metrics; glyphs it lacks (ố, ầ, …) fall back to DejaVu Serif
STYLES = """
<office:font-face-decls><style:font-face style:name="{font}" svg:font-family="'{font}'"
 style:font-family-generic="roman"/></office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph"><style:text-properties style:font-name="{font}"
  fo:font-size="13pt" fo:language="vi" fo:country="VN"/></style:default-style>
 <style:style style:name="Standard" style:family="paragraph"/>
 <style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph">
  <style:paragraph-properties fo:text-align="justify" fo:text-indent="1cm" fo:margin-bottom="0.12cm"/></style:style>
 <style:style style:name="Center" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-weight="bold"/></style:style>
 {headings}
 <style:style style:name="Footnote" style:family="paragraph"><style:paragraph-properties fo:text-align="justify"/>
  <style:text-properties fo:font-size="10pt"/></style:style>
 <style:style style:name="Header" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
  </style:style>
 <style:style style:name="Footer" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="9pt" fo:font-style="italic"/></style:style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"
  fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="3cm" fo:margin-right="2cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-bottom="0.4cm"/>
  </style:header-style><style:footer-style><style:header-footer-properties fo:min-height="0.6cm"
  fo:margin-top="0.4cm"/></style:footer-style></style:page-layout>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">
 <style:header><text:p text:style-name="Header"><text:page-number text:select-page="current">1</text:page-number>
 </text:p></style:header>
 <style:footer><text:p text:style-name="Footer">Báo cáo tình hình kinh tế - xã hội năm 2022 – TP. Hà Tĩnh</text:p>
 </style:footer>
</style:master-page></office:master-styles>
"""


def _heading_styles() -> str:
    return "\n".join(
        f'<style:style style:name="Heading_20_{n}" style:display-name="Heading {n}" style:family="paragraph" '
        f'style:default-outline-level="{n}"><style:paragraph-properties fo:margin-top="0.2cm" '
        f'fo:margin-bottom="0.1cm"/><style:text-properties fo:font-weight="bold"/></style:style>'
        for n in range(1, 7)
    )


def _inline(text: str, notes: dict[int, str]) -> str:
    """Paragraph text with its footnote marks as real ODF footnotes."""
    out, pos = [], 0
    for m in FOOTMARK_RE.finditer(text):
        out.append(escape(text[pos : m.start()]))
        n = int(m.group(1))
        body = escape(notes.get(n, ""))
        out.append(f'<text:note text:note-class="footnote"><text:note-citation>{n}</text:note-citation>'
                   f'<text:note-body><text:p text:style-name="Footnote">{body}</text:p></text:note-body></text:note>')
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _cell(lines: list[str]) -> str:
    return ("<table:table-cell>" + "".join(f'<text:p text:style-name="Center">{escape(x)}</text:p>' for x in lines)
            + "</table:table-cell>")


def fodt(texts: list[str], notes: dict[int, str], letterhead: tuple[list[str], list[str]] | None = None,
         centered: int = 0, font: str = FONT) -> str:
    """Cleaned paragraphs (with footnote marks) → a flat ODT document: headings the grammar recognises in
    Heading styles, the first `centered` paragraphs centred (the title), the rest justified body text."""
    body = []
    if letterhead:
        left, right = letterhead
        body.append('<table:table table:name="letterhead"><table:table-column table:number-columns-repeated="2"/>'
                    f"<table:table-row>{_cell(left)}{_cell(right)}</table:table-row></table:table>")
    for i, text in enumerate(texts):
        parsed = parse_heading(text)
        if i < centered:
            body.append(f'<text:p text:style-name="Center">{_inline(text, notes)}</text:p>')
        elif parsed and not parsed[1] and parsed[0].kind in LEVEL:
            level = LEVEL[parsed[0].kind]
            body.append(f'<text:h text:style-name="Heading_20_{level}" text:outline-level="{level}">'
                        f"{_inline(text, notes)}</text:h>")
        else:
            body.append(f'<text:p text:style-name="Text_20_body">{_inline(text, notes)}</text:p>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} office:version="1.3" '
            f'office:mimetype="application/vnd.oasis.opendocument.text">'
            f"{STYLES.format(headings=_heading_styles(), font=font)}<office:body><office:text>{''.join(body)}"
            f"</office:text></office:body></office:document>")


def seed_fodt(seed: Path, font: str = FONT) -> str:
    """The seed report as a flat ODT document, its letterhead in a two-column table."""
    paragraphs, notes, _ = clean(seed.read_text(encoding="utf-8"))
    texts = [p.text for p in paragraphs]
    # the letterhead: issuer and draft mark on the left, national motto and place-date on the right
    left = ["ỦY BAN NHÂN DÂN", "(Dự thảo)"]
    right = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", texts[2]]
    assert texts[0] == left[0] and texts[1].startswith(left[1]) and texts[2].startswith("TP. Hà Tĩnh"), texts[:3]
    return fodt(texts[3:], notes, (left, right), centered=2, font=font)


def convert(src: Path, fmt: str, out_dir: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("soffice not found: apt-get install -y --no-install-recommends libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(out_dir), str(src)], check=True, capture_output=True, timeout=300)
    return out_dir / f"{src.stem}.{fmt.split(':')[0]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "data")
    ap.add_argument("--formats", nargs="+", default=["docx", "pdf", "doc"])
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "seed.fodt"
        src.write_text(seed_fodt(SEED), encoding="utf-8")
        for fmt in args.formats:
            out = convert(src, fmt, Path(tmp))
            shutil.copy(out, args.out / out.name)
            print(f"{args.out / out.name}: {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()

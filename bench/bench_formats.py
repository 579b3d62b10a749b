"""PDF text fidelity: how much of a report's text comes back out of its PDF, by pypdf, by pdfplumber, and by
tracuu's PDF reader (pdfplumber + page furniture removed + lines re-joined + footnotes re-attached).

The PDFs are made by LibreOffice from text whose clean form is known: the seed report (tests/data/seed.pdf,
see bench/make_format_fixtures.py) and, when ``soffice`` is installed, the first N documents of
../shared/corpus/local_gov_docs_2025/docs laid out the same way. The reference is the text form's
paragraphs and footnote bodies. Scores, over whitespace-separated tokens (Vietnamese syllables, numbers, codes):

- token F1: the bag of tokens extracted against the reference's (a syllable split in two, "Đ ại", or a
  footnote number glued to a word, "hoạch1", costs a token; a running header adds wrong ones);
- order: difflib's ratio of the two token sequences (reading order: columns, fallback glyphs out of place).

    python bench/bench_formats.py                 # the seed, plus 10 corpus documents if soffice is there
    python bench/bench_formats.py --corpus 0      # the seed only
    python bench/bench_formats.py --corpus 0 --ocr 3   # + OCR of the seed's first 3 pages, rasterized (tesseract)
"""

from __future__ import annotations

import argparse
import difflib
import io
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import default_out, shared, write_result  # noqa: E402
from bench.make_format_fixtures import FONT, SEED, convert, fodt, seed_fodt  # noqa: E402
from pipeline.readers import read_document  # noqa: E402
from pipeline.readers.office import soffice  # noqa: E402
from pipeline.text.clean import normalize_unicode, strip_marks  # noqa: E402
from pipeline.types import ReadOptions  # noqa: E402

SEED_TXT = ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"
SEED_PDF = ROOT / "tests" / "data" / "seed.pdf"
CORPUS = shared("corpus", "local_gov_docs_2025", "docs")


def tokens(text: str) -> list[str]:
    return normalize_unicode(text).split()


def reference(path: Path) -> list[str]:
    doc = read_document(path)
    return tokens(" ".join([strip_marks(p.text) for p in doc.paragraphs] + list(doc.footnotes.values())))


def extract_pypdf(data: bytes) -> str:
    import pypdf

    return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def extract_pdfplumber(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def extract_tracuu(path: Path) -> str:
    doc = read_document(path)
    return " ".join([strip_marks(p.text) for p in doc.paragraphs] + list(doc.footnotes.values()))


def scores(ref: list[str], got: list[str]) -> dict:
    common = sum((Counter(ref) & Counter(got)).values())
    p, r = common / max(len(got), 1), common / max(len(ref), 1)
    order = difflib.SequenceMatcher(None, ref, got, autojunk=False).ratio()
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0, 4),
            "order": round(order, 4)}


def pdfs(n_corpus: int, fonts: list[str], tmp: Path) -> list[tuple[str, str, Path, Path]]:
    """(name, font, text form, pdf) of the documents to measure: the committed seed PDF, then (with soffice)
    the seed and `n_corpus` corpus documents laid out in each of `fonts`."""
    out = [("seed (tests/data/seed.pdf)", FONT, SEED_TXT, SEED_PDF)]
    if not soffice():
        return out
    for k, font in enumerate(fonts):
        folder = tmp / f"f{k}"
        folder.mkdir()
        if font != FONT:
            (folder / "seed.fodt").write_text(seed_fodt(SEED, font=font), encoding="utf-8")
            out.append(("seed", font, SEED_TXT, convert(folder / "seed.fodt", "pdf", folder)))
        for md in sorted(CORPUS.glob("*.md"))[:n_corpus] if CORPUS.exists() else []:
            doc = read_document(md)
            src = folder / f"{md.stem}.fodt"
            src.write_text(fodt([p.text for p in doc.paragraphs], doc.footnotes, font=font), encoding="utf-8")
            out.append((md.stem, font, md, convert(src, "pdf", folder)))
    return out


def ocr_fidelity(n_pages: int, dpi: int) -> dict:
    """The seed's first pages rasterized at `dpi` (a scan without a text layer), read back by --ocr, against
    what the text-layer reader finds on those pages (paragraphs starting there, and the notes they cite)."""
    import pdfplumber

    from pipeline.text.clean import footnote_refs

    doc = read_document(SEED_PDF)
    paras = [p for p in doc.paragraphs if p.page <= n_pages]
    ref = tokens(" ".join([strip_marks(p.text) for p in paras]
                          + [doc.footnotes[n] for p in paras for n in footnote_refs(p.text)]))
    with pdfplumber.open(SEED_PDF) as pdf:
        images = [pdf.pages[i].to_image(resolution=dpi).original.convert("L") for i in range(n_pages)]
    with tempfile.TemporaryDirectory() as tmp:
        scan = Path(tmp) / "scan.pdf"
        images[0].save(scan, format="PDF", resolution=dpi, save_all=True, append_images=images[1:])
        t0 = time.perf_counter()
        got = read_document(scan, options=ReadOptions(ocr=True))
        secs = time.perf_counter() - t0
    out = {**scores(ref, tokens(" ".join(p.text for p in got.paragraphs))), "pages": n_pages, "dpi": dpi,
           "s_per_page": round(secs / n_pages, 2)}
    print(f"OCR (tesseract vie), seed pages 1-{n_pages} at {dpi} dpi:", out)
    return out


def main() -> None:
    import pdfplumber

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=int, default=6, help="corpus documents to lay out as PDF (needs soffice)")
    ap.add_argument("--fonts", nargs="+", default=[FONT, "DejaVu Serif"], help="fonts to lay them out in")
    ap.add_argument("--ocr", type=int, default=0, metavar="N", help="also OCR the seed's first N pages")
    ap.add_argument("--dpi", type=int, nargs="+", default=[300, 150], help="scan resolutions for --ocr")
    ap.add_argument("--out", default=default_out("formats"))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, font, text_form, pdf in pdfs(args.corpus, args.fonts, Path(tmp)):
            ref, data = reference(text_form), pdf.read_bytes()
            with pdfplumber.open(pdf) as f:
                pages = len(f.pages)
            row = {"doc": name, "font": font, "pages": pages, "ref_tokens": len(ref)}
            for label, fn, arg in (("pypdf", extract_pypdf, data), ("pdfplumber", extract_pdfplumber, data),
                                   ("tracuu", extract_tracuu, pdf)):
                t0 = time.perf_counter()
                got = fn(arg)
                row[label] = {**scores(ref, tokens(got)), "s_per_page": round((time.perf_counter() - t0) / pages, 3)}
            rows.append(row)
            print(f"{name[:28]:28} {font[:10]:10} {pages:3d} p  " + "  ".join(
                f"{k}: F1 {row[k]['f1']:.3f} order {row[k]['order']:.3f} {row[k]['s_per_page']:.2f}s/p"
                for k in ("pypdf", "pdfplumber", "tracuu")))
    total = {}
    for font in dict.fromkeys(r["font"] for r in rows):
        sub = [r for r in rows if r["font"] == font]
        n = sum(r["ref_tokens"] for r in sub)
        total[font] = {k: {m: round(sum(r[k][m] * r["ref_tokens"] for r in sub) / n, 4)
                           for m in ("f1", "order", "s_per_page")} for k in ("pypdf", "pdfplumber", "tracuu")}
        print(f"token-weighted, {font}:", total[font])
    ocr = [ocr_fidelity(args.ocr, dpi) for dpi in args.dpi] if args.ocr else []
    print(write_result(args.out, {"documents": rows, "weighted": total, "ocr": ocr}))


if __name__ == "__main__":
    main()

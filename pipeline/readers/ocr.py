"""OCR of a scanned PDF with Tesseract's Vietnamese model (Debian ``tesseract-ocr-vie``), used only when asked
(``tracuu ingest --ocr``): each page is rendered at 300 dpi and read; its lines are cleaned like a text file's
and keep their page number."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.readers.common import build_document
from pipeline.readers.running import PAGE_NO_RE, shape
from pipeline.text.clean import clean
from pipeline.types import Document, Paragraph

if TYPE_CHECKING:
    from pdfplumber.pdf import PDF

DPI = 300
TIMEOUT = 300  # seconds for one page


def tesseract() -> str:
    """The Tesseract executable, checked to have its Vietnamese model; ValueError saying what to install otherwise."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise ValueError("OCR needs Tesseract with its Vietnamese model: apt-get install tesseract-ocr "
                         "tesseract-ocr-vie (cần cài Tesseract để nhận dạng chữ)")
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=60).stdout.split()
    if "vie" not in langs:
        raise ValueError("Tesseract has no Vietnamese model: apt-get install tesseract-ocr-vie")
    return exe


def ocr_image(exe: str, image: Path) -> str:
    """The text Tesseract reads in one page image (Vietnamese model); ValueError when it fails or times out."""
    try:
        done = subprocess.run([exe, str(image), "stdout", "-l", "vie"], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ValueError(f"OCR took over {TIMEOUT} s on one page") from None
    if done.returncode:
        raise ValueError(f"tesseract failed: {done.stderr.decode(errors='replace').strip()[:200]}")
    return done.stdout.decode("utf-8", errors="replace")


def ocr_pages(pdf: PDF, numbers: list[int]) -> dict[int, list[str]]:
    """Pages (1-based numbers) of an open pdfplumber PDF → their paragraphs, read by Tesseract."""
    exe = tesseract()
    out: dict[int, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="tracuu-ocr-") as tmp:
        for number in numbers:
            image = Path(tmp) / f"p{number}.png"
            pdf.pages[number - 1].to_image(resolution=DPI).original.save(image)
            paragraphs, _, _ = clean(ocr_image(exe, image))
            out[number] = [p.text for p in paragraphs]
    return out


def drop_running(pages: dict[int, list[str]]) -> dict[int, list[str]]:
    """Page numbers, and first or last paragraphs that repeat (digits aside) on half the pages: running headers
    and footers, as the text-layer reader drops them."""
    edges = Counter(shape(t) for texts in pages.values() for t in {texts[0], texts[-1]} if texts)
    many = max(3, len(pages) // 2)

    def running(t: str) -> bool:
        return bool(PAGE_NO_RE.match(t)) or edges[shape(t)] >= many

    out = {}
    for number, texts in pages.items():
        texts = list(texts)
        while texts and running(texts[0]):
            texts.pop(0)
        while texts and running(texts[-1]):
            texts.pop()
        out[number] = texts
    return out


def ocr_pdf(pdf: PDF, data: bytes, path: str, name: str) -> Document:
    """An open pdfplumber PDF → Document, page by page through Tesseract."""
    pages = drop_running(ocr_pages(pdf, list(range(1, len(pdf.pages) + 1))))
    blocks = [Paragraph(text, number) for number, texts in pages.items() for text in texts]
    if not blocks:
        raise ValueError("OCR found no text in the scanned PDF (không nhận dạng được chữ)")
    return build_document(blocks, {}, data, path, name)

"""Running headers and footers of paged documents, shared by the PDF text-layer reader and OCR: a page number
line, and the shape of a line (digits aside) that repeats at the top or bottom of many pages."""

from __future__ import annotations

import re

PAGE_NO_RE = re.compile(r"^(?:-\s*)?(?:trang\s+)?\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*-)?$", re.IGNORECASE)


def shape(text: str) -> str:
    """A line with its digits folded, so "Trang 3" and "Trang 4" repeat: ``"Trang 12/40"`` → ``"trang #/#"``."""
    return re.sub(r"\d+", "#", text.lower())

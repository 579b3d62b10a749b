"""The records that flow between stages. All frozen: a stage returns new records, it never edits old ones."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class RowKind(StrEnum):
    """What a row of a table is. The value is what the index stores."""

    HEADER = "header"  # the column headers (several header rows are merged into one)
    GROUP = "group"  # one label across the table ("I. Chỉ tiêu kinh tế"): the rows below belong to it
    DATA = "data"  # a row of values under the headers


@dataclass(frozen=True)
class TableRow:
    """One row of a table as data: its cells as printed, the column header over each cell, and what the row
    is read under (the group label above it, cells it shares with the rows above through a merged cell). The
    paragraph it makes prints the cells in order; the answerer reads this record, never that text.

    >>> r = TableRow(RowKind.DATA, 0, ("Nông thôn", "140", "95"), ("Địa bàn", "Mầm non", "Trung học cơ sở"))
    >>> r.text, r.label, r.column("95")
    ('Nông thôn 140 95', 'Nông thôn', 'Trung học cơ sở')
    """

    kind: RowKind
    table: int  # the table's number in its document, from 0
    cells: tuple[str, ...]
    header: tuple[str, ...] = ()  # one column header per cell ("" where the table has none)
    context: tuple[str, ...] = ()  # group labels and merged cells from the rows above, outermost first
    caption: str = ""  # the line that introduces the table ("1. Mức học phí"), if short
    unit: str = ""  # "Đơn vị tính: …" stated over the table

    @property
    def text(self) -> str:
        """The cells in order, as the row prints in the passage."""
        return " ".join(c for c in self.cells if c)

    @property
    def printed(self) -> str:
        """The line the row prints as in its passage: a header row its headers joined by `` | ``, any other
        row its cells in order."""
        if self.kind is RowKind.HEADER:
            return " | ".join(h for h in self.header if h) or self.text
        return self.text

    @property
    def label(self) -> str:
        """What the row is about: its first cell that is not a running number ("1", "a", "II"), a dash or a
        procedure's code ("1.014389.H13")."""
        for c in self.cells:
            if c and not _ORDINAL_RE.fullmatch(c) and not _CODE_CELL_RE.fullmatch(c):
                return c
        return ""

    def column(self, cell: str) -> str:
        """The header over the first cell equal to `cell` ("" when it has none)."""
        for c, h in zip(self.cells, self.header, strict=False):
            if c == cell:
                return h
        return ""

    def to_row(self) -> list:
        """The JSON form the index stores."""
        return [self.kind.value, self.table, list(self.cells), list(self.header), list(self.context), self.caption,
                self.unit]

    @classmethod
    def from_row(cls, row: list) -> TableRow:
        """The inverse of `to_row`."""
        kind, table, cells, header, context, caption, unit = row
        return cls(RowKind(kind), int(table), tuple(cells), tuple(header), tuple(context), caption, unit)


_ORDINAL_RE = re.compile(r"(?:\d+(?:\.\d+)*|[IVXLC]+|[a-zđ])[.)]?|[-+*•–]", re.IGNORECASE)
_CODE_CELL_RE = re.compile(r"\d+(?:\.\d+)+\.[A-Z]\w*")  # "1.014389.H13", "1.001786.000.00.00.H13"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of cleaned text. Footnote references stay in it as private-use marks
    (`clean.FOOTMARK`) until chunking, so a footnote follows the sentence that cites it."""

    text: str
    page: int | None = None  # the page it starts on, where the source has pages (PDF)
    heading_level: int | None = None  # outline level of a Word heading style (1 = top): a heading without a label
    row: TableRow | None = None  # the table row this paragraph prints (never a heading)


@dataclass(frozen=True)
class DocMeta:
    """What a document says about itself, inferred from its text."""

    title: str = ""
    number: str | None = None  # e.g. "624/KH-UBND", from "Số: 624/KH-UBND"
    issuer: str | None = None  # e.g. "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ TĨNH"
    date: str | None = None  # ISO "YYYY-MM-DD" where the day is given, "YYYY-MM" or "YYYY" otherwise
    years: tuple[int, ...] = ()  # the years the document is about (the seed: 2022, 2023)


@dataclass(frozen=True)
class Document:
    """A cleaned document: paragraphs in order, footnote bodies by number, and what cleaning dropped."""

    name: str  # the readable document id used in chunk ids and citations (the file name)
    path: str
    content_hash: str
    paragraphs: tuple[Paragraph, ...]
    footnotes: dict[int, str] = field(default_factory=dict)
    meta: DocMeta = DocMeta()
    dropped_garbled: int = 0  # lines dropped because '?' replaced most letters

    @property
    def tables(self) -> tuple[tuple[TableRow, ...], ...]:
        """The data tables, each as its rows (header, groups, data) in order: what the paragraphs' rows say."""
        out: dict[int, list[TableRow]] = {}
        for p in self.paragraphs:
            if p.row is not None:
                out.setdefault(p.row.table, []).append(p.row)
        return tuple(tuple(rows) for _, rows in sorted(out.items()))


@dataclass(frozen=True)
class ReadOptions:
    """How files are read: chosen by the caller (`tracuu ingest --ocr`) and passed to the readers."""

    ocr: bool = False  # scanned PDFs (no text layer) are read by Tesseract OCR instead of refused


DEFAULT_READ = ReadOptions()


@dataclass(frozen=True)
class DocRecord:
    """A document as the index keeps it."""

    name: str
    path: str
    content_hash: str
    meta: DocMeta
    n_chunks: int
    dropped_garbled: int = 0
    collection: str = "chung"  # the unit's library it belongs to (`collection_name`); readers see only theirs


DEFAULT_COLLECTION = "chung"  # every document's collection unless one is named ("chung": shared)
_COLLECTION_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def collection_name(name: str) -> str:
    """A collection name as typed, checked: lower-case ASCII letters, digits, ``-`` and ``_``, 1–40 characters,
    so that it can never be a path or a pattern. Raises ValueError with a message for the user otherwise.

    >>> collection_name(" Tai-Chinh ")
    'tai-chinh'
    >>> collection_name("../noi-vu")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: '../noi-vu': not a collection name — use lower-case letters, digits, - and _ ...
    """
    key = name.strip().lower()
    if not _COLLECTION_RE.fullmatch(key):
        raise ValueError(f"'{name[:60]}': not a collection name — use lower-case letters, digits, - and _ "
                         "(a-z, 0-9, up to 40), e.g. tai-chinh (tên bộ sưu tập không hợp lệ)")
    return key


class HeadingKind(StrEnum):
    """What kind of heading opens a section, outermost first (see `pipeline.text.sections` for the grammar).

    The value is what the index stores.
    """

    CLOSING = "closing"  # "Nơi nhận:" — closes the body
    PHAN = "phan"  # "Phần thứ nhất", "PHẦN I"
    CHUONG = "chuong"  # "Chương II"
    MUC = "muc"  # "Mục 1"
    DIEU = "dieu"  # "Điều 5."
    ROMAN = "roman"  # "I."
    CAPS = "caps"  # a short upper-case line without a number
    ARABIC = "arabic"  # "1."
    ARABIC2 = "arabic2"  # "1.4."
    ARABIC3 = "arabic3"  # "1.4.2."
    LETTER = "letter"  # "a)"
    H1 = "h1"  # a paragraph in a Word heading style without a label, by outline level
    H2 = "h2"
    H3 = "h3"
    H4 = "h4"
    H5 = "h5"


@dataclass(frozen=True)
class Heading:
    """A section heading: its kind, its label as printed ("1.4.", "Phần thứ nhất", "Điều 5.") and its title."""

    kind: HeadingKind
    label: str
    title: str

    @property
    def text(self) -> str:
        """The heading as printed: label, then title."""
        return f"{self.label} {self.title}".strip()

    def to_row(self) -> list[str]:
        """``[kind, label, title]``, the form the index stores."""
        return [self.kind.value, self.label, self.title]

    @classmethod
    def from_row(cls, row: list[str]) -> Heading:
        """The inverse of `to_row`."""
        return cls(HeadingKind(row[0]), row[1], row[2])


def breadcrumb(path: tuple[Heading, ...]) -> str:
    """Headings joined for display: ``Phần thứ nhất … › I. … › 1.4. Tài chính, tín dụng``."""
    return " › ".join(h.text for h in path)


@dataclass(frozen=True)
class Section:
    """A leaf run of paragraphs under one heading path (the breadcrumb)."""

    path: tuple[Heading, ...]
    paragraphs: tuple[Paragraph, ...]

    @property
    def breadcrumb(self) -> str:
        """The heading path as displayed."""
        return breadcrumb(self.path)


Footnote = tuple[int, str]  # (number, body) of a footnote a chunk cites


def with_footnotes(body: str, footnotes: tuple[Footnote, ...]) -> str:
    r"""The body followed by one ``[n] …`` line per footnote: what is embedded, searched and shown as one text.

    >>> with_footnotes("Thu ngân sách đạt 95%.", ((2, "Không kể tiền sử dụng đất."),))
    'Thu ngân sách đạt 95%.\n[2] Không kể tiền sử dụng đất.'
    """
    return "\n".join([body, *(f"[{n}] {note}" for n, note in footnotes)])


@dataclass(frozen=True)
class Chunk:
    """The unit of retrieval. `chunk_id` joins the FAISS row, the BM25 documents, the SQLite row and citations."""

    chunk_id: str  # e.g. "bao-cao-ktxh-2022-tp-ha-tinh.txt#P1/I/1/1.4:0"
    doc: str
    section: str  # breadcrumb, for display (`breadcrumb(headings)`)
    text: str  # body as cited, without its footnotes
    year: int | None
    ordinal: int  # position in the document
    words: str = ""  # segmented, lower-cased words joined by spaces (BM25 over words)
    folded: str = ""  # diacritic-folded syllables and syllable bigrams (BM25 for unaccented queries)
    page: int | None = None  # the page of its first paragraph (PDF), for citations "trang 7"
    headings: tuple[Heading, ...] = ()  # the heading path, outermost first (empty: the front matter)
    footnotes: tuple[Footnote, ...] = ()  # the footnotes the body cites, in order
    rows: tuple[TableRow, ...] = ()  # the table rows its body prints, in order (headers included)

    @property
    def full_text(self) -> str:
        """Body and footnote lines (`with_footnotes`): what is searched and embedded."""
        return with_footnotes(self.text, self.footnotes)

    def embed_text(self, title: str = "") -> str:
        """What the embedder (and BM25) sees: where the passage sits, then the passage.

        A clause that states its case before a colon is both the deepest heading and the first line of the body
        (see `pipeline.text.sections`); that heading is left out of the path so its words count once, not twice.
        """
        path = self.section
        if self.headings and self.text.startswith(self.headings[-1].text):
            path = breadcrumb(self.headings[:-1])
        head = " › ".join(x for x in (title, path) if x)
        return f"{head}\n{self.full_text}" if head else self.full_text


@dataclass(frozen=True)
class Hit:
    """One retriever's result: which chunk, how well, and from which retriever."""

    chunk_id: str
    score: float
    source: str


@dataclass(frozen=True)
class Passage:
    """A ranked, cited passage as `ask` returns it."""

    rank: int
    doc: str
    title: str
    year: int | None
    section: str
    chunk_id: str
    text: str
    score: float
    page: int | None = None
    meta: DocMeta = DocMeta()  # the document's metadata (number, issuer, date): what its citation is built from
    headings: tuple[Heading, ...] = ()  # where it sits (see Chunk)
    footnotes: tuple[Footnote, ...] = ()  # the footnotes its body cites
    rows: tuple[TableRow, ...] = ()  # the table rows it holds (see Chunk)
    keyword_only: bool = False  # its document still has chunks waiting for vectors: found by keyword only

    @property
    def full_text(self) -> str:
        """Body and footnote lines, as `ask --json` prints it."""
        return with_footnotes(self.text, self.footnotes)


# what an answer says when some of its passages come from documents not embedded yet (`Answer.keyword_only`)
KEYWORD_ONLY = "chỉ tìm theo từ khóa — tài liệu chưa nhúng xong"


@dataclass(frozen=True)
class Answer:
    """The extractive answer: text with [n] markers, the ranks it cites, and the passages below it."""

    question: str
    text: str
    citations: tuple[int, ...]
    passages: tuple[Passage, ...]
    spans: tuple[tuple[int, str], ...] = ()  # (passage rank, sentence) pairs to highlight

    @property
    def pending_docs(self) -> tuple[str, ...]:
        """The documents of its passages that are not embedded yet (their vectors still being made): for them
        the answer rests on keyword search alone."""
        return tuple(dict.fromkeys(p.doc for p in self.passages if p.keyword_only))

    @property
    def keyword_only(self) -> bool:
        """Whether a passage comes from a document not embedded yet (`KEYWORD_ONLY` says so to the reader)."""
        return bool(self.pending_docs)

    def to_json(self) -> dict:
        """The `ask --json` shape the UI and other programs rely on; each passage carries its ready-to-paste
        citation. ``keyword_only`` (and ``pending_docs``): passages from documents not embedded yet."""
        from pipeline.ask.cite import citation

        return {
            "question": self.question,
            "answer": {"text": self.text, "citations": list(self.citations)},
            "keyword_only": self.keyword_only,
            "pending_docs": list(self.pending_docs),
            "passages": [
                {
                    "rank": p.rank,
                    "doc": p.doc,
                    "title": p.title,
                    "year": p.year,
                    "section": p.section,
                    "chunk_id": p.chunk_id,
                    "text": p.full_text,
                    "footnotes": [[n, note] for n, note in p.footnotes],
                    "score": round(float(p.score), 6),
                    "page": p.page,
                    "citation": citation(p, p.meta),
                    "keyword_only": p.keyword_only,
                }
                for p in self.passages
            ],
        }

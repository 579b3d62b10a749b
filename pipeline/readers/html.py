"""HTML pages saved from government portals: the main content only (no menus, banners, footers, scripts).

The page is parsed with the standard library into a small tree; navigation-like elements are dropped; then from
``<body>`` down, while one child holds most of the remaining text that is not link text, that child is taken:
what is left is the block holding the document. Its blocks become paragraphs, its tables read as data (rows under
their headers), and the text goes through the same cleaning as a text file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from pipeline.readers import safety
from pipeline.readers.common import text_document
from pipeline.readers.text import decode
from pipeline.text.tables import Cell, placeholder
from pipeline.types import Document

_DROP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "button",
         "select", "menu", "template", "object", "head"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}
_BLOCK = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article",
          "main", "blockquote", "pre", "dd", "dt", "dl", "center", "tbody", "thead", "body"}
_NOISE_RE = re.compile(r"menu|nav|footer|header|sidebar|breadcrumb|banner|comment|share|social|related|advert|"
                       r"login|search|cookie|popup|toolbar", re.IGNORECASE)
_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)
_MAIN_SHARE = 0.7  # a child holding this share of its parent's text is the content


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)
    parent: _Node | None = None
    depth: int = 0  # elements above this one


_SELF_CLOSING = {"p", "li", "dt", "dd", "tr", "td", "th", "option"}  # a second <p> ends the first, as browsers do


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root")
        self.cur = self.root
        self.max_depth = safety.limits().max_depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SELF_CLOSING and self.cur.tag == tag and self.cur.parent is not None:
            self.cur = self.cur.parent
        node = _Node(tag, {k: v or "" for k, v in attrs}, parent=self.cur, depth=self.cur.depth + 1)
        safety.check_count("levels of HTML elements nested in one another", node.depth, self.max_depth)
        self.cur.children.append(node)
        if tag not in _VOID:
            self.cur = node

    def handle_endtag(self, tag: str) -> None:
        node: _Node | None = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # a stray end tag closes nothing
            self.cur = node.parent

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


def _noise(node: _Node) -> bool:
    if node.tag in _DROP:
        return True
    marks = " ".join((node.attrs.get("id", ""), node.attrs.get("class", ""), node.attrs.get("role", "")))
    return bool(_NOISE_RE.search(marks)) and node.tag not in ("body", "html", "main", "article")


def _text_len(node: _Node, in_link: bool = False) -> int:
    """Characters of text under `node` that are not inside links (link lists are navigation)."""
    n = 0
    for c in node.children:
        if isinstance(c, str):
            n += 0 if in_link else len(c.strip())
        elif not _noise(c):
            n += _text_len(c, in_link or c.tag == "a")
    return n


def main_content(root: _Node) -> _Node:
    """The element holding the page's main text."""
    node = next((n for n in _walk(root) if n.tag == "body"), root)
    while True:
        total = _text_len(node)
        kids = [c for c in node.children if isinstance(c, _Node) and not _noise(c)]
        best = max(kids, key=_text_len, default=None)
        if best is None or total == 0 or _text_len(best) < _MAIN_SHARE * total:
            return node
        node = best


def _walk(node: _Node) -> Iterator[_Node]:
    yield node
    for c in node.children:
        if isinstance(c, _Node):
            yield from _walk(c)


_NOTE_REF_RE = re.compile(r"#_?ftn(\d+)$")  # Word's "save as web page": <a href="#_ftn1">[1]</a>
_NOTE_BACK_RE = re.compile(r"#_?ftnref(\d+)$")
_NOTE_DIV_RE = re.compile(r"^_?ftn(\d+)$")


def _note_number(node: _Node) -> int | None:
    m = _NOTE_DIV_RE.match(node.attrs.get("id", "")) if node.tag == "div" else None
    return int(m.group(1)) if m else None


def _rows(table: _Node) -> list[_Node]:
    """The rows of a table, not those of tables nested in its cells."""
    out = []
    for c in table.children:
        if isinstance(c, _Node) and c.tag == "tr":
            out.append(c)
        elif isinstance(c, _Node) and c.tag in ("thead", "tbody", "tfoot"):
            out.extend(_rows(c))
    return out


def render(node: _Node, notes: bool = True, tables: list[list[list[Cell]]] | None = None) -> str:
    """An element → text: block elements on their own lines, each table a `placeholder` paragraph with its rows
    of cells appended to `tables` (header cells ``<th>`` in bold), so that cleaning reads it as the other readers'
    tables; a table nested in a cell, cell by cell. Footnotes as Word saves them (``<a href="#_ftn1">``,
    ``<div id="ftn1">``) become the ``[footnoteRef:1]`` / ``[1: …]`` of the text form, so cleaning attaches them
    the same way."""
    out: list[str] = []

    def table(t: _Node) -> None:
        rows = [[Cell(tuple(" ".join(p.split()) for p in render(td, notes).split("\n\n") if p.strip()),
                      True if td.tag == "th" else None)
                 for td in tr.children if isinstance(td, _Node) and td.tag in ("td", "th")] for tr in _rows(t)]
        safety.check_count("characters of table text", sum(len(x) for r in rows for c in r for x in c.lines),
                           safety.limits().max_chars)
        if tables is None:
            out.append("\n\n" + "\n\n".join(x for r in rows for c in r for x in c.lines) + "\n\n")
            return
        out.append(f"\n\n{placeholder(len(tables))}\n\n")
        tables.append(rows)

    def go(n: _Node) -> None:
        for c in n.children:
            if isinstance(c, str):
                out.append(re.sub(r"\s+", " ", c))
                continue
            if _noise(c):
                continue
            if (markup := _note_markup(c, notes)) is not None:
                out.append(markup)
            elif c.tag == "table":
                table(c)
            elif c.tag in _BLOCK:
                out.append("\n\n")  # every block its own paragraph; <br> alone only breaks a line
                go(c)
                out.append("\n\n")
            else:
                go(c)

    go(node)
    return _tidy("".join(out))


def _note_markup(c: _Node, notes: bool) -> str | None:
    """What a footnote link (``[footnoteRef:1]``), a link back from a note (nothing), a note body
    (``[1: …]``, or nothing when `notes` is off) or a ``<br>`` stands for; None for any other element."""
    href = c.attrs.get("href", "") if c.tag == "a" else ""
    if (m := _NOTE_REF_RE.search(href)) and notes:
        return f"[footnoteRef:{m.group(1)}]"
    if _NOTE_BACK_RE.search(href):
        return ""
    if (k := _note_number(c)) is not None:
        return f"\n\n[{k}: {render(c, notes=False)}]\n\n" if notes else ""
    if c.tag == "br":
        return "\n"
    return None


def _tidy(text: str) -> str:
    """Spaces collapsed in every line (table cells' `` | `` kept), at most one blank line between paragraphs."""
    lines = [" ".join(ln.replace(" | ", "\x00").split()).replace("\x00", " | ").strip(" |")
             for ln in text.split("\n")]
    text = "\n".join(ln if ln else "" for ln in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _decode_html(data: bytes) -> str:
    """UTF-8 when the bytes are UTF-8 (whatever the page declares: saved pages often keep a stale charset),
    else the declared charset, else the legacy Vietnamese encodings a text file may be in."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        m = _CHARSET_RE.search(data[:4096])
        if m:
            try:
                return data.decode(m.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
    return decode(data)


def read_html_file(data: bytes, path: str, name: str) -> Document:
    """An HTML page → Document: its main content as text, tables read as rows, Word's footnotes attached."""
    builder = _TreeBuilder()
    builder.feed(_decode_html(data))
    builder.close()
    main = main_content(builder.root)
    tables: list[list[list[Cell]]] = []
    text = render(main, tables=tables)
    inside = {id(n) for n in _walk(main)}
    outside = [n for n in _walk(builder.root) if _note_number(n) is not None and id(n) not in inside]
    text += "".join(f"\n\n[{_note_number(n)}: {render(n, notes=False)}]" for n in outside)
    return text_document(text, data, path, name, tables)

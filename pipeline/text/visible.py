r"""Text made safe to store as a name and to show on a terminal: the bytes of a file name that were not UTF-8,
control characters and the invisible marks that reorder or hide text, each written as a visible escape.

One rule for the index (document names and paths) and for the CLI (everything it prints but JSON).
"""

from __future__ import annotations

import re

# control characters (C0, DEL, C1) and the invisible marks that reorder or hide text (bidirectional overrides
# and isolates, zero-width marks, line and paragraph separators, a stray byte-order mark), and lone surrogates
_HIDDEN_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff"
                        r"\ud800-\udfff]")
_HIDDEN_BUT_LAYOUT_RE = re.compile(_HIDDEN_RE.pattern.replace(r"\x00-\x1f", r"\x00-\x08\x0b-\x1f"))
_UNDECODED_RE = re.compile(r"[\udc80-\udcff]")  # how Python keeps the undecodable bytes of a file name


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, layout: bool = False) -> str:
    r"""`text` with every hidden character as its escape: an undecodable byte of a file name as ``\xff``, a
    control character as ``\x1b``, a bidirectional mark as ``\u202e``. With `layout`, newlines and tabs stay
    (what a terminal shows of a passage); without, they are escaped too (a name is one line).

    >>> visible("bao-cao-\udcff.txt"), visible("a\x1b[2Jb\tc")
    ('bao-cao-\\xff.txt', 'a\\x1b[2Jb\\x09c')
    >>> visible("Báo cáo\x1b[31m đỏ\u202e\r\nhết", layout=True)
    'Báo cáo\\x1b[31m đỏ\\u202e\\x0d\nhết'
    """
    text = _UNDECODED_RE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)
    return (_HIDDEN_BUT_LAYOUT_RE if layout else _HIDDEN_RE).sub(_escape, text)


def json_visible(dumped: str) -> str:
    r"""A JSON document (``json.dumps(…, ensure_ascii=False)``) with the hidden characters json leaves raw (DEL, C1,
    bidirectional and zero-width marks, lone surrogates) written as ``\uXXXX``: still valid JSON, and the same
    value when parsed.

    >>> json_visible('{"doc": "a\u202eb"}')
    '{"doc": "a\\u202eb"}'
    """
    return _HIDDEN_BUT_LAYOUT_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)

"""Edit Markdown outside its code (a link or tag shown as code stays as it is)."""

from __future__ import annotations

import re
from collections.abc import Callable

_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


def segments(text: str) -> list[tuple[bool, str]]:
    """(is_code, text) pieces that join back to ``text``."""
    out: list[tuple[bool, str]] = []
    pos = 0
    while True:
        opening = _OPEN.search(text, pos)
        if opening is None:
            break
        fence = opening[1]
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        line_end = text.find("\n", opening.end())
        closing = close.search(text, line_end + 1) if line_end != -1 else None
        end = len(text) if closing is None else closing.end()
        out.append((False, text[pos : opening.start()]))
        out.append((True, text[opening.start() : end]))
        pos = end
    out.append((False, text[pos:]))
    return [(code, piece) for code, piece in out if piece]


#: A code span: backticks, text within one paragraph (no blank line), as many backticks.
_SPAN = re.compile(r"(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)", re.DOTALL)


def outside_code(text: str, edit: Callable[[str], str]) -> str:
    """``text`` with ``edit`` applied to every piece outside fenced code and code spans."""
    return "".join(piece if code else _outside_spans(piece, edit) for code, piece in segments(text))


def _outside_spans(text: str, edit: Callable[[str], str]) -> str:
    out: list[str] = []
    pos = 0
    for span in _SPAN.finditer(text):
        out.append(edit(text[pos : span.start()]))
        out.append(span[0])
        pos = span.end()
    out.append(edit(text[pos:]))
    return "".join(out)

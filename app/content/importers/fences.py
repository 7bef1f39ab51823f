"""Edit Markdown outside its fenced code blocks (a link or tag shown as code stays as is)."""

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


def outside_code(text: str, edit: Callable[[str], str]) -> str:
    """``text`` with ``edit`` applied to every piece outside fenced code."""
    return "".join(piece if code else edit(piece) for code, piece in segments(text))

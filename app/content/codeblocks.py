"""Code blocks highlighted with Pygments, with one lexer and one formatter kept per option set.

A fence's info string names the language and, optionally, options: ```` ```python
hl_lines="2 3" ````, ```` ```python {linenums="1" .wide} ```` or ```` ~~~ { .js linenums="1" }
~~~```` (the first class is then the language, the others go on the block). Unknown languages
and indented code are shown plain, escaped, in the same markup.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from app import tricks
from app.content import highlightmemo

try:  # joined rules read regexes with ``re``'s own parser, a private module (CPython 3.11+)
    from app.content.lexing import accelerate
except ImportError:  # a Python without it: Pygments' own loop, the same tokens, slower

    def accelerate(lexer: Lexer) -> Lexer:
        return lexer


CSS_CLASS = "highlight"
#: ``#id``, ``.class`` and ``key=value`` (value quoted or not) in ``{...}`` attribute lists.
ATTRIBUTE = re.compile(
    r"""\s*(?:\#(?P<id>[^\s#.{}"'=]+)|\.(?P<cls>[^\s#.{}"'=][^\s{}"'=]*)"""
    r"""|(?P<key>[A-Za-z_][\w:-]*)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'{}]+)))"""
)
_FALSE = {"0", "false", "no", "off", "none", ""}


@dataclass(frozen=True)
class Attributes:
    """What an attribute list ``{#id .a .b key=value}`` says."""

    id: str | None = None
    classes: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()


def parse_attributes(text: str) -> Attributes | None:
    """The attributes of ``text`` (the inside of ``{...}``); None unless all of it is attributes."""
    ident, classes, pairs = None, [], []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        found = ATTRIBUTE.match(text, pos)
        if found is None:
            return None
        pos = found.end()
        if found["id"]:
            ident = found["id"]
        elif found["cls"]:
            classes.append(found["cls"])
        else:
            value = next(v for v in (found["dq"], found["sq"], found["bare"]) if v is not None)
            pairs.append((found["key"], value))
    return Attributes(ident, tuple(classes), tuple(pairs))


@dataclass(frozen=True)
class Fence:
    """A code block's language and highlighting options."""

    lang: str = ""
    classes: tuple[str, ...] = ()
    hl_lines: tuple[int, ...] = ()
    linenos: str | bool = False
    linenostart: int = 1


def parse_info(info: str) -> Fence:
    """A fence from its info string: the language first, then options, braced or not."""
    info = info.strip()
    lang = ""
    if not info.startswith("{"):
        lang, _, info = info.partition(" ")
        lang = lang.lstrip(".")
        info = info.strip()
    if info.startswith("{") and info.endswith("}"):
        info = info[1:-1]
    attrs = parse_attributes(info) or Attributes()
    classes = attrs.classes
    if not lang and classes:
        lang, classes = classes[0], classes[1:]
    options = dict(attrs.pairs)
    hl_lines = tuple(int(n) for n in options.get("hl_lines", "").split() if n.isdigit())
    linenums = options.get("linenums", "").strip().lower()
    linenos: str | bool = False
    if "linenums" in options and linenums not in _FALSE:
        linenos = "inline" if linenums == "inline" else "table"
    start = options.get("linenostart", "1")
    return Fence(lang, classes, hl_lines, linenos, int(start) if start.isdigit() else 1)


def _lexer(lang: str) -> Lexer:
    """One lexer per language name (finding one by alias costs a tenth of a block's
    highlighting), lexing with its rules joined (``lexing``; the ``joined-lexers`` trick);
    lexers keep no state between texts."""
    return _lexer_of(lang, tricks.enabled("joined-lexers"))


@lru_cache(maxsize=64)
def _lexer_of(lang: str, joined: bool) -> Lexer:
    if lang:
        try:
            lexer = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
        except ClassNotFound:
            return TextLexer(stripnl=False, ensurenl=False)
        return accelerate(lexer) if joined else lexer
    return TextLexer(stripnl=False, ensurenl=False)


@lru_cache(maxsize=32)
def _formatter(
    classes: tuple[str, ...], hl_lines: tuple[int, ...], linenos: str | bool, linenostart: int
) -> HtmlFormatter[str]:
    """One formatter per option set: building one compiles its whole style table, which
    costs more than highlighting a typical block."""
    return HtmlFormatter(
        cssclass=" ".join((*classes, CSS_CLASS)),
        wrapcode=True,
        hl_lines=list(hl_lines),
        linenos=linenos,
        linenostart=linenostart,
    )


def highlight_code(code: str, fence: Fence = Fence()) -> str:
    """``<div class="highlight"><pre>...`` for a block of code; in a sync, read back from
    the ``highlightmemo`` when the same block was highlighted before."""
    memo = highlightmemo.current()
    if memo is None:
        return _highlight(code, fence)
    key = memo.key(code, fence)
    found = memo.get(key)
    if found is None:
        found = _highlight(code, fence)
        memo.put(key, found)
    return found


def _highlight(code: str, fence: Fence) -> str:
    formatter = _formatter(fence.classes, fence.hl_lines, fence.linenos, fence.linenostart)
    return highlight(code, _lexer(fence.lang), formatter)


#: Stands for a highlighted block while the HTML around it is sanitized: Pygments escapes
#: the code and writes only its own markup, which costs nh3 half of a post's sanitizing.
#: The random part keeps a document from writing a placeholder of its own.
_MARK = f"mb-code-{secrets.token_hex(8)}-"
_PLACEHOLDER = re.compile(re.escape(f'<pre class="{_MARK}') + r'([0-9]+)"></pre>')


def placeholder(index: int) -> str:
    """The element that stands for code block ``index`` of a document until it is filled."""
    return f'<pre class="{_MARK}{index}"></pre>'  # the block's HTML ends its line


def fill_placeholders(html: str, blocks: Sequence[str]) -> tuple[str, bool]:
    """``html`` with each placeholder replaced by its block's HTML, and whether each block's
    placeholder was there exactly once, as an element, and no other trace of one: in
    sanitized HTML, nh3 escapes the quotes or brackets of one in an attribute or in text."""
    seen: list[int] = []

    def block(found: re.Match[str]) -> str:
        index = int(found[1])
        seen.append(index)
        return blocks[index] if index < len(blocks) else ""

    filled = _PLACEHOLDER.sub(block, html)
    return filled, sorted(seen) == list(range(len(blocks))) and _MARK not in filled

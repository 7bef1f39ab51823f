"""The Markdown dialect: CommonMark (markdown-it-py) with what posts need on top.

Tables and ``~~strikethrough~~`` as on GitHub; footnotes (``[^1]``); an ``id`` on every
heading and ``[TOC]`` for a table of contents (headings 2-4); ``{#id .class key=value}``
after a heading, an image, a link or inline code; Pygments code blocks
(``app.content.codeblocks``). Raw HTML is kept here and sanitized afterwards, except tags
whose content the sanitizer would delete or read as plain text (``<style>``, ``<script>``,
``<svg>``...): their ``<`` is escaped, as GitHub's tag filter does, so they show as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple, cast

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from app.content.autolinks import GitHubLinks
from app.content.codeblocks import (
    Fence,
    highlight_code,
    parse_attributes,
    parse_info,
    placeholder,
)

#: Headings listed in a table of contents.
TOC_LEVELS = range(2, 5)
TOC_MARKER = "[TOC]"
_NOT_WORD = re.compile(r"[^\w\s-]")
_SPACES = re.compile(r"[-\s]+")
_COUNTED = re.compile(r"^(.*)_([0-9]+)$")
#: GitHub's tag filter (GFM spec, "Disallowed Raw HTML"): these tags' ``<`` becomes ``&lt;``.
GFM_FILTERED_TAGS = (
    "title", "textarea", "style", "xmp", "iframe", "noembed", "noframes", "script", "plaintext",
)  # fmt: skip
#: SVG and MathML elements: the sanitizer deletes each with everything in it, wherever it is.
_DRAWING_TAGS = (
    "svg", "animate", "circle", "defs", "desc", "discard", "ellipse", "filter", "g", "line",
    "marker", "mask", "metadata", "mpath", "path", "pattern", "polygon", "polyline", "rect",
    "set", "stop", "switch", "symbol", "text", "tspan", "use", "view",
    "math", "maction", "annotation", "annotation-xml", "menclose", "merror", "mfenced",
    "mfrac", "mglyph", "mi", "malignmark", "mlabeledtr", "mmultiscripts", "mn", "mo", "mover",
    "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle",
    "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
    "none", "semantics",
)  # fmt: skip
#: Ours on top of GitHub's: tags the sanitizer deletes with their content (``<template>``,
#: drawings) or reads as plain text (``<noscript>``).
FILTERED_TAGS = (*GFM_FILTERED_TAGS, "template", "noscript", *_DRAWING_TAGS)
#: A ``<`` that opens a filtered tag (as ``tagfilter.c`` matches one: a space, ``>`` or ``/>``
#: after the name), or a processing instruction, a declaration or CDATA: the sanitizer
#: deletes those, comments (``<!--``) aside.
_FILTERED = re.compile(
    rf"<(?=/?(?:{'|'.join(FILTERED_TAGS)})(?:[\t\n\v\f\r >]|/>)|\?|!(?!--))", re.IGNORECASE
)


def heading_slug(text: str) -> str:
    """A heading's id: lowercase words joined by hyphens, any script kept ("café-crème")."""
    return _SPACES.sub("-", _NOT_WORD.sub("", text).strip().lower())


def _unique(ident: str, taken: set[str], runs: dict[str, tuple[int, int]]) -> str:
    """``ident``, or ``ident_1``, ``ident_2``... if a heading before took it.

    ``runs`` remembers, per stem, numbers ``first..last`` found taken: a hundred thousand
    headings of one name cost one step each, not one per heading before them.
    """
    if ident and ident not in taken:
        taken.add(ident)
        return ident
    counted = _COUNTED.match(ident)
    stem, number = (counted[1], int(counted[2]) + 1) if counted else (ident, 1)
    first, last = runs.get(stem, (0, -1))
    if first <= number <= last + 1:
        number = last + 1
    else:
        first = number
    while f"{stem}_{number}" in taken:
        number += 1
    runs[stem] = (first, number)
    ident = f"{stem}_{number}"
    taken.add(ident)
    return ident


def trailing_attributes(text: str) -> tuple[int, str] | None:
    """Where a trailing ``{...}`` or ``{:...}`` (and the spaces before it) starts in
    ``text``, and what is inside it; None if ``text`` does not end with one. Linear time
    for any text (a regex searching for ``\\s*{`` tried every space of a long heading
    again from each space: a 60 KB heading took seconds)."""
    end = len(text.rstrip())
    if not end or text[end - 1] != "}":
        return None
    brace = text.rfind("{", 0, end - 1)
    inside = text[brace + 1 : end - 1]
    if brace < 0 or "}" in inside or "\n" in inside:
        return None
    return len(text[:brace].rstrip()), inside[1:] if inside.startswith(":") else inside


def _text(tokens: Sequence[Token] | None) -> str:
    """The visible text of inline tokens (an image counts by its alt text)."""
    parts: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.children:
            parts.append(_text(token.children))
    return "".join(parts)


def _heading_attributes(state: StateCore) -> None:
    """Take a trailing ``{#id .class}`` off headings, before their text is parsed."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        found = trailing_attributes(inline.content)
        attrs = parse_attributes(found[1]) if found else None
        if found is None or attrs is None:
            continue
        inline.content = inline.content[: found[0]]
        if attrs.id:
            token.attrSet("id", attrs.id)
        if attrs.classes:
            token.attrSet("class", " ".join(attrs.classes))
        for key, value in attrs.pairs:
            token.attrSet(key, value)


def _tag_filter(state: StateCore) -> None:
    """Escape filtered tags in raw HTML, block and inline; note whether there is raw HTML."""
    raw = False
    for token in state.tokens:
        if token.type == "html_block":
            raw = True
            token.content = _FILTERED.sub("&lt;", token.content)
        elif token.type == "inline":
            for child in token.children or ():
                if child.type == "html_inline":
                    raw = True
                    child.content = _FILTERED.sub("&lt;", child.content)
    state.env["raw_html"] = raw


def _toc(entries: list[tuple[int, str, str]]) -> str:
    """Nested lists of links to the headings, as ``(level, id, text)``."""
    out = ['<div class="toc">\n']
    levels: list[int] = []
    for level, ident, text in entries:
        while levels and levels[-1] > level:
            out.append("</li>\n</ul>\n")
            levels.pop()
        if levels and levels[-1] == level:
            out.append("</li>\n")
        else:
            out.append("<ul>\n")
            levels.append(level)
        out.append(f'<li><a href="#{html.escape(ident)}">{html.escape(text)}</a>')
    out.extend("</li>\n</ul>\n" for _ in levels)
    out.append("</div>\n")
    return "".join(out)


def _heading_ids(state: StateCore) -> None:
    """Give every heading a unique id, note the table of contents, replace ``[TOC]``."""
    tokens = state.tokens
    # Ids the author gave are kept (the first time: a repeat gets a suffix too).
    taken = {str(t.attrs["id"]) for t in tokens if t.type == "heading_open" and "id" in t.attrs}
    given: set[str] = set()
    runs: dict[str, tuple[int, int]] = {}
    entries: list[tuple[int, str, str]] = []
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = " ".join(_text(tokens[i + 1].children).split())
        ident = str(token.attrs.get("id") or "")
        if not ident:
            ident = _unique(heading_slug(text), taken, runs)
        elif ident in given:
            ident = _unique(ident, taken, runs)
        given.add(ident)
        token.attrSet("id", ident)
        level = int(token.tag[1])
        if level in TOC_LEVELS:
            entries.append((level, ident, text))
    toc = _toc(entries)
    state.env["toc_html"] = toc if entries else ""
    for i in range(len(tokens) - 2, 0, -1):
        if (
            tokens[i].type == "inline"
            and tokens[i].content.strip() == TOC_MARKER
            and tokens[i - 1].type == "paragraph_open"
            and tokens[i - 1].level == 0
        ):
            block = Token("html_block", "", 0, content=toc, block=True)
            tokens[i - 1 : i + 2] = [block]


def _stash(env: dict[str, Any], html: str) -> str:
    """Keep a highlighted block aside (``env["code_blocks"]``), a placeholder in its place."""
    blocks = env.setdefault("code_blocks", [])
    blocks.append(html)
    return placeholder(len(blocks) - 1)


def _fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    return _stash(env, highlight_code(token.content, parse_info(token.info)))


def _code_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return _stash(env, highlight_code(tokens[idx].content, Fence()))


def _footnote_label(token: Token) -> str:
    label = token.meta.get("label")
    return html.escape(str(label if label is not None else token.meta["id"] + 1))


def _footnote_ids(token: Token) -> tuple[str, str, int]:
    """A reference's label, its own id (``fnref:x``, then ``fnref2:x``...) and the number."""
    label, sub = _footnote_label(token), token.meta.get("subId", 0)
    return label, f"fnref{sub + 1}:{label}" if sub > 0 else f"fnref:{label}", token.meta["id"] + 1


def _footnote_ref(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    label, ref, number = _footnote_ids(tokens[idx])
    return f'<sup id="{ref}"><a class="footnote-ref" href="#fn:{label}">{number}</a></sup>'


def _footnote_anchor(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    _label, ref, number = _footnote_ids(tokens[idx])
    return (
        f'&#160;<a class="footnote-backref" href="#{ref}" '
        f'title="Back to reference {number}">&#8617;</a>'
    )


def _footnote_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f'<li id="fn:{_footnote_label(tokens[idx])}">'


_RENDER_RULES = {
    "fence": _fence,
    "code_block": _code_block,
    "footnote_ref": _footnote_ref,
    "footnote_anchor": _footnote_anchor,
    "footnote_open": _footnote_open,
    "footnote_block_open": lambda *_: '<div class="footnote">\n<hr>\n<ol>\n',
    "footnote_block_close": lambda *_: "</ol>\n</div>\n",
}


@cache
def parser() -> MarkdownIt:
    """The one configured parser of a process (it keeps no state between documents)."""
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    md.linkify = cast(Any, GitHubLinks(md.linkify))  # as GitHub links, and only where it can
    md.use(tasklists_plugin)
    md.use(footnote_plugin, inline=False)
    md.use(attrs_plugin)
    md.core.ruler.before("inline", "heading_attributes", _heading_attributes)
    md.core.ruler.after("inline", "tag_filter", _tag_filter)
    md.core.ruler.push("heading_ids", _heading_ids)
    for name, rule in _RENDER_RULES.items():
        md.add_render_rule(name, rule)
    return md


class Markup(NamedTuple):
    """A body's HTML, not sanitized yet."""

    #: With code blocks as placeholders (see ``codeblocks.fill_placeholders``).
    html: str
    #: The table of contents ("" with no headings).
    toc_html: str
    #: The code blocks' HTML.
    code_blocks: list[str]
    #: Whether the body has raw HTML (only raw HTML can lose text to the sanitizer).
    raw_html: bool


def to_html(body: str) -> Markup:
    """A body's HTML, its table of contents and code blocks."""
    env: dict[str, Any] = {}
    md = parser()
    out = md.renderer.render(md.parse(body, env), md.options, env)
    return Markup(
        out.rstrip(), env.get("toc_html", ""), env.get("code_blocks", []), env["raw_html"]
    )


def block_lines(body: str) -> list[tuple[int, int]]:
    """Where each block of ``to_html(body).html`` starts, and its first line in ``body``
    (from 1), as ``(offset, line)`` in order. Renders again: for messages, not every save."""
    env: dict[str, Any] = {}
    md = parser()
    tokens = md.parse(body, env)
    renderer, options = md.renderer, md.options
    assert isinstance(renderer, RendererHTML)
    offset, starts = 0, []
    for i, token in enumerate(tokens):  # as ``RendererHTML.render`` goes
        if token.map is not None and token.level == 0:
            starts.append((offset, token.map[0] + 1))
        if token.type == "inline":
            out = renderer.renderInline(token.children or [], options, env)
        elif token.type in renderer.rules:
            out = renderer.rules[token.type](tokens, i, options, env)
        else:
            out = renderer.renderToken(tokens, i, options, env)
        offset += len(out)
    return starts

"""Markdown to safe HTML, done once when a post is saved or imported (never per page view)."""

from __future__ import annotations

import html as _html
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import markdown
import nh3
from markdown.extensions import codehilite
from markdown.extensions.toc import slugify_unicode
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name

_EXTENSIONS = ["fenced_code", "codehilite", "tables", "footnotes", "toc", "sane_lists", "attr_list"]
_EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False, "wrapcode": True},
    "toc": {"slugify": slugify_unicode, "toc_depth": "2-4"},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}

_TAGS = nh3.ALLOWED_TAGS | {"figure", "figcaption", "details", "summary", "mark", "abbr"}
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_GLOBAL_ATTRIBUTES = {"id", "class", "title"}
for _tag in _TAGS:
    _ATTRIBUTES.setdefault(_tag, set()).update(_GLOBAL_ATTRIBUTES)
_ATTRIBUTES["img"] |= {"src", "alt", "width", "height", "loading"}
_ATTRIBUTES["a"] |= {"href", "rel"}
_ATTRIBUTES["th"] |= {"style", "align"}
_ATTRIBUTES["td"] |= {"style", "align"}
_URL_SCHEMES = {"http", "https", "mailto"}

_state = threading.local()
_WORD = re.compile(r"\w+")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_FOOTNOTE_REF = re.compile(r'<sup id="fnref[^"]*">.*?</sup>', re.DOTALL)


@dataclass(frozen=True)
class Rendered:
    """What one Markdown body renders to."""

    html: str
    toc_html: str
    text: str
    word_count: int
    #: Text of the first paragraph: the default summary.
    lead: str


#: Distinct formatter option sets kept per thread (code blocks rarely vary them).
_MAX_FORMATTERS = 32


def _cached_formatter() -> Callable[..., HtmlFormatter]:
    """A ``pygments_formatter`` for codehilite that reuses one formatter per option set.

    Building an ``HtmlFormatter`` compiles its whole style table, which cost more than
    highlighting a typical code block. codehilite passes ``lang_str`` only to formatters given
    as a callable; it is dropped so the HTML stays exactly what the default 'html' name gives.
    """
    formatters: dict[str, HtmlFormatter] = {}

    def formatter(lang_str: str = "", **options: Any) -> HtmlFormatter:
        key = repr(sorted(options.items()))
        found = formatters.get(key)
        if found is None:
            if len(formatters) >= _MAX_FORMATTERS:
                formatters.clear()
            found = formatters[key] = HtmlFormatter(**options)
        return found

    return formatter


@lru_cache(maxsize=64)
def _lexer(name: str, options: tuple[tuple[str, Any], ...]) -> Lexer:
    return get_lexer_by_name(name, **dict(options))


def _cached_lexer(name: str, **options: Any) -> Lexer:
    """``get_lexer_by_name`` for codehilite, one lexer per language and options (as Sphinx
    keeps them): finding a lexer by alias cost about a tenth of highlighting a block."""
    key = tuple(sorted(options.items()))
    try:
        return _lexer(name, key)
    except TypeError:  # an unhashable option: not worth keeping
        return get_lexer_by_name(name, **options)


codehilite.get_lexer_by_name = _cached_lexer  # lexers keep no state between texts


def _markdown() -> markdown.Markdown:
    """One configured Markdown instance per thread, reset between documents."""
    md = getattr(_state, "md", None)
    if md is None:
        configs = {**_EXTENSION_CONFIGS}
        configs["codehilite"] = {**configs["codehilite"], "pygments_formatter": _cached_formatter()}
        md = _state.md = markdown.Markdown(
            extensions=_EXTENSIONS, extension_configs=configs, output_format="html"
        )
    return md


def sanitize(html: str) -> str:
    """Strip scripts, event handlers and unsafe URLs, keeping what Markdown produces."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        filter_style_properties={"text-align"},
    )


def plain_text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace folded."""
    return _html.unescape(" ".join(nh3.clean(html, tags=set()).split()))


def render_markdown(body: str) -> Rendered:
    """Render a Markdown body with highlighting, tables, footnotes and heading ids, sanitized."""
    md = _markdown()
    try:
        html = md.convert(body)
        toc = getattr(md, "toc", "") if getattr(md, "toc_tokens", None) else ""
    finally:
        md.reset()
    safe = sanitize(html)
    text = plain_text(safe)
    first = _FIRST_PARAGRAPH.search(safe)
    return Rendered(
        html=safe,
        toc_html=sanitize(toc) if toc else "",
        text=text,
        word_count=len(_WORD.findall(text)),
        lead=plain_text(_FOOTNOTE_REF.sub("", first.group(1))) if first else text,
    )


def summarize(text: str, words: int = 40) -> str:
    """A summary from a post's text: its first ``words`` words."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")

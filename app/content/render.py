"""Markdown to safe HTML, done once when a post is saved or imported (never per page view)."""

from __future__ import annotations

import hashlib
import html as _html
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

import nh3

from app.content.codeblocks import fill_placeholders
from app.content.markdown import to_html
from app.content.removed import Removal, find_removals
from app.content.templatetags import template_tag_warnings

_TAGS = nh3.ALLOWED_TAGS | {"figure", "figcaption", "details", "summary", "mark", "abbr"}
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_GLOBAL_ATTRIBUTES = {"id", "class", "title"}
for _tag in _TAGS:
    _ATTRIBUTES.setdefault(_tag, set()).update(_GLOBAL_ATTRIBUTES)
_ATTRIBUTES["img"] |= {"src", "alt", "width", "height", "loading"}
_ATTRIBUTES["a"] |= {"href", "rel"}
_ATTRIBUTES["th"] |= {"style", "align"}
_ATTRIBUTES["td"] |= {"style", "align"}
#: Task list items (``- [x] done``): an input is always a disabled checkbox that shows the
#: state (``set_tag_attribute_values``), never a field a reader types into.
_TAGS = _TAGS | {"input"}
_ATTRIBUTES["input"] = {"checked", "class"}
#: Link and image URL schemes kept (docs/content.md); any other (``javascript:``, ``data:``,
#: ``vbscript:``...) loses its ``href``/``src``. None of these runs code in a page.
URL_SCHEMES = frozenset(
    {"http", "https", "mailto", "tel", "sms", "ftp", "sftp", "irc", "ircs", "xmpp", "geo"}
    | {"matrix", "webcal"}
)
#: One configured cleaner: ``nh3.clean`` with these arguments builds its rules on every call
#: (seven times the time of the cleaning itself, for a post).
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes=set(URL_SCHEMES),
    link_rel=None,
    filter_style_properties={"text-align"},
    set_tag_attribute_values={"input": {"type": "checkbox", "disabled": "disabled"}},
)

_WORD = re.compile(r"\w+")
#: ASCII characters that are not ``\w``, made spaces: words are then what ``split`` finds.
_ASCII_NOT_WORD = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}
)
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_FOOTNOTE_REF = re.compile(r'<sup id="fnref[^"]*">.*?</sup>', re.DOTALL)
#: A tag as nh3 writes it: attribute values double-quoted (they may hold ``>``), no comments.
_TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')
#: What the HTML of a body depends on besides the body: these modules and these libraries.
_RENDERER_MODULES = (
    "render.py",
    "markdown.py",
    "autolinks.py",
    "codeblocks.py",
    "lexing.py",
    "removed.py",
)
_RENDERER_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "pygments", "nh3")


@dataclass(frozen=True)
class Rendered:
    """What one Markdown body renders to."""

    html: str
    toc_html: str
    text: str
    word_count: int
    #: Text of the first paragraph: the default summary.
    lead: str
    #: Text the sanitizer removed (raw HTML hid it), by line of the body.
    removed: tuple[Removal, ...] = ()


@cache
def renderer_id() -> str:
    """Names this renderer (our code and the libraries' versions), kept with each row: a
    sync renders again the rows another renderer made, as after an upgrade; a build renders
    every page again."""
    h = hashlib.blake2b(digest_size=8)
    here = Path(__file__).parent
    for name in _RENDERER_MODULES:
        h.update((here / name).read_bytes())
    for library in _RENDERER_LIBRARIES:
        h.update(f"{library}={version(library)};".encode())
    return h.hexdigest()


def sanitize(html: str) -> str:
    """Strip scripts, event handlers and unsafe URLs, keeping what Markdown produces."""
    return _CLEANER.clean(html)


def plain_text(safe_html: str) -> str:
    """The visible text of sanitized HTML (``sanitize``'s output), whitespace folded."""
    return _html.unescape(" ".join(_TAG.sub("", safe_html).split()))


def _sanitize_around(html: str, blocks: list[str]) -> str:
    """``sanitize`` of ``html`` with its code blocks filled in, without parsing the blocks:
    they are Pygments' escaped markup. Raw HTML that swallowed a placeholder (an unclosed
    attribute, say) gets the whole document sanitized instead."""
    if blocks:
        filled, exact = fill_placeholders(sanitize(html), blocks)
        if exact:
            return filled.rstrip()  # as ``to_html`` strips the end
        html, _ = fill_placeholders(html, blocks)
    return sanitize(html)


@lru_cache(maxsize=4)  # a save renders, then the admin or the API asks for its warnings
def render_markdown(body: str) -> Rendered:
    """Render a Markdown body with highlighting, tables, footnotes and heading ids, sanitized."""
    html, toc, blocks, raw_html = to_html(body)
    safe = _sanitize_around(html, blocks)
    text = plain_text(safe)
    return Rendered(
        html=safe,
        toc_html=sanitize(toc) if toc else "",
        text=text,
        word_count=word_count(text),
        lead=_lead(safe, text),
        removed=find_removals(body, html, safe) if raw_html else (),
    )


def _lead(safe_html: str, text: str) -> str:
    """The text of the first paragraph that has any (one that holds only an image has
    none), else the whole text."""
    for found in _FIRST_PARAGRAPH.finditer(safe_html):
        lead = plain_text(_FOOTNOTE_REF.sub("", found.group(1)))
        if lead:
            return lead
    return text


def body_warnings(body: str, location: str = "", first_line: int = 1) -> list[str]:
    """What sanitizing ``body`` removes, and the template tags of another generator left
    in it (``templatetags``), one message each: lines of the body, or of the file
    ``location`` whose body starts on line ``first_line``."""
    tags = template_tag_warnings(body, location, first_line)
    if "<" not in body:  # no raw HTML, nothing removed: not worth a render
        return tags
    removed = render_markdown(body).removed
    return [*(removal.message(location, first_line) for removal in removed), *tags]


def word_count(text: str) -> int:
    r"""How many runs of word characters (``\w+``) ``text`` has; ASCII text without ``re``
    (a quarter of the time)."""
    if text.isascii():
        return len(text.translate(_ASCII_NOT_WORD).split())
    return len(_WORD.findall(text))


def summarize(text: str, words: int = 40) -> str:
    """A summary from a post's text: its first ``words`` words."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")

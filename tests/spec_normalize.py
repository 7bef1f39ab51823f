"""HTML normalised as the CommonMark spec's tests compare it, and our additions taken out.

``normalize_html`` follows the rules of the spec's ``test/normalize.py`` (Copyright (c) 2014,
John MacFarlane, BSD 2-clause; adapted from karlcow/markdown-testsuite): whitespace runs
folded outside ``<pre>``, whitespace around block tags dropped, ``<br />`` as ``<br>``,
attributes sorted, character references read (``< > & "`` as entities), comments,
declarations, processing instructions and CDATA kept as they are. Two rules more, for
serializers' choices that change nothing a browser shows: references are read first, as
text (so ``&nbsp;`` folds like the no-break space it is), and a text's ``& < > "`` are
then written as entities (html5ever writes ``"`` and ``&gt;`` where the spec writes
``&quot;`` and ``>``).

``without_additions`` takes out of our HTML what we add on purpose, the same way for
every example: heading ids, and Pygments' markup around code blocks (``<div
class="highlight"><pre><span></span><code>`` and the token spans), so that a code block
compares as ``<pre><code>``. Two spellings of markdown-it's that a browser shows as the
spec's are written as the spec writes them: ``<s>`` for ``<del>`` and a table cell's
``style="text-align:center"`` for ``align="center"``. ``without_language`` drops the
``language-*`` class the spec puts on a fenced block's ``<code>`` (ours is highlighted).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import quote, unquote

_BLOCK_NAMES = """article header aside hgroup blockquote hr iframe body li map button object
canvas ol caption output col p colgroup pre dd progress div section dl table td dt tbody embed
textarea fieldset tfoot figcaption th figure thead footer tr form ul h1 h2 h3 h4 h5 h6 video
script style"""
_BLOCK_TAGS = frozenset(_BLOCK_NAMES.split())
_WHITESPACE = re.compile(r"\s+")
_TEXT_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_CHUNK = re.compile(r"<!\[CDATA\[.*?\]\]>|<[^>]*>|[^<]+", re.DOTALL)
_HEADING_ID = re.compile(r'(<h[1-6])((?: [a-z-]+="[^"]*")*?) id="[^"]*"')
_HIGHLIGHT = re.compile(
    r'<div class="highlight"><pre><span></span><code>(.*?)</code></pre></div>', re.DOTALL
)
_SPAN = re.compile(r"</?span[^>]*>")
_LANGUAGE = re.compile(r'<code class="language-[^"]*">')
_STRIKE = re.compile(r"<(/?)s>")
_ALIGN = re.compile(r'<(t[hd]) style="text-align:(left|center|right)">')


class _Normalizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.last = "starttag"
        self.last_tag = ""
        self.in_pre = False
        self.output = ""

    def handle_data(self, data: str) -> None:
        for char, entity in _TEXT_ENTITIES.items():
            data = data.replace(char, entity)
        after_tag = self.last in ("endtag", "starttag")
        after_block_tag = after_tag and self.last_tag in _BLOCK_TAGS
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = _WHITESPACE.sub(" ", data)
        if after_block_tag and not self.in_pre:
            data = data.lstrip() if self.last == "starttag" else data.strip()
        self.output += data
        self.last = "data"

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.in_pre = False
        elif tag in _BLOCK_TAGS:
            self.output = self.output.rstrip()
        self.output += f"</{tag}>"
        self.last_tag, self.last = tag, "endtag"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.in_pre = True
        if tag in _BLOCK_TAGS:
            self.output = self.output.rstrip()
        self.output += f"<{tag}"
        for name, value in sorted(attrs):
            self.output += f" {name}"
            if value is not None and name in ("href", "src"):
                self.output += f'="{quote(unquote(value), safe="/")}"'
            elif value is not None:
                self.output += f'="{html.escape(value, quote=True)}"'
        self.output += ">"
        self.last_tag, self.last = tag, "starttag"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.last = "endtag"

    def handle_comment(self, data: str) -> None:
        self.output += f"<!--{data}-->"
        self.last = "comment"

    def handle_decl(self, decl: str) -> None:
        self.output += f"<!{decl}>"
        self.last = "decl"

    def unknown_decl(self, data: str) -> None:
        self.output += f"<!{data}>"
        self.last = "decl"

    def handle_pi(self, data: str) -> None:
        self.output += f"<?{data}>"
        self.last = "pi"


def normalize_html(markup: str) -> str:
    """``markup`` as the spec's tests compare it."""
    parser = _Normalizer()
    for chunk in _CHUNK.finditer(markup):
        if chunk[0].startswith("<![CDATA"):
            parser.output += chunk[0]
        else:
            parser.feed(chunk[0])
    parser.close()
    return parser.output


def without_additions(markup: str) -> str:
    """Our HTML without heading ids, code blocks as plain ``<pre><code>``, ``<del>`` for
    ``<s>`` and ``align`` for a cell's ``text-align``."""
    markup = _HEADING_ID.sub(r"\1\2", markup)
    markup = _ALIGN.sub(r'<\1 align="\2">', _STRIKE.sub(r"<\1del>", markup))
    return _HIGHLIGHT.sub(lambda m: f"<pre><code>{_SPAN.sub('', m[1])}</code></pre>", markup)


def without_language(markup: str) -> str:
    """The spec's HTML without the ``language-*`` class of fenced code."""
    return _LANGUAGE.sub("<code>", markup)

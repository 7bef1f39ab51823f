"""The common shortcodes and template tags of the old tools, converted; the rest reported.

WordPress ([caption], [gallery], [embed], [youtube], [audio]/[video], [code]) works on the
HTML before it becomes Markdown; Liquid ({% highlight %}, {% raw %}, {% link %},
{% post_url %}, ``site.baseurl``) and Hugo ({{< figure >}}, {{< youtube >}},
{{< highlight >}}, {{< ref >}}, {{< relref >}}, {{< gist >}}) on the Markdown. A link to
another post becomes ``import-ref:KEY``, resolved once every post has its new URL.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from app.content.importers.model import line_of
from app.content.importers.report import Report

REF_SCHEME = "import-ref:"


def ref_url(key: str) -> str:
    """A placeholder link to the post the old site knew as ``key``."""
    return REF_SCHEME + quote(key.strip().strip("\"'"), safe="/._-")


@dataclass
class Place:
    """Where a text starts in its source file, for problems found in it."""

    report: Report
    source: str
    line: int

    def at(self, text: str, pos: int) -> int:
        return self.line + line_of(text, pos) - 1

    def left(self, text: str, pos: int, what: str, hint: str) -> None:
        self.report.warn(self.source, self.at(text, pos), f"{what} left as text", hint)


_ARG = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"']+)|("[^"]*"|'[^']*'|[^\s"']+)""")


def parse_args(text: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments of a shortcode: 'a "b c" key="v"'."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for match in _ARG.finditer(text):
        if match[1]:
            named[match[1].lower()] = match[2].strip("\"'")
        else:
            positional.append(match[3].strip("\"'"))
    return positional, named


def _link(url: str, label: str | None = None) -> str:
    return f'<p><a href="{html.escape(url)}">{html.escape(label or url)}</a></p>'


def _youtube(ref: str) -> str:
    ref = ref.strip()
    return ref if "://" in ref else f"https://www.youtube.com/watch?v={ref}"


# -- WordPress (HTML) ---------------------------------------------------------------------

_WP_PAIRED = re.compile(r"\[(caption|embed|code|sourcecode)\b([^\]]*)\](.*?)\[/\1\]", re.S | re.I)
_WP_SINGLE = re.compile(r"\[(gallery|youtube|audio|video|vimeo)\b=?([^\]]*)\]", re.I)
_WP_OTHER = re.compile(r"\[([a-z][a-z0-9_-]*)(\s+[^\]]*=[^\]]*)?\](?:(.*?)\[/\1\])?", re.S)
_HTML_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.S | re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)


def wordpress(text: str, place: Place, attachments: dict[int, str], children: list[str]) -> str:
    """Convert WordPress shortcodes in a post's HTML; report the others with their line."""

    def paired(match: re.Match[str]) -> str:
        name, args, inner = match[1].lower(), match[2], match[3]
        positional, named = parse_args(args)
        if name == "caption":
            img = _IMG.search(inner)
            caption = named.get("caption") or _IMG.sub("", inner).strip()
            caption = re.sub(r"</?a\b[^>]*>", "", caption).strip()
            image = img[0] if img else ""
            return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"
        if name == "embed":
            return _link(inner.strip())
        language = named.get("lang") or named.get("language") or (positional or [""])[0]
        klass = f' class="language-{html.escape(language)}"' if language else ""
        return f"<pre><code{klass}>{html.escape(html.unescape(inner.strip(chr(10))))}</code></pre>"

    def single(match: re.Match[str]) -> str:
        name, args = match[1].lower(), match[2]
        positional, named = parse_args(args)
        if name == "gallery":
            ids = [int(i) for i in re.findall(r"\d+", named.get("ids", ""))]
            urls = [attachments[i] for i in ids if i in attachments] if ids else children
            for missing in [i for i in ids if i not in attachments]:
                place.report.warn(
                    place.source,
                    place.at(text, match.start()),
                    f"[gallery] names attachment {missing}, which is not in the export",
                    "add the image to the post by hand",
                )
            images = "".join(f'<p><img src="{html.escape(u)}" alt=""></p>' for u in urls)
            return f"<div>{images}</div>"
        url = named.get("src") or named.get("url") or named.get("mp4") or named.get("mp3")
        url = url or (positional[0] if positional else "")
        if name == "youtube":
            url = _youtube(url)
        return _link(url) if url else ""

    text = _WP_PAIRED.sub(paired, text)
    text = _WP_SINGLE.sub(single, text)
    code = [m.span() for m in _HTML_CODE.finditer(text)]
    for match in _WP_OTHER.finditer(text):
        if any(start <= match.start() < end for start, end in code):
            continue  # '[i for i in xs if i == 1]' in a code block is code
        if match[2] or match[3] is not None:
            place.left(
                text,
                match.start(),
                f"WordPress shortcode [{match[1]}]",
                "rewrite it in Markdown, or remove it",
            )
    return text


def fenced(match: re.Match[str], language: str, code: str) -> str:
    """A fenced code block for a highlight tag at ``match``: a block of its own, with a blank
    line before or after where the tag stood within a line of text."""
    text, start, end = match.string, match.start(), match.end()
    before = "\n\n" if start and text[start - 1] != "\n" else ""
    after = "\n\n" if end < len(text) and text[end] != "\n" else ""
    return f"{before}```{language}\n{code}\n```{after}"


# -- Liquid (Jekyll) ----------------------------------------------------------------------

_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.S)
_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}\n?", re.S)
_HIGHLIGHT = re.compile(
    r"\{%-?\s*highlight\s+([\w+#.-]+)[^%]*%\}\n?(.*?)\n?\{%-?\s*endhighlight\s*-?%\}", re.S
)
_POST_URL = re.compile(r"\{%-?\s*post_url\s+([^\s%]+)\s*-?%\}")
_LINK = re.compile(r"\{%-?\s*link\s+([^\s%]+)\s*-?%\}")
_SITE_URL = re.compile(r"\{\{-?\s*site\.(?:baseurl|url)\s*-?\}\}")
_URL_FILTER = re.compile(
    r"""\{\{-?\s*(["'])([^"']*)\1\s*\|\s*(?:relative_url|absolute_url)\s*-?\}\}"""
)
_LIQUID_LEFT = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)


def liquid(text: str, place: Place) -> str:
    """Convert Jekyll's Liquid tags; report the others with their line."""
    raws: list[str] = []

    def keep_raw(match: re.Match[str]) -> str:
        raws.append(match[1])
        return f"\x00raw{len(raws) - 1}\x00"

    text = _RAW.sub(keep_raw, text)
    text = _COMMENT.sub("", text)  # a Liquid comment was never shown
    text = _HIGHLIGHT.sub(lambda m: fenced(m, m[1].lower(), m[2]), text)
    text = _POST_URL.sub(lambda m: ref_url(m[1].rsplit("/", 1)[-1]), text)
    text = _LINK.sub(lambda m: ref_url(m[1]), text)
    text = _SITE_URL.sub("", text)
    text = _URL_FILTER.sub(lambda m: m[2], text)
    for match in _LIQUID_LEFT.finditer(text):
        tag = " ".join(match[0].split())
        tag = tag if len(tag) <= 60 else tag[:57] + "…"
        place.left(text, match.start(), f"Liquid tag {tag}", "rewrite it in Markdown, or remove it")
    return re.sub(r"\x00raw(\d+)\x00", lambda m: raws[int(m[1])], text)


# -- Hugo ---------------------------------------------------------------------------------

_HUGO = r"\{\{[<%]-?\s*"
_HUGO_END = r"\s*-?[>%]\}\}"
_HUGO_HIGHLIGHT = re.compile(
    _HUGO
    + r"highlight\s+([^\s>%]+)[^}]*?"
    + _HUGO_END
    + r"\n?(.*?)\n?"
    + _HUGO
    + r"/\s*highlight"
    + _HUGO_END,
    re.S,
)
_HUGO_ESCAPED = re.compile(r"(\{\{[<%])/\*(.*?)\*/([>%]\}\})", re.S)
_HUGO_SHORTCODE = re.compile(_HUGO + r"(/?)\s*([\w/.-]+)(.*?)" + _HUGO_END, re.S)


def hugo(text: str, place: Place) -> str:
    """Convert Hugo's common shortcodes; report the others with their line. A shortcode
    written as ``{{</* name */>}}`` is Hugo's way to show one as text: it stays text."""
    shown: list[str] = []

    def keep(match: re.Match[str]) -> str:
        shown.append(f"{match[1]} {match[2].strip()} {match[3]}")
        return f"\x00shown{len(shown) - 1}\x00"

    text = _HUGO_ESCAPED.sub(keep, text)
    text = _HUGO_HIGHLIGHT.sub(lambda m: fenced(m, m[1].strip(chr(34)).lower(), m[2]), text)

    def one(match: re.Match[str]) -> str:
        closing, name, args = match[1], match[2].lower(), match[3]
        positional, named = parse_args(args)
        first = positional[0] if positional else ""
        converters: dict[str, Callable[[], str]] = {
            "figure": lambda: _figure(named),
            "youtube": lambda: f"[YouTube video]({_youtube(named.get('id', first))})",
            "vimeo": lambda: f"[Vimeo video](https://vimeo.com/{named.get('id', first)})",
            "gist": lambda: f"[gist](https://gist.github.com/{'/'.join(positional[:2])})",
            "ref": lambda: ref_url(first),
            "relref": lambda: ref_url(first),
        }
        if closing:  # the opening tag was reported
            return match[0]
        if name in converters:
            return converters[name]()
        place.left(
            text, match.start(), f"Hugo shortcode {{{{< {name} >}}}}", "rewrite it in Markdown"
        )
        return match[0]

    text = _HUGO_SHORTCODE.sub(one, text)
    return re.sub(r"\x00shown(\d+)\x00", lambda m: shown[int(m[1])], text)


def _figure(named: dict[str, str]) -> str:
    alt = named.get("alt") or named.get("title") or ""
    image = f"![{alt}]({named.get('src', '')})"
    if named.get("link"):
        image = f"[{image}]({named['link']})"
    caption = named.get("caption") or named.get("title") or ""
    return f"{image}\n\n*{caption}*" if caption else image

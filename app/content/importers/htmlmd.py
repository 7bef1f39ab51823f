"""HTML bodies (WordPress, Ghost, reST via docutils) as Markdown, with markdownify.

Code blocks keep their language (``language-x``, ``lang-x``, WordPress's ``brush: x``,
docutils' ``code x``); images, links and tables stay; an embedded frame becomes a link to
what it showed (no network access, no iframe in our posts); an address written out in the
text is an autolink, character for character.
"""

from __future__ import annotations

import re
from typing import Any

from markdownify import MarkdownConverter

from app.content.importers.fences import outside_code

_LANGUAGE = re.compile(r"(?:language|lang|highlight|brush)[-:]\s*([A-Za-z0-9_+#.-]+)")
_YOUTUBE_EMBED = re.compile(r"https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)")
#: An address written out in the text (not a link): it becomes an autolink, kept as it is.
_BARE_URL = re.compile(r"https?://[^\s<>\"]+")
_NOT_LANGUAGES = frozenset(
    {"code", "literal-block", "literal", "highlight", "sourcecode", "notranslate", "wp-block-code"}
)


def _classes(el: Any) -> list[str]:
    value = el.get("class") or []
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def code_language(pre: Any) -> str | None:
    """The language a ``<pre>`` (or its ``<code>``) names in its classes, if any."""
    for el in (pre, pre.find("code")):
        if el is None:
            continue
        classes = _classes(el)
        match = _LANGUAGE.search(" ".join(classes))
        if match:
            return match[1].rstrip(";").lower()
        if "code" in classes:  # docutils: class="code python literal-block"
            rest = [c for c in classes if c not in _NOT_LANGUAGES]
            if rest:
                return rest[0].lower()
    lang = pre.get("data-lang") or pre.get("data-language")
    return str(lang).lower() if lang else None


def _bare_url(match: re.Match[str]) -> str:
    """The address without the punctuation after it; a ')' only when it has its '('."""
    url = match[0].rstrip(".,:;!?'\"")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,:;!?'\"")
    return url


class _Converter(MarkdownConverter):
    def escape(self, text: str, parent_tags: set[str]) -> str:
        # markdownify escapes '_' and '*' in text, which would break a bare address (the
        # renderer's linkify reads the backslashes as part of it): make it an autolink
        escape = super().escape  # type: ignore[misc]
        if "a" in parent_tags or "://" not in text:
            return str(escape(text, parent_tags))
        out, last = [], 0
        for match in _BARE_URL.finditer(text):
            url = _bare_url(match)
            out += [str(escape(text[last : match.start()], parent_tags)), f"<{url}>"]
            last = match.start() + len(url)
        return "".join(out) + str(escape(text[last:], parent_tags))

    def convert_iframe(self, el: Any, text: str, parent_tags: set[str]) -> str:
        src = str(el.get("src") or "")
        if not src:
            return ""
        if src.startswith("//"):
            src = "https:" + src
        youtube = _YOUTUBE_EMBED.match(src)
        if youtube:  # the video's page, not the player
            src = f"https://www.youtube.com/watch?v={youtube[1]}"
        return f"\n\n[{el.get('title') or src}]({src})\n\n"

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        # a link around blocks (Ghost's bookmark card) is one line: Markdown links cannot
        # hold a blank line
        flat = " ".join(text.split()) if "\n" in text else text
        return str(super().convert_a(el, flat, parent_tags))  # type: ignore[misc]

    def convert_br(self, el: Any, text: str, parent_tags: set[str]) -> str:
        if "pre" in parent_tags:  # the block editor's preformatted block: a newline, not '\\'
            return "\n"
        return str(super().convert_br(el, text, parent_tags))  # type: ignore[misc]

    def convert_figure(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return f"\n\n{text.strip()}\n\n"

    def convert_figcaption(self, el: Any, text: str, parent_tags: set[str]) -> str:
        # a hard break at either end would leave the closing '*' escaped: '*YouTube\*'
        caption = re.sub(r"^(?:\s|\\\n)+|(?:\s|\\\n)+$", "", text)
        return f"\n\n*{caption}*\n\n" if caption else ""


def html_to_markdown(html: str) -> str:
    """Markdown for an HTML fragment: ATX headings, '-' bullets, fenced code."""
    text = _Converter(
        heading_style="ATX",
        bullets="-",
        code_language_callback=code_language,
        escape_misc=False,
        newline_style="BACKSLASH",  # scripts and styles: markdownify drops them, text and all
    ).convert(html)
    text = outside_code(text, _tidy)
    return text.strip("\n") + "\n"


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text))

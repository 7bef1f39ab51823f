"""Template tags another generator left in a Markdown body: Liquid (Jekyll), Hugo shortcodes
and WordPress shortcodes. They would show as literal text here, so they are found (outside
code) and named by line, with the importer that converts them."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt

#: WordPress shortcodes reported (core ones and the most common plugins'); any other
#: ``[word]`` is far more often plain text.
WORDPRESS_SHORTCODES = (
    "caption", "gallery", "embed", "audio", "video", "playlist", "wp_caption", "youtube",
    "vimeo", "soundcloud", "tweet", "twitter", "instagram", "googlemaps", "code",
    "sourcecode", "source", "wpvideo", "contact-form", "contact-form-7", "latex", "spoiler",
    "pdf-embedder", "slideshare", "archives", "polldaddy",
)  # fmt: skip
#: Which importer converts a kind of tag.
IMPORTER = {"liquid": "jekyll", "hugo": "hugo", "wordpress": "wordpress"}
#: Tags a message names at most per file (the rest are counted).
MAX_TAGS = 10

_HUGO = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}")
_LIQUID_TAG = re.compile(r"\{%-?\s*([A-Za-z_]\w*).*?-?%\}")
#: ``{{ ... }}`` only when clearly Liquid: a Jekyll object or a filter.
_LIQUID_OUTPUT = re.compile(
    r"\{\{-?\s*(?:(?:site|page|post|content|include|paginator|forloop|layout|jekyll)\b"
    r"[^{}]*|[^{}|]+\|\s*[a-z_]+[^{}]*)-?\}\}"
)
_WORDPRESS = re.compile(
    rf"\[(?:{'|'.join(re.escape(name) for name in WORDPRESS_SHORTCODES)})"
    r"(?=[\s\]/])[^\[\]\n]*\](?![(\[:])"
)
#: Liquid blocks whose content is not Liquid (code, raw text, comments).
_VERBATIM = {"raw": "endraw", "highlight": "endhighlight", "comment": "endcomment"}
#: A code span: never across a blank line (a paragraph's end).
_CODE_SPAN = re.compile(r"(`+)(?!`)(?:(?!\n[ \t]*\n).)*?(?<!`)\1(?!`)", re.DOTALL)
#: Cheap test: a body with none of these has no tag (each kind begins so, whatever code is
#: blanked out of it), and is not parsed for its code blocks.
_MAYBE = re.compile(rf"\{{[{{%]|\[(?:{'|'.join(re.escape(name) for name in WORDPRESS_SHORTCODES)})")


@dataclass(frozen=True)
class TemplateTag:
    """One tag: the body's line (from 1) it is on, its text and kind (``liquid``, ``hugo``,
    ``wordpress``)."""

    line: int
    text: str
    kind: str

    def message(self, location: str, first_line: int = 1) -> str:
        """What to tell the author; ``location``: the file (its body starts on
        ``first_line``), or "" for a body alone."""
        line = self.line + first_line - 1
        where = f"{location}:{line}" if location else f"line {line}"
        name = {
            "liquid": "Liquid tag",
            "hugo": "Hugo shortcode",
            "wordpress": "WordPress shortcode",
        }
        return (
            f"{where}: {name[self.kind]} `{_short(self.text)}` shows as literal text "
            f"(convert with `flask content import {IMPORTER[self.kind]}`, or edit it by hand)"
        )


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _code_lines(body: str) -> set[int]:
    """The body's lines (from 1) inside fenced or indented code blocks."""
    lines: set[int] = set()
    for token in _parser().parse(body):
        if token.type in ("fence", "code_block") and token.map:
            start, end = token.map
            lines.update(range(start + 1, end + 1))
    return lines


def _blank_code_spans(text: str) -> str:
    """``text`` with inline code spans replaced by spaces (newlines kept)."""
    return _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)


def find_template_tags(body: str) -> list[TemplateTag]:
    """Every Liquid tag, clearly-Liquid output, Hugo shortcode and known WordPress
    shortcode of a Markdown ``body`` outside code, in order, with its body line."""
    if not _MAYBE.search(body):
        return []
    code = _code_lines(body)
    lines = body.split("\n")
    prose = "\n".join("" if number in code else line for number, line in enumerate(lines, 1))
    prose = _blank_code_spans(prose)
    starts = [0]
    for line in prose.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    found: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []
    for match in _HUGO.finditer(prose):
        found.append((match.start(), match[0], "hugo"))
        taken.append(match.span())
    _find_liquid(prose, found, taken)
    for match in _WORDPRESS.finditer(prose):
        found.append((match.start(), match[0], "wordpress"))
    found.sort()
    return [TemplateTag(_line_of(starts, offset), text, kind) for offset, text, kind in found]


def _find_liquid(
    prose: str, found: list[tuple[int, str, str]], taken: list[tuple[int, int]]
) -> None:
    """Liquid tags and outputs of ``prose`` outside ``taken`` spans (Hugo's), skipping the
    content of ``raw``, ``highlight`` and ``comment`` blocks."""

    def free(start: int) -> bool:
        return not any(a <= start < b for a, b in taken)

    pos = 0
    closing: str | None = None
    for match in _LIQUID_TAG.finditer(prose):
        if not free(match.start()):
            continue
        name = match[1]
        if closing is not None:
            if name == closing:
                closing = None
                pos = match.end()
            continue
        _outputs(prose, pos, match.start(), found, free)
        found.append((match.start(), match[0], "liquid"))
        closing = _VERBATIM.get(name)
        pos = match.end()
    if closing is None:
        _outputs(prose, pos, len(prose), found, free)


def _outputs(
    prose: str,
    start: int,
    end: int,
    found: list[tuple[int, str, str]],
    free: Callable[[int], bool],
) -> None:
    for match in _LIQUID_OUTPUT.finditer(prose, start, end):
        if free(match.start()):
            found.append((match.start(), match[0], "liquid"))


def _line_of(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset)


def tag_messages(tags: list[TemplateTag], location: str = "", first_line: int = 1) -> list[str]:
    """A message for each of ``tags`` (at most ``MAX_TAGS``, then how many more)."""
    messages = [tag.message(location, first_line) for tag in tags[:MAX_TAGS]]
    if len(tags) > MAX_TAGS:
        where = f"{location}: " if location else ""
        messages.append(f"{where}{len(tags) - MAX_TAGS} more template tags like these")
    return messages


def template_tag_warnings(body: str, location: str = "", first_line: int = 1) -> list[str]:
    """A message for each template tag of ``body`` (``tag_messages``)."""
    return tag_messages(find_template_tags(body), location, first_line)

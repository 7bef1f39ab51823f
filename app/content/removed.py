"""Text the sanitizer removed from a body: found, put on its line, and said.

Markdown makes only tags the sanitizer keeps, and tags whose content it would delete are
escaped (``markdown.FILTERED_TAGS``), so only odd raw HTML can still lose text: an unclosed
``<!--``, ``<!`` or ``</`` followed by a space (bogus comments to a browser), SVG inside
other raw HTML... Words are compared, not markup: the words of the HTML before sanitizing
(tags and comments left out, entities read) against those of the sanitized HTML; any word
fewer is text lost. Only bodies with raw HTML are compared, and where words were lost the
body is parsed again to tell on which line.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from app.content.markdown import block_lines

_WORD = re.compile(r"\w+")
#: A start or end tag, attribute values quoted or not; never across a ``<`` (linear time).
_TAG = re.compile(r"""</?[A-Za-z][^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*>""")
#: Raw HTML in a Markdown line that can hide what follows it.
_RAW = re.compile(r"<!--|<[!?]|</?[A-Za-z][\w-]*|</")
#: Blocks a message names at most (a body that loses text in a thousand places gets ten).
MAX_REMOVALS = 10
#: Lost words quoted in a message.
SNIPPET_WORDS = 8


def _pieces(markup: str) -> Iterator[tuple[int, str]]:
    """The text between tags and closed comments, with where it starts (an unclosed
    comment is text here: a browser hides everything after it, which is text lost)."""
    pos = 0
    while pos < len(markup):
        start = markup.find("<!--", pos)
        end = markup.find("-->", start + 4) if start >= 0 else -1
        if end < 0:  # no comment, or one never closed
            start, end = len(markup), len(markup) - 3
        last = pos
        for tag in _TAG.finditer(markup, pos, start):
            yield last, markup[last : tag.start()]
            last = tag.end()
        yield last, markup[last:start]
        pos = end + 3


def _words(markup: str) -> Iterator[tuple[int, str]]:
    """The words of HTML's text, each with (about) where it is in ``markup``."""
    for offset, piece in _pieces(markup):
        if piece:
            for word in _WORD.finditer(html.unescape(piece)):
                yield offset + word.start(), word[0]


def lost_words(before: str, after: str) -> list[tuple[int, str]]:
    """Words of the HTML ``before`` that the sanitized HTML ``after`` lacks, with where they
    are in ``before``; [] when none is lost. Both are split into words alike, between tags:
    'once<sup>1</sup>' is two words in each (its text alone, 'once1', is one)."""
    words = list(_words(before))
    kept = Counter(word for _, word in _words(after))
    if not Counter(word for _, word in words) - kept:
        return []
    lost = []
    for offset, word in words:
        if kept[word] > 0:
            kept[word] -= 1
        else:
            lost.append((offset, word))
    return lost


@dataclass(frozen=True)
class Removal:
    """Text of a body that readers would not get: where it is and what hid it."""

    #: The body's line (from 1) of the first word lost.
    line: int
    #: The first words lost ("…" after them when there were more).
    text: str
    #: The raw HTML that hides it (``<!--``, ``<div``...; "" if not found), and its line.
    cause: str
    cause_line: int

    def message(self, location: str, first_line: int = 1) -> str:
        """What to tell the author; ``location``: the file (lines counted from the body's
        ``first_line`` in it), or "" for a body (lines of the body)."""
        line = self.line + first_line - 1
        where = f"{location}:{line}" if location else f"line {line}"
        cause = f" `{self.cause}`" if self.cause else ""
        cause = f"{cause} on line {self.cause_line + first_line - 1}"
        return (
            f"{where}: the HTML sanitizer removed text readers would not see: "
            f"“{self.text}”, hidden by the raw HTML{cause} (close the element or comment; "
            "to show a tag as text, write it in backticks: `<tag>`)"
        )


def find_removals(body: str, before: str, after: str) -> tuple[Removal, ...]:
    """What sanitizing the HTML ``before`` (made from ``body``) into the HTML ``after``
    removed, one ``Removal`` per block of the body that lost words."""
    lost = lost_words(before, after)
    if not lost:
        return ()
    starts = block_lines(body)
    offsets = [offset for offset, _ in starts]
    lines = body.split("\n")  # lines as Markdown counts them (not ``splitlines``)
    by_block: dict[int, list[str]] = {}
    for offset, word in lost:
        by_block.setdefault(max(bisect_right(offsets, offset) - 1, 0), []).append(word)
    removals = []
    for block, words in list(by_block.items())[:MAX_REMOVALS]:
        first = starts[block][1] if starts else 1
        last = starts[block + 1][1] - 1 if block + 1 < len(starts) else len(lines)
        removals.append(_removal(lines, first, last, words))
    return tuple(removals)


def _removal(lines: list[str], first: int, last: int, words: list[str]) -> Removal:
    """A block's (lines ``first``..``last``) lost ``words``: the line of the first, and the
    last raw HTML before it in the block."""
    word = re.compile(rf"(?<!\w){re.escape(words[0])}(?!\w)")
    line, column = first, 0
    for number in range(first, min(last, len(lines)) + 1):
        found = word.search(lines[number - 1])
        if found:
            line, column = number, found.start()
            break
    cause, cause_line = "", first
    for number in range(first, min(line, len(lines)) + 1):
        for found in _RAW.finditer(lines[number - 1]):
            if number < line or found.start() < column:  # raw HTML before the word
                cause, cause_line = found[0], number
    text = " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
    return Removal(line, text, cause, cause_line)


def body_first_line(text: str, body: str) -> int:
    """The line of a content file's ``text`` where its ``body`` (as parsed) starts; 1 if
    it cannot be found (lines are then those of the body)."""
    text = text.replace("\r\n", "\n")
    start = text.rfind(body.strip("\n")) if body.strip() else -1
    return text.count("\n", 0, start) + 1 if start >= 0 else 1

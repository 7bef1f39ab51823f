"""Links without brackets, as GitHub makes them: linkify-it, asked only where a link can be.

GitHub's autolink extension links URLs with a scheme (``https://...``), hosts starting with
``www.`` and e-mail addresses, never a bare domain (``example.com``). linkify-it (what
markdown-it uses) also links bare domains, and its own quick test is a regular expression of
every top-level domain that costs more than parsing the paragraph (85 µs for a paragraph of
prose; +1 ms a post). So a paragraph is searched only when it holds ``://``, ``www.`` or
``@``, and bare domains are left as text.
"""

from __future__ import annotations

import re
from typing import Any

#: What every link GitHub makes from plain text contains.
_CANDIDATE = re.compile(r"://|www\.|@", re.IGNORECASE)


class GitHubLinks:
    """Stands in for markdown-it's ``md.linkify`` (a ``linkify_it.LinkifyIt``)."""

    def __init__(self, linkify: Any) -> None:
        self._linkify = linkify

    def pretest(self, text: str) -> bool:
        return _CANDIDATE.search(text) is not None and bool(self._linkify.pretest(text))

    def test(self, text: str) -> bool:
        return bool(self.match(text))

    def match(self, text: str) -> list[Any] | None:
        if not self.pretest(text):
            return None
        found = [link for link in self._linkify.match(text) or () if _github_links(link)]
        return found or None

    def match_at_start(self, text: str) -> Any:
        return self._linkify.match_at_start(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._linkify, name)


def _github_links(link: Any) -> bool:
    """A scheme (``https:``, ``mailto:`` for an address), or a host starting with www."""
    return bool(link.schema) or link.text[:4].lower() == "www."

"""Slugs: validation for post URLs and slug generation from titles and tag names."""

from __future__ import annotations

import hashlib
import re

from slugify import slugify as _slugify

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 100

#: Top-level URL segments a page slug may not take (they belong to the site itself).
RESERVED_PAGE_SLUGS = frozenset(
    {"admin", "api", "archive", "feed", "page", "posts", "search", "static", "tags", "media"}
)


def is_valid_slug(slug: str) -> bool:
    """Lowercase ASCII letters, digits and single inner hyphens: safe in any path."""
    return len(slug) <= MAX_SLUG_LENGTH and bool(SLUG_RE.match(slug))


#: Symbols that carry meaning in names ("C++" and "C#" must not both become "c").
_REPLACEMENTS = [["+", "-plus-"], ["#", "-sharp-"], ["&", "-and-"], ["@", "-at-"]]


def slugify(text: str, fallback_prefix: str = "post") -> str:
    """A valid slug for any text; text with no Latin transliteration gets a stable hash."""
    slug = _slugify(
        text, max_length=MAX_SLUG_LENGTH, word_boundary=True, replacements=_REPLACEMENTS
    )
    if slug and is_valid_slug(slug):
        return slug
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{fallback_prefix}-{digest}"

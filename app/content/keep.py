"""A save over a file keeps what its author wrote of what the save did not change.

The file stays byte for byte when the document is the same. Otherwise each front-matter value
that did not change is written as the file wrote it (a date without a time, tags in their
order and form), in the file's order of keys, and the changed ones as ``serialize_document``
writes them. The result is read back: when it does not read as the saved document, the
document is written anew (as for TOML or JSON front matter, which is written as YAML).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import tzinfo
from typing import Any

from app.content.document import (
    KNOWN_KEYS,
    Document,
    dump_document,
    front_matter,
    parse_document,
    read_front_matter,
    serialize_document,
)
from app.content.errors import ContentError


def same_document(a: Document, b: Document) -> bool:
    """Whether two documents read the same (whether a file names its slug aside)."""
    return replace(a, explicit_slug=False) == replace(b, explicit_slug=False)


def kept_text(doc: Document, stem: str, before: str, path: str, zone: tzinfo) -> str:
    """The text of ``doc`` saved as the file ``stem`` over ``before`` (the text of the file
    it edits, at ``path``), keeping what did not change; dates in ``zone``."""
    fresh = serialize_document(doc, stem, zone)
    try:
        old = parse_document(before, path, doc.kind, zone)
        if same_document(old, doc):
            return before
        if not before.lstrip().startswith("---"):
            return fresh
        written = read_front_matter(before, path, doc.kind)
    except ContentError:
        return fresh
    # A file that names its slug goes on naming it.
    doc = replace(doc, explicit_slug=doc.explicit_slug or old.explicit_slug)
    text = dump_document(
        _merged(written, front_matter(old, stem, zone), front_matter(doc, stem, zone)), doc.body
    )
    try:
        again = parse_document(text, path, doc.kind, zone)
    except ContentError:
        return fresh
    return text if same_document(again, doc) else fresh


def _merged(written: dict[Any, Any], old: dict[str, Any], new: dict[str, Any]) -> dict[Any, Any]:
    """``new`` front matter in ``written``'s order, with ``written``'s value wherever the
    value did not change (``old`` is how the file's document is written anew). A known key
    that neither writes (``draft: false``, ``tags: []``) stays as it was."""
    merged: dict[Any, Any] = {}
    for key, value in written.items():
        if key in new:
            merged[key] = value if old.get(key) == new[key] else new[key]
        elif key in KNOWN_KEYS and key not in old:
            merged[key] = value
    for key, value in new.items():
        merged.setdefault(key, value)
    return merged

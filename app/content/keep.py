"""A save over a file keeps what its author wrote of what the save did not change.

The file stays byte for byte when the document is the same. Otherwise each front-matter key
that did not change keeps its lines as the file wrote them (its comments, a block list, a
folded text, a date without a time), in the file's order of keys, and the changed ones are
written as ``serialize_document`` writes them. The result is read back: when it does not
read as the saved document, the document is written anew (as for TOML or JSON front matter,
which is written as YAML).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

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
from app.content.safeyaml import TOP_KEY_LINE, Dumper, load_yaml


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
    merged, kept = _merged(written, front_matter(old, stem, zone), front_matter(doc, stem, zone))
    lines = _kept_lines(before, merged, kept)
    text = f"---\n{lines}---\n\n{doc.body}" if lines else dump_document(merged, doc.body)
    try:
        again = parse_document(text, path, doc.kind, zone)
    except ContentError:
        return fresh
    return text if same_document(again, doc) else fresh


def _merged(
    written: dict[Any, Any], old: dict[str, Any], new: dict[str, Any]
) -> tuple[dict[Any, Any], set[Any]]:
    """``new`` front matter in ``written``'s order, with ``written``'s value wherever the
    value did not change (``old`` is how the file's document is written anew), and the keys
    whose written value it keeps. A known key that neither writes (``draft: false``,
    ``tags: []``) stays as it was."""
    merged: dict[Any, Any] = {}
    kept: set[Any] = set()
    for key, value in written.items():
        if key in new and old.get(key) != new[key]:
            merged[key] = new[key]
        elif key in new or (key in KNOWN_KEYS and key not in old):
            merged[key] = value
            kept.add(key)
    for key, value in new.items():
        merged.setdefault(key, value)
    return merged, kept


@dataclass
class _Part:
    """One top-level key's lines in YAML front matter, and the comments just above it."""

    comments: str
    text: str


def _kept_lines(before: str, merged: dict[Any, Any], kept: set[Any]) -> str | None:
    """The YAML front matter of ``merged`` with the ``kept`` keys' lines (and every key's
    comments) as ``before`` wrote them; None when its front matter is not YAML whose lines
    part into one key each."""
    try:
        front = YAMLHandler().split(before.lstrip())[0]
    except ValueError:
        return None
    parts = _parts(front.removeprefix("\n").rstrip("\n") + "\n")
    if parts is None:
        return None
    found, tail = parts
    out = []
    for key, value in merged.items():
        part = found.get(key, _Part("", ""))
        if key not in kept or not part.text:
            part = _Part(part.comments, yaml.dump({key: value}, Dumper=Dumper, **_DUMP))
        out.append(part.comments + part.text)
    return "".join(out) + tail


_DUMP: dict[str, Any] = {"sort_keys": False, "allow_unicode": True, "default_flow_style": False}


def _parts(front: str) -> tuple[dict[Any, _Part], str] | None:
    """YAML front matter's lines by top-level key (as YAML reads each part alone), and the
    comments after the last; None when a part does not read as one key."""
    parts: list[_Part] = []
    pending = ""  # comments and blank lines: the next key's, or inside a key's value
    for line in front.splitlines(keepends=True):
        if TOP_KEY_LINE.match(line):
            parts.append(_Part(pending, line))
            pending = ""
        elif not line.strip() or line.lstrip().startswith("#"):
            pending += line
        elif parts:
            parts[-1].text += pending + line
            pending = ""
        else:
            return None
    found: dict[Any, _Part] = {}
    for part in parts:
        try:
            read = load_yaml(part.text)
        except (yaml.YAMLError, ValueError):
            return None
        if not isinstance(read, dict) or len(read) != 1 or next(iter(read)) in found:
            return None
        found[next(iter(read))] = part
    return found, pending

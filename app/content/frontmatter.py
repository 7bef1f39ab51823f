"""Front matter as other generators write it: TOML (``+++``, Hugo) and JSON (``{...}``, Hugo)
besides our YAML, keys in any case (Pelican's ``Title:``), Jekyll's dated file names, and
the ways they say a post is not published (``published: false``, ``status: draft``)."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app.content.errors import ContentError

#: A TOML front matter's fences.
_TOML_FENCE = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)
_TOML_LINE = re.compile(r"at line (\d+)")
#: Jekyll's post names: the date, then the slug.
_DATED_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
#: ``status:`` values that publish (Pelican ``published``, WordPress ``publish``); any other
#: (``draft``, ``hidden``, ``private``, ``pending``...) keeps the post a draft.
PUBLISHED_STATUSES = frozenset({"published", "publish", "public", "live"})
#: ``status:`` values known to mean "not on the site" (others get a note, and are drafts too).
DRAFT_STATUSES = frozenset({"draft", "drafts", "hidden", "private", "pending", "unlisted"})


def split_toml(stripped: str, path: Path, offset: int) -> tuple[dict[str, Any], str]:
    """A ``+++`` front matter (``stripped`` starts with it) and the body after it."""
    fences = list(_TOML_FENCE.finditer(stripped))
    if len(fences) < 2 or fences[0].start() != 0:
        raise ContentError(
            path, "TOML front matter is not closed", offset + 1, hint="end it with a '+++' line"
        )
    front = stripped[fences[0].end() : fences[1].start()]
    try:
        meta = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        # ``front`` starts with the rest of the '+++' line: its line 1 is the file's line 1.
        line = int(found[1]) + offset if found else offset + 1
        problem = str(exc).split(" (at ")[0]
        raise ContentError(
            path,
            f"malformed TOML front matter: {problem}",
            line,
            hint="fix the TOML between the two '+++' lines, or convert the site with "
            "`flask content import hugo`",
        ) from exc
    return meta, stripped[fences[1].end() :].removeprefix("\n")


class _KeyTwiceError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (JSON would keep the last value)."""
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            raise _KeyTwiceError(key)
        seen.add(key)
    return dict(pairs)


def _twice(key: str, stripped: str, path: Path, offset: int) -> ContentError:
    """The error of a JSON key given twice, at the lines of its last two mentions (JSON's
    decoder tells no place; the object it is in is the innermost closed so far)."""
    quoted = re.escape(json.dumps(key, ensure_ascii=False))
    lines = [
        stripped.count("\n", 0, found.start()) + 1 + offset
        for found in re.finditer(rf"{quoted}\s*:", stripped)
    ][-2:]
    where = ""
    if len(lines) == 2:
        where = (
            f" (line {lines[0]})" if lines[0] == lines[1] else f" (lines {lines[0]} and {lines[1]})"
        )
    return ContentError(
        path, f"{key!r} is given twice{where}: keep one", lines[-1] if lines else offset + 1
    )


def split_json(stripped: str, path: Path, offset: int) -> tuple[dict[str, Any], str]:
    """A JSON object front matter (``stripped`` starts with ``{``) and the body after it."""
    try:
        meta, end = json.JSONDecoder(object_pairs_hook=_once_each).raw_decode(stripped)
    except _KeyTwiceError as exc:
        raise _twice(exc.key, stripped, path, offset) from None
    except json.JSONDecodeError as exc:
        raise ContentError(
            path,
            f"malformed JSON front matter: {exc.msg}",
            exc.lineno + offset,
            hint="fix the JSON object at the top of the file, or convert the site with "
            "`flask content import hugo`",
        ) from exc
    if not isinstance(meta, dict):
        raise ContentError(path, "JSON front matter must be an object", offset + 1)
    return meta, stripped[end:].removeprefix("\n")


def fold_keys(
    meta: dict[str, Any], known: tuple[str, ...], where: Callable[[str], str]
) -> list[str]:
    """Rename, in place, keys that are known ones in another case (``Title`` -> ``title``),
    ``published`` and ``status`` too; a note for each, naming ``where(key)`` (file:line)."""
    notes: list[str] = []
    names = {*known, "published", "status"}
    for key in list(meta):
        folded = key.lower() if isinstance(key, str) else key
        if folded == key or folded not in names:
            continue
        if folded in meta:
            notes.append(f"{where(key)}: front-matter key {key!r} ignored: {folded!r} is there too")
            continue
        meta[folded] = meta.pop(key)
        notes.append(
            f"{where(key)}: front-matter key {key!r} read as {folded!r} (write keys in lowercase)"
        )
    return notes


def unpublished(meta: dict[str, Any], where: Callable[[str], str]) -> tuple[bool, list[str]]:
    """Whether ``published: false`` or a ``status:`` other than published says the post is
    not on the site (the two keys are taken out of ``meta``), with notes."""
    notes: list[str] = []
    hidden = False
    if "published" in meta:
        published = meta.pop("published")
        hidden = published is False or str(published).strip().lower() in ("false", "no", "0")
    if "status" in meta:
        status = str(meta.pop("status")).strip().lower()
        if status not in PUBLISHED_STATUSES:
            hidden = True
            if status not in DRAFT_STATUSES:
                notes.append(
                    f"{where('status')}: 'status: {status}' is not 'published': the post is a draft"
                )
    return hidden, notes


def dated_name(stem: str) -> tuple[date, str] | None:
    """A Jekyll post name's date and slug (``2015-01-01-title`` -> 2015-01-01, ``title``)."""
    found = _DATED_NAME.match(stem)
    if found is None:
        return None
    try:
        day = date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
    return day, found[4]


#: A Pelican (or MultiMarkdown) metadata header: ``Key: value`` lines with no fence.
_HEADER = re.compile(r"^[A-Za-z][\w-]*:[ \t]")


def missing_hint(stripped: str) -> str:
    """What to do about a file without front matter (a Pelican header is named as such)."""
    hint = "start the file with '---', 'title: ...', '---'"
    if _HEADER.match(stripped):
        return f"{hint}: its 'Key: value' lines look like Pelican's, convert with " + (
            "`flask content import pelican` or put them between two '---' lines"
        )
    return hint

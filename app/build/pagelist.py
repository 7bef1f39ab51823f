"""The list of a site's pages, kept with the build and used again while what it read holds.

Listing 13 724 pages asks the URL generators (``generators``) and ``url_for`` for each one,
a third of an edit's build. Like a page, the list records what it read while it was made
(the read model's questions and the fields of posts, see ``app.recording``), plus the
names in the theme's static folder and in ``content/media/`` (the static and media
generators list folders, not the read model). The next build uses the saved list when
those reads hold (``Reads.holds``) and the folders list the same names; otherwise it lists
the pages again. Code and settings are in ``common`` (a change lists again).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from flask import Flask

from app.build.aliases import check_redirects
from app.build.deps import Changed, Reads, answers_hold
from app.build.freezer import PlannedPage, StagingFreezer
from app.recording import digest, recording


@dataclass
class PageList:
    pages: list[PlannedPage]
    warnings: list[str]
    #: What the build cache keeps of it (``Manifest.pages``).
    saved: str
    #: The fields of posts the listing read (the read model's: see ``deps.answers_hold``).
    model: set[str]
    #: Each page's key (``page_key``).
    keys: tuple[str, ...]


def page_key(page: PlannedPage) -> str:
    """Which view made a file, with which values: a file made by another is rendered anew."""
    return digest([page.endpoint, sorted(page.values.items())])


def listed_folders(app: Flask) -> str:
    """The names (and kinds) of everything below the static and media folders."""
    h = hashlib.blake2b(digest_size=16)
    for folder in (Path(app.static_folder or ""), Path(app.config["CONTENT_DIR"]) / "media"):
        h.update(str(folder).encode() + b"\0\0")
        for entry in _entries(folder):
            h.update(entry.encode() + b"\0")
    return h.hexdigest()


def _entries(folder: Path, prefix: str = "") -> list[str]:
    try:
        with os.scandir(folder) as scan:
            found = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        return []
    names = []
    for entry in found:
        name = prefix + entry.name
        if entry.is_symlink():
            names.append(f"{name}@")
        elif entry.is_dir():
            names.append(f"{name}/")
            names.extend(_entries(Path(entry.path), f"{name}/"))
        else:
            names.append(name)
    return names


def saved_pages(
    app: Flask, saved: str | None, reads: Reads, changed: Changed | None, model: set[str]
) -> PageList | None:
    """The last build's page list (``saved``), if everything it read reads the same now."""
    if saved is None or changed is None:
        return None
    try:
        deps, folders, warnings, pages, keys = _parsed(saved)
    except (ValueError, TypeError):
        return None
    if folders != listed_folders(app):
        return None
    if not reads.holds(deps, changed, answers_hold(changed, model)):
        return None
    return PageList(list(pages), list(warnings), saved, set(), keys)


#: A saved page list, read: its reads, folders, warnings, pages and the pages' keys.
_Parsed = tuple[Any, str, tuple[str, ...], tuple[PlannedPage, ...], tuple[str, ...]]


@lru_cache(maxsize=1)
def _parsed(saved: str) -> _Parsed:
    """A saved page list read, with its pages' keys (saved with it: a key is a function of
    its page, and a change of the code lists the pages again): once for the builds of a
    watch, which save the same list again and again (the text names the pages; nobody
    changes them)."""
    deps, folders, warnings, rows, keys = orjson.loads(saved)
    pages = tuple(PlannedPage(*row) for row in rows)
    if len(keys) != len(pages):
        raise ValueError("a key for each page")
    return deps, folders, tuple(warnings), pages, tuple(keys)


def list_pages(app: Flask, freezer: StagingFreezer, reads: Reads) -> PageList:
    """Every page of the site, from the URL generators (call in the build's request context)."""
    folders = listed_folders(app)
    with recording() as listed:
        pages = list(freezer.plan())
        check_redirects(pages)
    warnings = [
        f"nothing was built for endpoint {name}: add a URL generator"
        for name in sorted(freezer.missing_endpoints)
    ]
    rows = [[page.url, page.rel, page.endpoint, page.values] for page in pages]
    keys = tuple(page_key(page) for page in pages)
    saved = orjson.dumps([reads.pack(listed), folders, warnings, rows, keys]).decode()
    return PageList(pages, warnings, saved, listed.model | listed.fields.keys(), keys)

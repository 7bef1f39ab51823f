"""Which files under the content folder may be read and published: never one out of it.

A link (symlink) under ``content/`` is followed only when it leads to a file inside the
content folder; a link, or a linked folder, that leads out of it (to ``instance/secret_key``,
``.git/config``, ``/proc/self/environ``) is an error naming the link, for posts and pages as
for media. Media files must also have names that work in a URL on every static host.
Every listing of content (the sync's scan, the build's media, the ``/media/`` view) asks
here.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath
from stat import S_ISREG

from app.content.errors import ContentError

MEDIA_FOLDER = "media"
#: Characters a media file name must not hold: ``?`` and ``#`` end a URL's path, ``%``
#: starts an escape, a backslash is a slash to browsers (control characters are refused too).
_URL_BREAKERS = frozenset("?#%\\")


def real_root(content_dir: Path) -> str:
    """The content folder's real path (itself may be a link: what it holds is judged)."""
    return os.path.realpath(content_dir)


def leads_outside(root: str, path: str | Path) -> str | None:
    """Where ``path`` really is, if that is outside ``root`` (a ``real_root``); else None."""
    target = os.path.realpath(path)
    if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
        return None
    return target


def link_error(display: str, target: str) -> ContentError:
    """The error for a link out of the content folder."""
    return ContentError(
        display,
        f"is a link to {target}, outside the content folder: links out of it are never followed",
        hint="replace the link with a copy of the file (or the file itself), inside content/",
    )


def not_a_file_error(display: str) -> ContentError:
    return ContentError(
        display, "is not a regular file (a pipe or device)", hint="remove it from content/"
    )


def shown(name: str) -> str:
    """A file name as an error can print it: control characters escaped (``\\n``)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in name)


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")  # controls, line breaks


def suggested_name(name: str) -> str:
    """``name`` with every character a URL cannot carry as it is replaced by ``-``."""
    fixed = "".join("-" if c in _URL_BREAKERS or _is_control(c) else c for c in name)
    stem, dot, ext = fixed.rpartition(".")
    if dot and stem:
        stem = re.sub(r"-{2,}", "-", stem).strip("-") or "file"
        return f"{stem}.{ext}"
    return re.sub(r"-{2,}", "-", fixed).strip("-") or "file"


def media_name_error(name: str) -> ContentError | None:
    """Why a file in ``content/media/`` cannot be published under its name, if it cannot."""
    bad = sorted({c for c in name if c in _URL_BREAKERS or _is_control(c)})
    if not bad:
        return None
    which = ", ".join(repr(c) if c.isprintable() else shown(c) for c in bad)
    return ContentError(
        f"content/{MEDIA_FOLDER}/{shown(name)}",
        f"the file name has {which}, which breaks its URL",
        hint=f"rename it to {suggested_name(name)!r} and change the links to it in posts",
    )


def media_files(content_dir: Path) -> tuple[list[str], list[ContentError]]:
    """The names of the files in ``content/media/`` the site publishes, sorted, and an error
    for each file that must not be published: a link out of the content folder, a name that
    breaks its URL. Hidden files and sub-folders are not published (nor reported)."""
    folder = content_dir / MEDIA_FOLDER
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    root = real_root(content_dir)
    outside = leads_outside(root, folder)
    if outside is not None:
        return [], [link_error(f"content/{MEDIA_FOLDER}", outside)]
    names: list[str] = []
    errors: list[ContentError] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        display = f"content/{MEDIA_FOLDER}/{shown(entry.name)}"
        if entry.is_symlink():
            outside = leads_outside(root, entry.path)
            if outside is not None:
                errors.append(link_error(display, outside))
                continue
        if not entry.is_file():
            continue  # a sub-folder (or a dangling link, a pipe): nothing to publish
        name_error = media_name_error(entry.name)
        if name_error is not None:
            errors.append(name_error)
            continue
        names.append(entry.name)
    return names, errors


def media_path(content_dir: Path, filename: str) -> Path | None:
    """The file a ``/media/<filename>`` URL may serve, or None: not there, hidden, a link out
    of the content folder, not a regular file, or a name the build would refuse."""
    parts = PurePosixPath(filename).parts
    if not parts or any(p.startswith(".") or p == "/" for p in parts):
        return None
    if media_name_error(parts[-1]) is not None:
        return None
    path = content_dir.joinpath(MEDIA_FOLDER, *parts)
    if leads_outside(real_root(content_dir), path) is not None:
        return None
    try:
        return path if S_ISREG(os.stat(path).st_mode) else None
    except OSError:
        return None

"""What a long-lived process (``--watch``) keeps of its last build: its records and its
listing of the posts, in memory.

A command-line build reads the same records from the build cache (``manifest``); a watch
keeps them between builds instead of reading them again, as long as no other process (the
admin's Publish) saved a build in between. It also knows which content files changed, from
its watcher, so that the sync reads only those.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from jinja2 import TemplateError

from app.build.keptposts import KeptPosts
from app.build.manifest import FileRecord, Manifest, files_in_place, identity
from app.content.kinds import KIND_DIRS
from app.content.render import render_markdown


@dataclass
class BuildMemory:
    """What one process knows of the last build it made of one output folder."""

    build_dir: Path | None = None
    #: (inode, size, mtime) of the build cache file that build saved: another process's
    #: build (the admin's Publish) changes it, and then this memory is not used.
    cache_file: tuple[int, int, int] | None = None
    manifest: Manifest = field(default_factory=Manifest)
    #: The posts the last build listed (they hold whatever the builds did: the database
    #: says which changed since, see ``keptposts``).
    posts: KeptPosts = field(default_factory=KeptPosts)
    #: The last build's files found in place when the watcher saw a change (``check_files``).
    checked: CheckedFiles | None = None

    def forget(self) -> None:
        """After a failed build, or one this memory cannot describe. The kept posts stay:
        the database vouches for them post by post whatever happened to the build (and the
        build that forgets holds them already: its first edit would read them all again)."""
        self.build_dir, self.cache_file, self.manifest = None, None, Manifest()
        self.checked = None

    def check_files(self) -> None:
        """Find which of the last build's files are still in place in ``build/`` now, for
        the next build's plan (``files_checked``): a watch calls it when a burst of changes
        begins, so that the ``lstat`` of every page (~30 ms at 10 000 posts) is made while
        the burst settles instead of after it (the ``files-checked-early`` trick)."""
        self.checked = None
        if self.build_dir is None or not self.manifest.records:
            return
        folder = _folder(self.build_dir)
        if folder is not None:
            found = files_in_place(self.build_dir, self.manifest.records)
            self.checked = CheckedFiles(self.manifest, folder, found)

    def files_checked(self, build_dir: Path, manifest: Manifest) -> dict[str, FileRecord] | None:
        """The records of ``manifest`` whose file ``check_files`` found in place, if it
        checked these very records in this very folder, not swapped since (its inode and
        status-change time: a build's swap changes both); else None. Used once.

        A file changed after the check is found by the build after (its identity no longer
        matches its record), as one changed while a build renders is."""
        checked, self.checked = self.checked, None
        if checked is None or checked.manifest is not manifest or build_dir != self.build_dir:
            return None
        return checked.found if _folder(build_dir) == checked.folder else None

    def manifest_for(self, build_dir: Path, cache: Path) -> Manifest | None:
        """The last build's records, if that build is still the one in ``build_dir``."""
        if self.build_dir != build_dir or self.cache_file is None:
            return None
        return self.manifest if identity(cache) == self.cache_file else None

    def remember(self, build_dir: Path, cache: Path, manifest: Manifest) -> None:
        """Keep a build that was swapped into place and whose cache file was saved."""
        self.build_dir = build_dir
        self.cache_file = identity(cache)
        self.manifest = manifest
        self.checked = None


@dataclass(frozen=True)
class CheckedFiles:
    """Which of ``manifest``'s files were in place in the build folder ``folder`` (its
    device, inode and status-change time) when checked."""

    manifest: Manifest
    folder: tuple[int, int, int]
    found: dict[str, FileRecord]


def _folder(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino, stat.st_ctime_ns


def changed_sources(
    content_dir: Path, memory: BuildMemory, paths: Iterable[str]
) -> list[str] | None:
    """The content files among the paths a watcher saw change (``posts/a.md``), for a sync
    of those alone; None when the whole content folder must be synced.

    That is when no build is remembered (the first one, or after a failure, whose files may
    be broken still) or when a folder of documents changed.
    """
    if memory.build_dir is None:
        return None
    root, folders = content_dir.resolve(), set(KIND_DIRS.values())
    found = []
    for raw in paths:
        path = Path(raw).parent.resolve() / Path(raw).name  # a link is where it is, not its target
        if not path.is_relative_to(root):
            continue  # the theme, the settings
        parts = path.relative_to(root).parts
        if not parts or parts[0] not in folders or len(parts) > 2:
            continue  # media, other folders (and sub-folders, which hold no documents)
        if len(parts) == 1 or path.is_dir():
            return None  # a folder of documents itself, or one moved into it
        found.append("/".join(parts))
    return found


def warm_up(app: Flask) -> None:
    """Make what the first edit would otherwise make, after a build that rendered nothing in
    this process: the Markdown instance and the compiled theme."""
    render_markdown("```python\npass\n```\n")
    theme = Path(app.config["SITE_DIR"]) / "templates"
    with app.test_request_context(base_url=app.config["SITE_URL"]):
        for path in theme.rglob("*.html"):
            try:
                app.jinja_env.get_template(path.relative_to(theme).as_posix())
            except TemplateError:
                continue  # a page using it reports the error when it is rendered

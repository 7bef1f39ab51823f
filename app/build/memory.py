"""What a long-lived process (``--watch``) keeps of its last build: its records and its
listing of the posts, in memory.

A command-line build reads the same records from the build cache (``manifest``); a watch
keeps them between builds instead of reading them again, as long as no other process (the
admin's Publish) saved a build in between. It also knows which content files changed, from
its watcher, so that the sync reads only those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from jinja2 import TemplateError

from app.build.keptposts import KeptPosts
from app.build.manifest import Manifest, identity
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

    def forget(self) -> None:
        """After a failed build, or one this memory cannot describe. The kept posts stay:
        the database vouches for them post by post whatever happened to the build (and the
        build that forgets holds them already: its first edit would read them all again)."""
        self.build_dir, self.cache_file, self.manifest = None, None, Manifest()

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

"""Rebuilds in a long-lived process (``--watch``): plan the next build from the last one.

Editing a post's body, the common case while writing, changes that post's page, the feeds
showing it and the search index, and nothing that only lists it: the set of pages, the
listing and every other page's inputs stay as the last build left them. ``BuildMemory``
keeps those between builds, and ``replan`` digests again only the pages that read bodies.
Anything else (a new, removed, retitled or re-dated post, a page, the theme, the settings,
a scheduled post coming due) plans the whole site, as a first build does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import TemplateError

from app.build.freezer import PlannedPage
from app.build.inputs import SiteInputs
from app.build.manifest import Manifest, identity
from app.content.render import render_markdown
from app.content.scan import KIND_DIRS
from app.public import queries

#: Pages that show posts' bodies or text: the only ones besides a post's own that a body
#: edit can change (the others show the listed columns, see ``SiteInputs.as_listed``).
BODY_ENDPOINTS = frozenset(
    {"public.feed", "public.json_feed", "public.tag_feed", "public.tag_json_feed"}
    | {"public.search_json"}
)

Planned = list[tuple[PlannedPage, str | None]]


@dataclass
class BuildMemory:
    """What one process knows of the last build it made of one output folder."""

    build_dir: Path | None = None
    #: (inode, size, mtime) of the build cache file that build saved: another process's
    #: build (the admin's Publish) changes it, and then this memory is not used.
    cache_file: tuple[int, int, int] | None = None
    manifest: Manifest = field(default_factory=Manifest)
    pages: Planned = field(default_factory=list)
    inputs: SiteInputs | None = None
    #: The build cache (``queries.build_cache``) the inputs came from: its listing is theirs.
    answers: dict[str, Any] | None = None
    build_time: datetime | None = None
    warnings: list[str] = field(default_factory=list)

    def forget(self) -> None:
        """After a failed build, or one this memory cannot describe."""
        self.__init__()  # type: ignore[misc]

    def manifest_for(self, build_dir: Path, cache: Path) -> Manifest | None:
        """The last build's records, if that build is still the one in ``build_dir``."""
        if self.build_dir != build_dir or self.cache_file is None:
            return None
        return self.manifest if identity(cache) == self.cache_file else None

    def remember(
        self,
        build_dir: Path,
        cache: Path,
        manifest: Manifest,
        pages: Planned,
        inputs: SiteInputs,
        answers: dict[str, Any] | None,
        warnings: list[str],
    ) -> None:
        """Keep a build that was swapped into place and whose cache file was saved."""
        self.build_dir = build_dir
        self.cache_file = identity(cache)
        self.manifest = manifest
        self.pages = pages
        self.inputs = inputs
        self.answers = answers
        self.warnings = warnings


def replan(
    app: Flask,
    memory: BuildMemory,
    updated: list[str],
    changed: Iterable[str],
    sources: list[str] | None,
) -> Planned | None:
    """Every page with its digest, from the last build's; None when a full plan is needed.

    Call inside a request context of the build, after the sync; ``updated`` are the source
    paths the sync changed (none added or removed), ``changed`` the paths the watcher saw
    and ``sources`` the content files among them (None: unknown). The rows of all of
    ``sources`` are read again, changed by this sync or not: the authoring app saves a
    post's row with its file, so the sync finds them equal, and the last build is older.
    """
    inputs, since = memory.inputs, memory.build_time
    if inputs is None or since is None or not memory.pages or sources is None:
        return None
    posts_dir = (Path(app.config["CONTENT_DIR"]) / "posts").resolve()
    if not all(Path(path).resolve().is_relative_to(posts_dir) for path in changed):
        return None  # a page, a medium, the theme or the settings: they show everywhere
    if queries.came_due(since):
        return None
    if SiteInputs.common_for(app, inputs.pages) != inputs.common:
        return None
    updated = sorted({*updated, *sources})
    rows = queries.listed_rows(updated)
    known = {post.source_path: post for post in inputs.posts}
    for rel in updated:
        old, new = known.get(rel), rows.get(rel)
        if (old is None) != (new is None):
            return None  # it joined or left the site (a draft, a preview)
        if old is not None and new is not None and inputs.changes_lists(old, new):
            return None
    if not queries.carry_build_cache(memory.answers):  # last: it decides what lists show
        return None
    slugs = inputs.patch([(known[rel], rows[rel]) for rel in updated if rel in rows])
    return [
        (page, inputs.key(page.endpoint, page.values))
        if page.endpoint in BODY_ENDPOINTS
        or (page.endpoint == "public.post" and page.values.get("slug") in slugs)
        else (page, key)
        for page, key in memory.pages
    ]


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
        path = Path(raw).resolve()
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
    """Make what the first body edit would otherwise make, after a build that rendered
    nothing in this process: the Markdown instance and the compiled theme.
    """
    render_markdown("```python\npass\n```\n")
    theme = Path(app.config["SITE_DIR"]) / "templates"
    with app.test_request_context(base_url=app.config["SITE_URL"]):
        for path in theme.rglob("*.html"):
            try:
                app.jinja_env.get_template(path.relative_to(theme).as_posix())
            except TemplateError:
                continue  # a page using it reports the error when it is rendered

"""The plan of a build, saved in its build cache: the next command-line build replans from it.

``--watch`` keeps its last build's plan in memory (``warm.BuildMemory``) and, after an edit
of post bodies, digests again only the pages that read bodies. A build started from the
command line (or the admin's Publish) is a new process: it reads the same plan from the
build cache, saved there with the records of the files it describes, and replans the same
way (``replan_from``) when the database's rows tell that only post bodies changed since.
The rows tell it, not the sync's report: the authoring app saves a post's row with its
file, so that a sync finds them equal.

A snapshot holds every page (URL, file, endpoint, values, digest), the listing of the posts
those digests were made from and the posts' own digests, what every page showed then
(``SiteInputs.common``, compared with today's by ``replan``), the build's time and the
(source path, hash, renderer) of every row, from which the rest of a row is made: those of
the listed posts are read off the listing (which they then describe exactly), those of the
other rows (drafts, pages, scheduled posts) are kept as read before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from flask import Flask

from app.build.freezer import PlannedPage, StagingFreezer
from app.build.inputs import SiteInputs
from app.build.warm import BuildMemory, Planned, replan
from app.content.media import list_media
from app.models import Post
from app.public import queries
from app.public.queries import Listed, ListedTag

#: Changes whenever what a snapshot holds, or means, changes: older ones are not read.
FORMAT = 1
#: (source path, hash, renderer) of every row, by id (``queries.source_versions``).
Sources = dict[int, tuple[str, str, str]]
#: Listed columns stored as text in JSON.
_DATETIMES = frozenset(c.key for c in Post.__table__.columns if isinstance(c.type, sa.DateTime))


@dataclass
class Snapshot:
    """A saved plan, as the memory ``replan`` works from, and the rows it was made from."""

    memory: BuildMemory
    sources: Sources

    def changed(self, now: Sources) -> list[str] | None:
        """The source paths of the rows that differ from the snapshot's now (their new
        paths); None when a row was added or removed since."""
        if now.keys() != self.sources.keys():
            return None
        return sorted(row[0] for key, row in now.items() if row != self.sources[key])


def dump(
    pages: Planned,
    inputs: SiteInputs,
    build_time: datetime,
    warnings: list[str],
    sources: Sources,
) -> bytes:
    """What ``load`` reads back: the plan of a build made at ``build_time``."""
    posts = inputs.posts
    columns = [key for key in vars(posts[0]) if key != "tags"] if posts else []
    values_of = itemgetter(*columns) if posts else None  # a tuple of a post's columns
    tags = {tag.id: tag for post in posts for tag in post.tags}
    listed = {post.id for post in posts}
    return orjson.dumps(
        {
            "format": FORMAT,
            "build_time": build_time,
            "warnings": warnings,
            "common": inputs.common,
            "tags": inputs.tags,
            "columns": columns,
            "posts": [
                [
                    values_of(vars(post)) if values_of else [],
                    [tag.id for tag in post.tags],
                    inputs.versions[post.id],
                    inputs.shown[post.id],
                ]
                for post in posts
            ],
            "post_tags": [[tag.id, tag.name, tag.slug] for tag in tags.values()],
            "pages": [[page.url, page.rel, page.endpoint, page.values, key] for page, key in pages],
            "others": [[key, *row] for key, row in sources.items() if key not in listed],
        }
    )


def load(app: Flask, data: bytes) -> Snapshot | None:
    """The snapshot in ``data`` for this build (inside its request context, as its first
    answers: see ``queries.seed_build_cache``); None if it is of another format."""
    try:
        saved = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        return None
    columns: list[str] = saved["columns"]
    dates = [i for i, key in enumerate(columns) if key in _DATETIMES]
    tags = {tag_id: ListedTag(tag_id, name, slug) for tag_id, name, slug in saved["post_tags"]}
    when, posts, versions, shown = datetime.fromisoformat, [], {}, {}
    for values, tag_ids, version, listed in saved["posts"]:
        for i in dates:
            if values[i] is not None:
                values[i] = when(values[i])
        post = Listed(dict(zip(columns, values, strict=True)), [tags[i] for i in tag_ids])
        posts.append(post)
        versions[post.id], shown[post.id] = version, listed
    sources: Sources = {
        post.id: (post.source_path, post.source_hash, post.renderer) for post in posts
    }
    sources.update(
        (key, (path, digest, renderer)) for key, path, digest, renderer in saved["others"]
    )
    inputs = SiteInputs.restore(
        app,
        posts,
        [(slug, name, count) for slug, name, count in saved["tags"]],
        saved["common"],
        versions,
        shown,
    )
    memory = BuildMemory(
        pages=[
            (PlannedPage(url, rel, endpoint, values), key)
            for url, rel, endpoint, values, key in saved["pages"]
        ],
        inputs=inputs,
        answers=queries.seed_build_cache({"listing": posts}),
        build_time=datetime.fromisoformat(saved["build_time"]),
        warnings=saved["warnings"],
    )
    return Snapshot(memory, sources)


def replan_from(
    app: Flask, freezer: StagingFreezer, data: bytes, sources: Sources
) -> tuple[Planned, BuildMemory] | None:
    """Every page with its digest, from the snapshot in ``data``, and the memory of the
    build it describes (as patched); None when a full plan is needed (then the answers
    the snapshot seeded are forgotten).

    Call inside the build's request context, after its sync, with the rows' ``sources``
    read before anything else of the database: a row saved meanwhile is then read again
    by the next build.
    """
    try:
        snapshot = load(app, data)
    except (KeyError, TypeError, ValueError):  # not what ``dump`` wrote
        snapshot = None
    pages = _replan(app, freezer, snapshot, sources) if snapshot is not None else None
    if snapshot is None or pages is None:
        queries.forget_build_cache()
        return None
    return pages, snapshot.memory


def _replan(
    app: Flask, freezer: StagingFreezer, snapshot: Snapshot, sources: Sources
) -> Planned | None:
    changed = snapshot.changed(sources)
    if changed is None:
        return None
    files = {*freezer._static_rules_endpoints(), "public.media"}
    if _file_pages(freezer) != {
        (page.endpoint, page.values.get("filename"))
        for page, _key in snapshot.memory.pages
        if page.endpoint in files
    }:
        return None  # a static file or a medium was added or removed
    content_dir = Path(app.config["CONTENT_DIR"])
    paths = [str(content_dir / rel) for rel in changed]
    pages = replan(app, snapshot.memory, [], paths, changed)
    if pages is None:
        return None
    inputs = snapshot.memory.inputs
    assert inputs is not None
    # No watcher saw the static files and the media: their digests are their stat, taken now.
    return [
        (page, inputs.key(page.endpoint, page.values)) if page.endpoint in files else (page, key)
        for page, key in pages
    ]


def _file_pages(freezer: StagingFreezer) -> set[tuple[str, Any]]:
    """(endpoint, filename) of every static file and medium the site has now."""
    found: set[tuple[str, Any]] = {
        (endpoint, values["filename"]) for endpoint, values in freezer.static_files_urls()
    }
    found.update(("public.media", name) for name in list_media())
    return found

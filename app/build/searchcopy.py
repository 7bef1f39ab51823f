"""The ``search-copy`` trick: ``search.json`` copies the documents of posts that did not change.

At 10 000 posts the search index is 30 MB of documents, each made from a post's title, tags,
summary and the start of its text. A build that renders it again may copy, from the last
build's very file, the document of every post whose row did not change (``Plan.changed``):
where each document is was noted by the view (``FileRecord.note``); see
``app.public.search.LastIndex``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from app.build.deps import Changed
from app.build.freezer import PlannedPage
from app.build.manifest import FileRecord, identity
from app.public.search import LastIndex
from app.public.snapshot import Listed

#: The endpoint of ``search.json``.
SEARCH_INDEX = "public.search_json"


def last_search_index(
    root: Path,
    pages: list[PlannedPage],
    kept: Collection[str],
    previous: Mapping[str, FileRecord],
    changed: Changed | None,
    posts: Mapping[int, Listed],
) -> LastIndex | None:
    """What ``search.json`` may copy from the last build's, staged under ``root``: the
    documents of the posts whose rows did not change (of those that did, a post's slug
    names its document: a new or renamed post's too), from the very file noted (None: make
    them all)."""
    rel = next((page.rel for page in pages if page.endpoint == SEARCH_INDEX), None)
    if rel is None:
        return None
    old = previous.get(rel)
    if rel in kept or old is None or old.note is None or changed is None:
        return None
    if identity(root / rel) != old.identity:
        return None
    slugs = frozenset(posts[post_id].__dict__["slug"] for post_id in changed if post_id in posts)
    return LastIndex(root / rel, old.note, slugs)

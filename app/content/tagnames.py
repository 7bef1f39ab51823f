"""A tag's name, from the files as they are now: whatever order they came in, the site shows
the same name for a tag as a fresh database would.

Tags are one per slug ('Café', 'cafe' and 'CAFÉ' are the tag at ``/tags/cafe/``). Each row
keeps the names its file writes (``Post.tags_written``); a tag is named by the spelling most
of its posts write, a tie going to the first in code-point order ('Café' before 'cafe').
Every write of rows names the tags it touched, before it drops the tags no post uses.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from app.content.store import delete_orphan_tags, select_in, tag_slug
from app.extensions import db
from app.models import Post, Tag, post_tags

# The link table's columns, typed (they take their type from their foreign keys).
_POST_ID = sa.type_coerce(post_tags.c.post_id, sa.Integer)
_TAG_ID = sa.type_coerce(post_tags.c.tag_id, sa.Integer)


def spelling(written: Iterable[str], slug: str) -> str | None:
    """How a post writes the tag ``slug``: the first of its names with that slug."""
    return next((name for name in written if tag_slug(name) == slug), None)


def choose(spellings: Counter[str]) -> str:
    """The name of a tag written these ways: the most written; of those, the first."""
    return min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]


def tags_of(post_ids: Iterable[int]) -> set[int]:
    """The ids of the tags these rows have (before a write changes them, and after)."""
    return {tag_id for (tag_id,) in select_in(sa.select(_TAG_ID), _POST_ID, post_ids)}


def settle_tags(tag_ids: Iterable[int]) -> None:
    """After a write of rows (flushed): name the tags it touched, then drop unused tags."""
    wanted = set(tag_ids)
    posts_of: defaultdict[int, list[int]] = defaultdict(list)
    for tag_id, post_id in select_in(sa.select(_TAG_ID, _POST_ID), _TAG_ID, wanted):
        posts_of[tag_id].append(post_id)
    query = sa.select(Post.id, Post.tags_written)
    written = dict(select_in(query, Post.id, (p for ids in posts_of.values() for p in ids)))
    for (tag,) in select_in(sa.select(Tag), Tag.id, posts_of):
        names = (spelling(written[post_id], tag.slug) for post_id in posts_of[tag.id])
        # None: a row from before rows kept their spellings (read again at the next sync)
        votes = Counter(name for name in names if name is not None)
        if votes and tag.name != (name := choose(votes)):
            tag.name = name
    db.session.flush()
    delete_orphan_tags()

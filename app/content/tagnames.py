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


#: How a row writes one of its tags: (post id, tag id, spelling; "" for a row from before
#: rows kept their spellings, read again at the next sync).
Spelling = tuple[int, int, str]


def spellings(post_ids: Iterable[int]) -> set[Spelling]:
    """How these rows write each of their tags: taken before a write of them, and after."""
    ids = set(post_ids)
    if not ids:
        return set()
    written = _written(ids)
    links = sa.select(_POST_ID, _TAG_ID, Tag.slug).join(Tag, Tag.id == _TAG_ID)
    return {
        (post_id, tag_id, spelling(written[post_id], slug) or "")
        for post_id, tag_id, slug in select_in(links, _POST_ID, ids)
    }


def _written(post_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tags of these rows as their files write them, by row id."""
    return dict(select_in(sa.select(Post.id, Post.tags_written), Post.id, post_ids))


def settle_tags(before: set[Spelling], after: set[Spelling]) -> None:
    """After a write of rows (flushed), given how they wrote their tags before and after it:
    name each tag whose spellings changed (added to a row, taken from one, or written
    otherwise), then drop the tags no row has. An edit that leaves the tags alone costs a
    query or two, whatever the size of the site."""
    changed = {tag_id for _post_id, tag_id, _name in before ^ after}
    if changed:
        _name(changed, {(post_id, tag_id): name for post_id, tag_id, name in after})
    db.session.flush()
    delete_orphan_tags()


def _name(tag_ids: set[int], known: dict[tuple[int, int], str]) -> None:
    """Name these tags by how their rows write them (``known``: of the rows just written)."""
    links = list(select_in(sa.select(_TAG_ID, _POST_ID), _TAG_ID, tag_ids))
    others = {post_id for tag_id, post_id in links if (post_id, tag_id) not in known}
    written = _written(others)
    tags = {tag.id: tag for (tag,) in select_in(sa.select(Tag), Tag.id, tag_ids)}
    votes: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for tag_id, post_id in links:
        name = known.get((post_id, tag_id))
        if name is None:
            name = spelling(written[post_id], tags[tag_id].slug) or ""
        if name:
            votes[tag_id][name] += 1
    for tag_id, counted in votes.items():
        if tags[tag_id].name != (name := choose(counted)):
            tags[tag_id].name = name

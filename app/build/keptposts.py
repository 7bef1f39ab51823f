"""The posts the last build listed, kept for the next build: in memory by a watch, in the
build cache by the command line (``keptfile``).

A build of 10 000 posts spends a third of an edit's time reading its listing again (every
column but the bodies, and the tags, of every post). Between two builds nearly all of it is
the same. The database itself says what is not: its triggers stamp every post whose row,
tags or tags' names change with a new random value (``PostRevision``, migrations b7e2d4f6a813
and d5c8a3f1e927), whoever writes it. So a kept listing is brought up to date by reading

* the ids of the posts the listing holds now, in its order, each with its stamp (which posts
  are on the site changes with time, too, as scheduled posts fall due),
* and, in full, only the posts whose stamp is not the one read with them, or not kept.

A stamp is read before the post it stamps, so a write in between only makes the next build
read the post again; and a stamp is random, so the same stamp means no write since whatever
happened to the database in between (a restored copy, written as often again, included).

It is the ``kept-posts`` trick (``app.tricks``); off, or whenever the database cannot vouch
for its stamps (another database, triggers missing, other columns), the listing is read
whole, which is the plain path ``tests/test_kept_posts.py`` compares with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.build.postrows import KeptRows
from app.build.triggers import TRIGGERS
from app.extensions import db
from app.models import DataRevision, Post, PostRevision
from app.public.snapshot import Listed, by_id, plain_rows

#: More changed posts than this: one read of the whole listing costs less than the ids.
MOST_READ_AGAIN = 2000

#: What a listing is read with: its condition -> its posts, in index order.
ReadListing = Callable[[sa.ColumnElement[bool]], list[Listed]]


@dataclass
class KeptListing:
    """A listing as it was read: the database's token, the columns, the posts by id and the
    stamp each had before it was read (None: no stamp, read again every time)."""

    token: str
    columns: tuple[str, ...]
    posts: dict[int, Listed] = field(default_factory=dict)
    stamps: dict[int, int | None] = field(default_factory=dict)


@dataclass
class KeptPosts:
    """Listings by name (the timeline, the pages), each with the stamps of its posts, and
    the rows of their posts."""

    kept: dict[str, KeptListing] = field(default_factory=dict)
    rows: KeptRows = field(default_factory=KeptRows)
    #: How the last call was answered (``"whole"`` or the number of posts read again).
    last: dict[str, Any] = field(default_factory=dict)
    #: The file these were loaded from, if any (``keptfile.Origin``).
    origin: Any = None

    def changed(self) -> bool:
        """Whether the last build read a post or made a row anew (else what a file of them
        holds is still all of it)."""
        return any(how != 0 for how in self.last.values()) or self.rows.made > 0

    def listed(
        self,
        name: str,
        condition: sa.ColumnElement[bool],
        columns: tuple[str, ...],
        read: ReadListing,
    ) -> list[Listed]:
        """The posts meeting ``condition`` in index order, as ``read`` would list them."""
        token = current_token()
        if token is None:
            self.kept.pop(name, None)
            self.last[name] = "whole"
            return read(condition)
        stamps = _stamps(condition)  # before the posts: a write in between is read again
        kept = self.kept.get(name)
        found = None
        if kept is not None and (kept.token, kept.columns) == (token, columns):
            found = _brought_up_to_date(kept, stamps, condition, read)
        if found is None:
            posts = read(condition)
            self.last[name] = "whole"
        else:
            posts, self.last[name] = found
        listed = by_id(posts)
        self.kept[name] = KeptListing(token, columns, listed, {i: stamps.get(i) for i in listed})
        return posts


def _stamps(condition: sa.ColumnElement[bool]) -> dict[int, int | None]:
    """The ids of the posts meeting ``condition`` in index order, with their stamps."""
    query = (
        sa.select(Post.id, PostRevision.revision)
        .outerjoin(PostRevision, PostRevision.post_id == Post.id)
        .where(condition)
        .order_by(Post.published_at.desc(), Post.slug)
    )
    return dict(plain_rows(query))  # each row a list of two


def _brought_up_to_date(
    kept: KeptListing,
    stamps: dict[int, int | None],
    condition: sa.ColumnElement[bool],
    read: ReadListing,
) -> tuple[list[Listed], int] | None:
    """The kept listing with the posts whose stamp changed, or not kept, read again (and
    how many were); None when so many changed that reading it whole is cheaper."""
    again = {
        post_id
        for post_id, stamp in stamps.items()
        if stamp is None or kept.stamps.get(post_id) != stamp or post_id not in kept.posts
    }
    if len(again) > MOST_READ_AGAIN:
        return None
    fresh: dict[int, Listed] = {}
    if again:
        for post in read(sa.and_(condition, Post.id.in_(sorted(again)))):
            fresh[post.__dict__["id"]] = post
    posts: list[Listed] = []
    for post_id in stamps:
        found = fresh.get(post_id) if post_id in again else kept.posts.get(post_id)
        if found is not None:  # None: gone between the two reads, as a plain read would miss it
            posts.append(found)
    return posts, len(again)


def current_token() -> str | None:
    """The token naming the database; None when it cannot vouch for its stamps (no token
    row, or a trigger missing: a migration that remade a table)."""
    token = db.session.scalar(sa.select(DataRevision.token))
    if token is None or not _triggers_present():
        return None
    return token


def _triggers_present() -> bool:
    dialect = db.session.get_bind().dialect.name
    names = TRIGGERS.get(dialect)
    if names is None:
        return False
    if dialect == "sqlite":
        query = sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    else:
        query = sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    found = set(db.session.scalars(query))
    return found.issuperset(names)

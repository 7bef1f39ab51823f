"""The posts a long-lived process's last build listed, kept for its next build (``--watch``).

A build of 10 000 posts spends a third of an edit's time reading its listing again (every
column but the bodies, and the tags, of every post). Between two builds of a watch nearly
all of it is the same. The database itself says what is not: its triggers stamp every post
whose row, tags or tags' names change with a new revision (``PostRevision``, migration
b7e2d4f6a813), whoever writes it. So a kept listing is brought up to date by reading

* the ``data_revision`` counter first (anything written after it is stamped higher, and is
  read again by the next build),
* the ids of the posts the listing holds now, in its order (which posts are on the site
  changes with time, too, as scheduled posts fall due),
* and, in full, only the posts stamped since the kept listing was read, or not in it.

It is the ``kept-posts`` trick (``app.tricks``); off, or whenever the database cannot vouch
for its stamps (another database, a counter that went back, triggers missing, other columns),
the listing is read whole, which is the plain path ``tests/test_kept_posts.py`` compares with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import DataRevision, Post, PostRevision
from app.public.snapshot import Listed

#: The triggers that stamp revisions (see the migration), by database.
TRIGGERS = {
    "sqlite": (
        "post_revision_insert",
        "post_revision_update",
        "post_revision_delete",
        "post_tags_revision_insert",
        "post_tags_revision_delete",
        "tag_revision_update",
    ),
    "postgresql": ("post_revision", "post_tags_revision", "tag_revision"),
}
#: More changed posts than this: one read of the whole listing costs less than the ids.
MOST_READ_AGAIN = 2000

#: What a listing is read with: its condition -> its posts, in index order.
ReadListing = Callable[[sa.ColumnElement[bool]], list[Listed]]


@dataclass(frozen=True)
class Mark:
    """The database's counter when a listing was read, and what names that database."""

    token: str
    value: int


@dataclass
class _Kept:
    mark: Mark
    columns: tuple[str, ...]
    posts: dict[int, Listed] = field(default_factory=dict)


@dataclass
class KeptRow:
    """A post's row in the last build (``postrows.rows_of``): the object it was made of, the
    values of its properties, the row's text and its digest."""

    post: Listed
    properties: tuple[Any, ...]
    text: str
    digest: bytes


@dataclass
class KeptRows:
    """The rows of the last build, for posts the kept listing still holds (the same object:
    the same values). Its properties are Post's code run on those values, the settings
    (``context``) and the clock: a kept row is used again while the context is the same
    and the properties that asked the clock (noted as they ran) still give the same."""

    context: str = ""
    rows: dict[int, KeptRow] = field(default_factory=dict)
    #: The properties that read the clock for some post (``status.watching_clock``).
    clocked: frozenset[str] = frozenset()


@dataclass
class KeptPosts:
    """Listings by name (the timeline, the pages), each with the mark it was read at, and
    the rows of their posts."""

    kept: dict[str, _Kept] = field(default_factory=dict)
    rows: KeptRows = field(default_factory=KeptRows)
    #: How the last call was answered (``"whole"`` or the number of posts read again).
    last: dict[str, Any] = field(default_factory=dict)

    def listed(
        self,
        name: str,
        condition: sa.ColumnElement[bool],
        columns: tuple[str, ...],
        read: ReadListing,
    ) -> list[Listed]:
        """The posts meeting ``condition`` in index order, as ``read`` would list them."""
        mark = current_mark()
        kept = self.kept.get(name)
        found = None
        if mark is not None and kept is not None and _still_describes(kept, mark, columns):
            found = _brought_up_to_date(kept, condition, read)
        if found is None:
            posts = read(condition)
            self.last[name] = "whole"
        else:
            posts, self.last[name] = found
        if mark is None:
            self.kept.pop(name, None)
        else:
            self.kept[name] = _Kept(mark, columns, {p.__dict__["id"]: p for p in posts})
        return posts


def _still_describes(kept: _Kept, mark: Mark, columns: tuple[str, ...]) -> bool:
    return kept.mark.token == mark.token and kept.mark.value <= mark.value and (
        kept.columns == columns
    )


def _brought_up_to_date(
    kept: _Kept, condition: sa.ColumnElement[bool], read: ReadListing
) -> tuple[list[Listed], int] | None:
    """The kept listing with the posts stamped since, or not kept, read again (and how
    many were); None when so many changed that reading it whole is cheaper."""
    session = db.session
    order = (Post.published_at.desc(), Post.slug)
    ids = list(session.scalars(sa.select(Post.id).where(condition).order_by(*order)))
    since = sa.select(PostRevision.post_id).where(PostRevision.revision > kept.mark.value)
    stamped = set(session.scalars(since))
    again = {post_id for post_id in ids if post_id in stamped or post_id not in kept.posts}
    if len(again) > MOST_READ_AGAIN:
        return None
    fresh: dict[int, Listed] = {}
    if again:
        for post in read(sa.and_(condition, Post.id.in_(sorted(again)))):
            fresh[post.__dict__["id"]] = post
    posts: list[Listed] = []
    for post_id in ids:
        found = fresh.get(post_id) if post_id in again else kept.posts.get(post_id)
        if found is not None:  # None: gone between the two reads, as a plain read would miss it
            posts.append(found)
    return posts, len(again)


def current_mark() -> Mark | None:
    """The counter and token of the database, read first; None when it cannot vouch for
    its stamps (no counter row, or a trigger missing: a migration that remade a table)."""
    session = db.session
    row = session.execute(sa.select(DataRevision.token, DataRevision.value)).first()
    if row is None or not _triggers_present():
        return None
    return Mark(row.token, row.value)


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

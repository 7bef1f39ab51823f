"""A post's status, defined once: draft, scheduled (dated in the future) or published.

Only posts and notes are scheduled: a page is published whatever its date. A post or note
that is not a draft and dated in the future is scheduled however it was written: *Published*
in the admin, `draft: false` in the API or in a file.

The admin, the API, Micropub, the public pages and builds all ask here. "Now" is the build's
time during a build (every page of it agrees), the clock otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa

#: Every status, in the order an author meets them.
STATUSES = ("draft", "scheduled", "published")
#: The kinds that are dated, and so may be scheduled: articles and notes (not pages).
DATED_KINDS = ("post", "note")


#: The time of the build running in this context (see ``frozen``), or None: the clock.
_FROZEN: ContextVar[datetime | None] = ContextVar("microblog_build_time", default=None)


class ClockReads:
    """Whether ``now`` was asked inside ``watching_clock``."""

    __slots__ = ("read",)

    def __init__(self) -> None:
        self.read = False


_WATCHING: ContextVar[ClockReads | None] = ContextVar("microblog_clock_reads", default=None)


def now() -> datetime:
    """'Now' for publishing decisions (naive UTC): fixed for a whole build."""
    reads = _WATCHING.get()
    if reads is not None:
        reads.read = True
    return _FROZEN.get() or datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def watching_clock(reads: ClockReads) -> Iterator[ClockReads]:
    """Note in ``reads`` whether the code inside asks ``now``: what it computes may differ
    at another time (a post's status; see ``app.build.keptposts.KeptRows``)."""
    token = _WATCHING.set(reads)
    try:
        yield reads
    finally:
        _WATCHING.reset(token)


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Inside, ``now()`` is ``at`` (naive UTC): every page of a build agrees on what is out."""
    token = _FROZEN.set(at)
    try:
        yield at
    finally:
        _FROZEN.reset(token)


def status_of(
    draft: bool, published_at: datetime | None, at: datetime | None = None, kind: str = "post"
) -> str:
    """The status of a post (or page) with these fields, at ``at`` (default: ``now()``)."""
    if draft:
        return "draft"
    if kind in DATED_KINDS and published_at is not None and published_at > (at or now()):
        return "scheduled"
    return "published"


def status_condition(
    status: str,
    draft: sa.SQLColumnExpression[bool],
    published_at: sa.SQLColumnExpression[datetime | None],
    kind: sa.SQLColumnExpression[str] | None = None,
) -> sa.ColumnElement[bool]:
    """The SQL condition for ``status_of(draft, published_at, kind=kind) == status``; without
    ``kind`` every row is taken for a post."""
    at = now()
    future: sa.ColumnElement[bool] = published_at > at
    past = [published_at.is_(None), published_at <= at]
    if kind is not None:
        future = sa.and_(kind.in_(DATED_KINDS), future)
        past.insert(0, kind.not_in(DATED_KINDS))
    if status == "draft":
        return draft.is_(True)
    if status == "scheduled":
        return sa.and_(draft.is_(False), future)
    if status == "published":
        return sa.and_(draft.is_(False), sa.or_(*past))
    raise ValueError(f"unknown status {status!r}")

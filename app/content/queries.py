"""The content layer's queries for authors: every post and page, drafts and scheduled too.

The admin's dashboard and the API filter with the same conditions (the public site asks
``app.public.queries``, which knows what readers may see).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.localtime import to_utc
from app.models import Post, Tag
from app.status import status_condition


def post_filters(
    *,
    kind: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[sa.ColumnElement[bool]]:
    """The conditions of rows that match the filters (no filter: every row)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if kind:
        conditions.append(Post.kind == kind)
    if status:
        conditions.append(status_condition(status, Post.draft, Post.published_at, Post.kind))
    if tag:
        conditions.append(Post.tags.any(Tag.slug == tag))
    if q:
        conditions.append(
            sa.or_(
                Post.title.icontains(q, autoescape=True), Post.body.icontains(q, autoescape=True)
            )
        )
    if date_from:  # the site's days: 23:30 in Los Angeles is that day, not the next one
        conditions.append(Post.published_at >= _local_midnight(date_from))
    if date_to and date_to < date.max:
        conditions.append(Post.published_at < _local_midnight(date_to + timedelta(days=1)))
    return conditions


def _local_midnight(day: date) -> datetime:
    """Naive UTC of the first moment of ``day`` in the site's time zone (before year 1 in
    UTC, east of Greenwich: the calendar's first moment)."""
    try:
        return to_utc(datetime.combine(day, time.min))
    except OverflowError:
        return datetime.min


def count_matching(*, kind: str | None = None, status: str | None = None) -> int:
    """How many posts and pages match the filters (one query)."""
    query = sa.select(sa.func.count(Post.id)).where(*post_filters(kind=kind, status=status))
    return db.session.scalar(query) or 0


def matching_posts(
    *,
    kind: str = "post",
    status: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> sa.Select[Post]:
    """All posts (or notes: ``kind``; drafts and scheduled too) that match the filters,
    newest first."""
    conditions = post_filters(
        kind=kind, status=status, tag=tag, q=q, date_from=date_from, date_to=date_to
    )
    return sa.select(Post).where(*conditions).order_by(Post.published_at.desc(), Post.slug)


def next_scheduled() -> Post | None:
    """The scheduled post that goes live first (None: nothing is scheduled)."""
    query = sa.select(Post).where(*post_filters(kind="post", status="scheduled"))
    return db.session.scalar(query.order_by(Post.published_at, Post.slug).limit(1))

"""A post's status, defined once: draft, scheduled (dated in the future) or published.

The admin, the API, Micropub, the public pages and builds all ask here. "Now" is the build's
time during a build (every page of it agrees), the clock otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context

#: Every status, in the order an author meets them.
STATUSES = ("draft", "scheduled", "published")


def now() -> datetime:
    """'Now' for publishing decisions (naive UTC): fixed for a whole build."""
    fixed = current_app.config.get("BUILD_TIME") if has_app_context() else None
    return fixed or datetime.now(UTC).replace(tzinfo=None)


def status_of(draft: bool, published_at: datetime | None, at: datetime | None = None) -> str:
    """The status of a post with these fields, at ``at`` (default: ``now()``)."""
    if draft:
        return "draft"
    if published_at is not None and published_at > (at or now()):
        return "scheduled"
    return "published"


def status_condition(
    status: str, draft: sa.ColumnElement[bool], published_at: sa.ColumnElement[datetime | None]
) -> sa.ColumnElement[bool]:
    """The SQL condition for ``status_of(draft, published_at) == status``."""
    at = now()
    if status == "draft":
        return draft.is_(True)
    if status == "scheduled":
        return sa.and_(draft.is_(False), published_at > at)
    if status == "published":
        return sa.and_(draft.is_(False), sa.or_(published_at.is_(None), published_at <= at))
    raise ValueError(f"unknown status {status!r}")

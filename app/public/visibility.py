"""Which rows are on the site: the SQL both read models start from (``live``, ``snapshot``)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_request_context
from flask_login import current_user

from app.localtime import local_range
from app.models import Post, Tag
from app.status import DATED_KINDS, now


def author_preview() -> bool:
    """A logged-in author browsing the authoring app (never the freezer's app)."""
    return bool(
        current_app.extensions.get("microblog.authoring")
        and has_request_context()
        and current_user.is_authenticated
    )


def include_drafts() -> bool:
    """Drafts are shown: a preview build (``--drafts``), or an author logged in."""
    return bool(current_app.config.get("BUILD_DRAFTS")) or author_preview()


def visible(kind: str | None = None) -> sa.ColumnElement[bool]:
    """The condition a row must meet to be on the site: one of this ``kind``, or (None) of
    the timeline, where posts and notes are interleaved by date."""
    conditions = [Post.kind == kind if kind is not None else Post.kind.in_(DATED_KINDS)]
    if kind in (None, *DATED_KINDS) and not author_preview():  # authors also see scheduled
        conditions.append(Post.published_at <= now())
    if not include_drafts():
        conditions.append(Post.draft.is_(False))
    return sa.and_(*conditions)


def published_posts() -> sa.Select[Post]:
    """Published posts, newest first, with a stable tie-break (tags loaded in one query)."""
    return (
        sa.select(Post)
        .where(visible())
        .order_by(Post.published_at.desc(), Post.slug)
        .options(so.selectinload(Post.tags))
    )


def tag_posts(tag_id: int) -> sa.Select[Post]:
    """Published posts with the tag ``tag_id``, newest first."""
    return published_posts().where(Post.tags.any(Tag.id == tag_id))


def period_posts(year: int, month: int | None = None) -> sa.Select[Post]:
    """Published posts of one local year, or of one local month of it, newest first."""
    start, end = local_range(year, month)
    return published_posts().where(Post.published_at >= start, Post.published_at < end)

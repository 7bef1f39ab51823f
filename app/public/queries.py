"""What is published, computed the same way for the preview app and the freezer."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from app.extensions import db
from app.models import Post, Tag, post_tags


def build_time() -> datetime:
    """'Now' for publishing decisions: fixed for a whole build, so every page agrees."""
    fixed = current_app.config.get("BUILD_TIME")
    return fixed or datetime.now(UTC).replace(tzinfo=None)


def author_preview() -> bool:
    """A logged-in author browsing the authoring app (never the freezer's app)."""
    return bool(
        current_app.extensions.get("microblog.authoring")
        and has_request_context()
        and current_user.is_authenticated
    )


def include_drafts() -> bool:
    return bool(current_app.config.get("BUILD_DRAFTS")) or author_preview()


def visible(kind: str = "post") -> sa.ColumnElement[bool]:
    """The condition a row must meet to be on the site."""
    conditions = [Post.kind == kind]
    if kind == "post" and not author_preview():  # authors also see scheduled posts
        conditions.append(Post.published_at <= build_time())
    if not include_drafts():
        conditions.append(Post.draft.is_(False))
    return sa.and_(*conditions)


def published_posts() -> sa.Select[tuple[Post]]:
    """Published posts, newest first, with a stable tie-break."""
    return sa.select(Post).where(visible()).order_by(Post.published_at.desc(), Post.slug)


def paginate(query: sa.Select[tuple[Post]], page: int) -> Pagination:
    return db.paginate(
        query, page=page, per_page=current_app.config["POSTS_PER_PAGE"], error_out=True
    )


def get_visible(kind: str, slug: str) -> Post | None:
    return db.session.scalar(sa.select(Post).where(visible(kind), Post.slug == slug))


def neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """(newer, older) published posts around ``post``, in index order."""
    newer = db.session.scalar(
        sa.select(Post)
        .where(
            visible(),
            sa.or_(
                Post.published_at > post.published_at,
                sa.and_(Post.published_at == post.published_at, Post.slug < post.slug),
            ),
        )
        .order_by(Post.published_at.asc(), Post.slug.desc())
        .limit(1)
    )
    older = db.session.scalar(
        sa.select(Post)
        .where(
            visible(),
            sa.or_(
                Post.published_at < post.published_at,
                sa.and_(Post.published_at == post.published_at, Post.slug > post.slug),
            ),
        )
        .order_by(Post.published_at.desc(), Post.slug.asc())
        .limit(1)
    )
    return newer, older


def tags_with_counts() -> list[tuple[Tag, int]]:
    """Tags that have at least one published post, with how many, by name."""
    count = sa.func.count(Post.id)
    rows = db.session.execute(
        sa.select(Tag, count)
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(visible())
        .group_by(Tag.id)
        .order_by(Tag.name)
    )
    return [(tag, n) for tag, n in rows]


def tag_posts(tag: Tag) -> sa.Select[tuple[Post]]:
    return published_posts().where(Post.tags.contains(tag))


def visible_pages() -> list[Post]:
    return list(db.session.scalars(sa.select(Post).where(visible("page")).order_by(Post.title)))

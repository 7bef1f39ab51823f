"""The read model of the authoring app's preview: every answer is a fresh SQL query.

Same questions, same answers as a build's ``Snapshot`` (tests compare them page by page);
what is on the site is ``visibility``'s, so a logged-in author also sees drafts and
scheduled posts here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from app.extensions import db
from app.models import Post, Tag, post_tags
from app.public.visibility import period_posts, published_posts, tag_posts, visible


class Live:
    """Answers straight from the database (ORM rows)."""

    def listing(self) -> list[Post]:
        return list(db.session.scalars(published_posts()))

    def get_visible(self, kind: str, slug: str) -> Post | None:
        return db.session.scalar(sa.select(Post).where(visible(kind), Post.slug == slug))

    def get_tag(self, slug: str) -> Tag | None:
        return db.session.scalar(sa.select(Tag).where(Tag.slug == slug))

    def neighbours(self, slug: str) -> tuple[Post | None, Post | None]:
        slugs = list(db.session.scalars(published_posts().with_only_columns(Post.slug)))
        try:
            position = slugs.index(slug)
        except ValueError:  # a draft seen in preview: it has no place in the listing
            return None, None
        newer = slugs[position - 1] if position > 0 else None
        older = slugs[position + 1] if position + 1 < len(slugs) else None
        return self._post(newer), self._post(older)

    def _post(self, slug: str | None) -> Post | None:
        if slug is None:
            return None
        return db.session.scalar(sa.select(Post).where(Post.slug == slug))

    def tags_with_counts(self) -> list[tuple[Tag, int]]:
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

    def visible_pages(self) -> list[Post]:
        query = sa.select(Post).where(visible("page")).order_by(Post.title, Post.slug)
        return list(db.session.scalars(query))

    def published_dates(self) -> Sequence[datetime | None]:
        return db.session.scalars(published_posts().with_only_columns(Post.published_at)).all()

    def list_page(self, tag: Tag | None, page: int) -> Pagination:
        """Page ``page`` of the index (``tag`` None) or of a tag's list (404 past the end)."""
        query = published_posts() if tag is None else tag_posts(tag.id)
        per_page = current_app.config["POSTS_PER_PAGE"]
        return db.paginate(query, page=page, per_page=per_page, error_out=True)

    def count(self, tag: Tag | None) -> int:
        """How many posts the index (``tag`` None) or a tag lists."""
        query = published_posts() if tag is None else tag_posts(tag.id)
        return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0

    def newest(self, tag: Tag | None, limit: int) -> list[Post]:
        query = published_posts() if tag is None else tag_posts(tag.id)
        return list(db.session.scalars(query.limit(limit)))

    def period(self, year: int, month: int | None) -> list[Post]:
        return list(db.session.scalars(period_posts(year, month)))

    def texts(self, posts: Sequence[Post]) -> dict[int, str]:
        """Each post's body text (search documents)."""
        return {post.id: post.body_text for post in posts}

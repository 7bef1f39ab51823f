"""URL generators for the freezer: one per public endpoint that takes arguments."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.content.media import list_media
from app.extensions import db
from app.public import queries

Url = tuple[str, dict[str, Any]]


def _page_count(query: sa.Select[Any]) -> int:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    return max(1, math.ceil(total / current_app.config["POSTS_PER_PAGE"]))


def index() -> Iterator[Url]:
    for page in range(1, _page_count(queries.published_posts()) + 1):
        yield "public.index", {"page": page}


def post() -> Iterator[Url]:
    for slug in db.session.scalars(queries.published_posts().with_only_columns(queries.Post.slug)):
        yield "public.post", {"slug": slug}


def tag() -> Iterator[Url]:
    for item, count in queries.tags_with_counts():
        pages = max(1, math.ceil(count / current_app.config["POSTS_PER_PAGE"]))
        for page in range(1, pages + 1):
            yield "public.tag", {"slug": item.slug, "page": page}


def page() -> Iterator[Url]:
    for item in queries.visible_pages():
        yield "public.page", {"slug": item.slug}


def media() -> Iterator[Url]:
    for name in list_media():
        yield "public.media", {"filename": name}


ALL = (index, post, tag, page, media)

"""Atom feed, written by feedgen from the same queries as the pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import current_app, url_for

from app.models import Post

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc(value: datetime | None) -> datetime:
    return value.replace(tzinfo=UTC) if value else _EPOCH


def atom_feed(posts: Sequence[Post], self_url: str, title: str) -> bytes:
    """An Atom document for ``posts``; 'updated' comes from the posts, so builds repeat."""
    config = current_app.config
    home = url_for("public.index", _external=True)
    fg = FeedGenerator()
    fg.id(home)
    fg.title(title)
    fg.subtitle(config["SITE_DESCRIPTION"])
    fg.author({"name": config["SITE_AUTHOR"]})
    fg.link(href=home, rel="alternate")
    fg.link(href=self_url, rel="self")
    fg.language(config["SITE_LANGUAGE"])
    fg.updated(max((_utc(p.updated_at or p.published_at) for p in posts), default=_EPOCH))
    for post in posts:
        url = url_for("public.post", slug=post.slug, _external=True)
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.title(post.title)
        entry.link(href=url)
        entry.published(_utc(post.published_at))
        entry.updated(_utc(post.updated_at or post.published_at))
        entry.summary(post.summary)
        entry.content(post.body_html, type="html")
        if post.author_name:
            entry.author({"name": post.author_name})
        for tag in post.tags:
            entry.category(term=tag.name)
    return fg.atom_str(pretty=True)

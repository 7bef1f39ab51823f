"""Atom feeds, written by feedgen from the same queries as the pages; what every format
shares (``Channel``, ``Entry``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, url_for

from app.localtime import site_zone, to_local
from app.models import Post
from app.public.permalinks import permalink
from app.public.snapshot import Listed
from app.public.urls import absolute

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Characters of a note's text in its Atom title.
TITLE_LENGTH = 60


@dataclass(frozen=True)
class Channel:
    """One feed (site-wide or one tag's), in every format; all URLs absolute."""

    title: str
    home_url: str
    atom_url: str
    json_url: str
    rss_url: str


@dataclass(frozen=True)
class Photo:
    """A photo of a note as feeds carry it; ``length`` in bytes when the file is ours."""

    url: str
    alt: str
    mime_type: str
    length: int | None


@dataclass(frozen=True)
class Entry:
    """A post as feeds show it: absolute URL, full content with absolute links."""

    post: Post | Listed
    url: str
    #: The post's own title: empty for a note (never one made up for it).
    title: str
    content_html: str
    photos: tuple[Photo, ...]
    published: datetime
    updated: datetime


def local_time(value: datetime | None) -> datetime:
    """A naive-UTC date in the site's time zone, aware (the epoch when missing): feeds give
    dates with the offset of the site's local time."""
    return to_local(value, site_zone()) if value else EPOCH


def utc(value: datetime | None) -> datetime:
    """DB datetimes are naive UTC; feeds need them aware (the epoch when missing)."""
    return value.replace(tzinfo=UTC) if value else EPOCH


def entries(posts: Sequence[Post | Listed]) -> Iterator[Entry]:
    site_url = url_for("public.index", _external=True)
    for post in posts:
        url = permalink(post, external=True)  # a post's or a note's page
        yield Entry(
            post=post,
            url=url,
            title=post.title or "",
            content_html=absolute(post.body_html, url, site_url),
            photos=(),
            published=local_time(post.published_at),
            updated=local_time(post.updated_at or post.published_at),
        )


def text_title(text: str, limit: int = TITLE_LENGTH) -> str:
    """Atom's required title for a post without one: the start of its own text, cut at a
    word with an ellipsis (RFC 4287 requires atom:title; see docs/feeds.md for why not empty).
    """
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[: limit + 1].rsplit(" ", 1)[0] if " " in words[:limit] else words[:limit]
    return cut.rstrip(" ,;:.-") + "…"


def feed_updated(items: Sequence[Entry]) -> datetime:
    """The newest change among the entries, so two builds of the same posts agree."""
    return max((item.updated for item in items), default=EPOCH)


def atom_feed(posts: Sequence[Post | Listed], channel: Channel) -> bytes:
    """An Atom document for ``posts``; 'updated' comes from the posts, so builds repeat."""
    config = current_app.config
    from feedgen.feed import FeedGenerator  # with lxml: a build that writes no feed skips both

    items = list(entries(posts))
    fg = FeedGenerator()
    fg.id(channel.home_url)
    fg.title(channel.title)
    fg.subtitle(config["SITE_DESCRIPTION"])
    fg.author({"name": config["SITE_AUTHOR"]})
    fg.link(href=channel.home_url, rel="alternate", type="text/html")
    fg.link(href=channel.atom_url, rel="self", type="application/atom+xml")
    fg.language(config["SITE_LANGUAGE"])
    fg.updated(feed_updated(items))
    for item in items:
        post = item.post
        entry = fg.add_entry(order="append")
        entry.id(item.url)
        entry.title(item.title or text_title(post.body_text))
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.published(item.published)
        entry.updated(item.updated)
        if post.summary:
            entry.summary(post.summary)
        entry.content(item.content_html, type="html")
        if post.author_name:
            entry.author({"name": post.author_name})
        for tag in post.tags:
            entry.category(term=tag.name)
    atom: bytes = fg.atom_str(pretty=True)  # feedgen is untyped
    return atom

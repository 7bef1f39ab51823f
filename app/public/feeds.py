"""Atom feeds, written by feedgen from the same queries as the pages; what every format
shares (``Channel``, ``Entry``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, url_for

from app.localtime import site_zone, to_local
from app.models import Post
from app.public import feednotes
from app.public.feednotes import Photo
from app.public.permalinks import permalink
from app.public.snapshot import Listed
from app.public.urls import absolute

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Channel:
    """One feed (site-wide or one tag's), in every format; all URLs absolute."""

    title: str
    home_url: str
    atom_url: str
    json_url: str
    rss_url: str


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
        photos = feednotes.photos(post, url, site_url)
        html = absolute(post.body_html, url, site_url)
        yield Entry(
            post=post,
            url=url,
            title=post.title or "",
            content_html=feednotes.note_html(html, post, photos) if post.kind == "note" else html,
            photos=photos,
            published=local_time(post.published_at),
            updated=local_time(post.updated_at or post.published_at),
        )


def enclosure(photo: Photo) -> dict[str, str]:
    """An Atom ``rel=enclosure`` link (its type and length when known)."""
    link = {"href": photo.url, "rel": "enclosure"}
    if photo.mime_type:
        link["type"] = photo.mime_type
    if photo.length is not None:
        link["length"] = str(photo.length)
    return link


def _enclosing_entry(photos: tuple[Photo, ...]) -> Any:
    """A feedgen entry that writes ``photos`` as enclosure links: feedgen 1.0 writes an
    entry link's ``href`` alone (it drops ``rel``, ``type`` and ``length``)."""
    from feedgen.entry import FeedEntry
    from feedgen.util import xml_elem

    class EnclosingEntry(FeedEntry):  # type: ignore[misc]  # feedgen is untyped
        def atom_entry(self, extensions: bool = True) -> Any:
            element = super().atom_entry(extensions)
            for photo in photos:
                xml_elem("link", element, **enclosure(photo))
            return element

    return EnclosingEntry()


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
        entry = fg.add_entry(_enclosing_entry(item.photos), order="append")
        entry.id(item.url)
        # RFC 4287 requires a title: a note's is its first words, as the site's lists name
        # it (an empty one is valid too, but readers show a blank line: docs/feeds.md).
        entry.title(item.title or post.display_name)
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.published(item.published)
        entry.updated(item.updated)
        if item.title and post.summary:  # a note's summary is its text again
            entry.summary(post.summary)
        entry.content(item.content_html, type="html")
        if post.author_name:
            entry.author({"name": post.author_name})
        for tag in post.tags:
            entry.category(term=tag.name)
    atom: bytes = fg.atom_str(pretty=True)  # feedgen is untyped
    return atom

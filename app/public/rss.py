"""RSS 2.0 (https://www.rssboard.org/rss-specification), from the same entries as Atom.

A note has no ``<title>``: RSS 2.0 allows an item without one when it has a
``<description>``, which here is always the full content. A photo becomes an
``<enclosure>`` only when its length in bytes is known (the spec requires it).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app

from app.models import Post
from app.public.feeds import Channel, entries, feed_updated
from app.public.snapshot import Listed

MIMETYPE = "application/rss+xml"


def rss_feed(posts: Sequence[Post | Listed], channel: Channel) -> bytes:
    """An RSS 2.0 document for ``posts``; dates come from the posts, so builds repeat."""
    config = current_app.config
    from feedgen.feed import FeedGenerator  # with lxml: a build that writes no feed skips both

    items = list(entries(posts))
    fg = FeedGenerator()
    fg.title(channel.title)
    # feedgen gives RSS's <link> the last link set: 'self' (atom:link) first, then the page.
    fg.link(href=channel.rss_url, rel="self", type=MIMETYPE)
    fg.link(href=channel.home_url, rel="alternate", type="text/html")
    fg.description(config["SITE_DESCRIPTION"] or channel.title)
    fg.language(config["SITE_LANGUAGE"])
    fg.lastBuildDate(feed_updated(items))
    for item in items:
        entry = fg.add_entry(order="append")
        if item.title:
            entry.title(item.title)
        entry.link(href=item.url)
        entry.guid(item.url, permalink=True)
        entry.pubDate(item.published)
        entry.description(item.content_html)
        for tag in item.post.tags:
            entry.category(term=tag.name)
        sized = [p for p in item.photos if p.length is not None and p.mime_type]
        if sized:  # RSS 2.0 has one enclosure per item
            photo = sized[0]
            entry.enclosure(photo.url, str(photo.length), photo.mime_type)
    rss: bytes = fg.rss_str(pretty=True)  # feedgen is untyped
    return rss

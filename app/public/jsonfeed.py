"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), from the same entries as the Atom feed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flask import current_app

from app.models import Post
from app.public.feednotes import Photo
from app.public.feeds import Channel, Entry, entries
from app.public.snapshot import Listed

VERSION = "https://jsonfeed.org/version/1.1"
MIMETYPE = "application/feed+json"


def _item(entry: Entry) -> dict[str, Any]:
    post = entry.post
    item: dict[str, Any] = {"id": entry.url, "url": entry.url}
    if entry.title:  # a note has none, and JSON Feed needs none
        item["title"] = entry.title
    item["content_html"] = entry.content_html
    if entry.title and post.summary:  # a note's summary is its text again
        item["summary"] = post.summary
    if entry.photos:
        item["image"] = entry.photos[0].url
    item["date_published"] = entry.published.isoformat()
    item["date_modified"] = entry.updated.isoformat()
    if post.tags:
        item["tags"] = [tag.name for tag in post.tags]
    if post.author_name:
        item["authors"] = [{"name": post.author_name}]
    attachments = [_attachment(photo) for photo in entry.photos if photo.mime_type]
    if attachments:
        item["attachments"] = attachments
    return item


def _attachment(photo: Photo) -> dict[str, Any]:
    attachment: dict[str, Any] = {"url": photo.url, "mime_type": photo.mime_type}
    if photo.alt:
        attachment["title"] = photo.alt
    if photo.length is not None:
        attachment["size_in_bytes"] = photo.length
    return attachment


def json_feed(posts: Sequence[Post | Listed], channel: Channel) -> bytes:
    """A JSON Feed document; keys in a fixed order so builds are byte-identical."""
    config = current_app.config
    document = {
        "version": VERSION,
        "title": channel.title,
        "home_page_url": channel.home_url,
        "feed_url": channel.json_url,
        "description": config["SITE_DESCRIPTION"],
        "language": config["SITE_LANGUAGE"],
        "authors": [{"name": config["SITE_AUTHOR"]}],
        "items": [_item(entry) for entry in entries(posts)],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()

"""What feeds carry of a note besides its text: its photos and the pages it answers.

A photo in ``media/`` has a known size (RSS's ``<enclosure>`` requires one; the file is
noted for the build, so a new photo under the same name renews the feeds); a photo
elsewhere has none. Feed readers that show only ``content_html`` still see the photos and
the 'in reply to' line, as the note's own page shows them.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from app import recording
from app.content.confine import media_path
from app.content.media import quoted_url
from app.public.pictures import media_name
from app.public.urls import resolve
from app.translations import translate


@dataclass(frozen=True)
class Photo:
    """A photo of a note as feeds carry it; ``length`` in bytes when the file is ours."""

    url: str
    alt: str
    mime_type: str | None
    length: int | None


def photos(post: Any, page_url: str, site_url: str) -> tuple[Photo, ...]:
    """A note's photos with absolute URLs (none for articles)."""
    if post.kind != "note":
        return ()
    return tuple(_photo(photo, page_url, site_url) for photo in post.photos)


def _photo(photo: dict[str, str], page_url: str, site_url: str) -> Photo:
    src = photo["src"]
    length = None
    if (name := media_name(src)) is not None:
        path = media_path(Path(current_app.config["CONTENT_DIR"]), name)
        if path is not None:
            recording.file(str(path))
            length = path.stat().st_size
    return Photo(
        url=resolve(quoted_url(src), page_url, site_url),
        alt=photo.get("alt", ""),
        mime_type=media_type(src),
        length=length,
    )


def media_type(src: str) -> str | None:
    """A photo's media type by its name ('image/jpeg'), a query or fragment aside
    (``https://cdn.example/a.jpg?w=800``); None when its name does not say."""
    return mimetypes.guess_type(urlsplit(src).path)[0]


def refs(post: Any) -> dict[str, list[str]]:
    """A note's in-reply-to, bookmark-of, like-of and repost-of URLs, each key's in order."""
    found: dict[str, list[str]] = post.refs if post.kind == "note" else {}
    return found


def note_html(body_html: str, post: Any, shown: tuple[Photo, ...]) -> str:
    """A note's content for feeds: its links to other pages (every one, as its page shows
    them, in the site's language: 'In reply to A, B'), its text, its photos."""
    before = "".join(
        # the theme's words for each link are keyed by its property, as on the note's page
        # (``partials/note_body.html``): 'In reply to', 'En réponse à'
        f"<p>{escape(translate(key))} "
        + ", ".join(f'<a href="{escape(url)}">{escape(url)}</a>' for url in urls)
        + "</p>"
        for key, urls in refs(post).items()
    )
    after = "".join(
        f'<p><img src="{escape(photo.url)}" alt="{escape(photo.alt)}"></p>' for photo in shown
    )
    return before + body_html + after

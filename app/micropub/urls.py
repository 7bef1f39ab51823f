"""Posts by their public URL and back (the built site's, under ``SITE_URL``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa
from flask import current_app, url_for
from werkzeug.exceptions import HTTPException

from app.content.media import quoted_url
from app.content.notes import note_url_values
from app.extensions import db
from app.models import Post

#: The public endpoint of each kind of post.
ENDPOINTS = {"post": "public.post", "note": "public.note", "page": "public.page"}
MEDIA_PREFIX = "/media/"


def site_url() -> str:
    return str(current_app.config["SITE_URL"]).rstrip("/") + "/"


def absolute(path: str) -> str:
    """A site-rooted path (``/posts/a/``) as a URL of the built site."""
    return urljoin(site_url(), path.lstrip("/"))


def path_of(kind: str, slug: str) -> str:
    """The site-rooted path of a post of ``kind`` with ``slug``."""
    values: dict[str, Any] = note_url_values(slug) if kind == "note" else {"slug": slug}
    return url_for(ENDPOINTS[kind], **values)


def post_url(post: Post) -> str:
    return absolute(path_of(post.kind, post.slug))


def site_path(url: str) -> str | None:
    """The site-rooted path of a URL of the built site (or of this app), else None."""
    parts = urlsplit(url.strip())
    base = urlsplit(site_url())
    if parts.scheme and parts.netloc != base.netloc:
        return None
    if parts.path.startswith(base.path):
        return "/" + parts.path[len(base.path) :]
    return parts.path if not parts.scheme else None


def kind_and_slug(url: str) -> tuple[str, str] | None:
    """The kind and slug of the post a URL names, or None."""
    path = site_path(url)
    if path is None:
        return None
    try:
        endpoint, args = current_app.url_map.bind("site").match(path, method="GET")
    except HTTPException:
        return None
    kinds = {endpoint: kind for kind, endpoint in ENDPOINTS.items()}
    if endpoint not in kinds:
        return None
    slug = args.get("slug")
    if slug is None and "stamp" in args:
        slug = f"{args['year']:04d}-{args['month']:02d}-{args['day']:02d}-{args['stamp']}"
    return (kinds[endpoint], str(slug)) if slug else None


def find_post(url: str) -> Post | None:
    """The post (of any status) whose public URL is ``url``."""
    found = kind_and_slug(url)
    if found is None:
        return None
    kind, slug = found
    return db.session.scalar(sa.select(Post).where(Post.kind == kind, Post.slug == slug))


def media_url(name: str) -> str:
    """The public URL of a file in ``content/media/``."""
    return absolute(MEDIA_PREFIX + name)


def photo_src(url: str) -> str:
    """A photo's ``src`` as stored: our own media as ``/media/<name>``, others as sent."""
    path = site_path(url)
    if path is not None and path.startswith(MEDIA_PREFIX) and "://" in url:
        return path
    return url


def photo_url(src: str) -> str:
    """A stored ``src`` as an absolute URL (its path percent-encoded: a file's own name may
    have spaces and accents)."""
    return absolute(quoted_url(src)) if src.startswith("/") else src

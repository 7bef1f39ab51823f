"""Micropub tests: a client over real HTTP, and where a post landed (file, row, page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts import create_token
from app.extensions import db
from app.models import Post, User
from tests.conftest import HttpClient

NOTE_PATH = re.compile(r"^/notes/(\d{4})/(\d{2})/(\d{2})/([\d-]+)/$")
POST_PATH = re.compile(r"^/posts/([a-z0-9-]+)/$")


class MicropubClient(HttpClient):
    """``requests`` aimed at ``<live server>`` (Micropub's URLs are the app's own)."""

    def create(self, **kwargs: Any) -> str:
        """POST /micropub; asserts 201 and returns the Location."""
        response = self.post("/micropub", **kwargs)
        assert response.status_code == 201, response.text
        return response.headers["Location"]

    def source(self, url: str, *properties: str) -> dict[str, Any]:
        params: dict[str, Any] = {"q": "source", "url": url}
        if properties:
            params["properties[]"] = list(properties)
        response = self.get("/micropub", params=params)
        assert response.status_code == 200, response.text
        return response.json()


def token_for(user: User, *scopes: str) -> str:
    return create_token(user, "micropub tests", scopes=scopes or None)[1]


@pytest.fixture(name="micropub")
def micropub_fixture(
    app: Flask, synced: Flask, live_server: str, author: User
) -> Iterator[MicropubClient]:
    """A client with a token of every scope, against the sample content over real HTTP."""
    with MicropubClient(live_server, token_for(author)) as client:
        yield client


def source_path(location: str) -> str:
    """The content file (``posts/a.md``, ``notes/2026-12-03-181530.md``) of a public URL."""
    path = urlsplit(location).path
    if match := NOTE_PATH.match(path):
        return "notes/{}-{}-{}-{}.md".format(*match.groups())
    if match := POST_PATH.match(path):
        return f"posts/{match[1]}.md"
    raise AssertionError(f"not a post's URL: {location}")


def slug_of(location: str) -> str:
    return Path(source_path(location)).stem


def row(location: str) -> dict[str, Any] | None:
    """The row of the post at ``location``, as plain values (read transaction closed)."""
    try:
        post = db.session.scalar(sa.select(Post).where(Post.slug == slug_of(location)))
        if post is None:
            return None
        return {
            "kind": post.kind,
            "title": post.title,
            "body": post.body,
            "tags": sorted(t.name for t in post.tags),
            "draft": post.draft,
            "published_at": post.published_at,
            "extra": dict(post.extra or {}),
            "source_path": post.source_path,
            "author": post.author_name,
        }
    finally:
        db.session.rollback()


def front_matter(content_dir: Path, location: str) -> str:
    """The text of the post's file in ``content/``."""
    return (content_dir / source_path(location)).read_text()

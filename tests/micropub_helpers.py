"""Micropub tests: a client over real HTTP, and where a post landed (file, row, page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import mf2py
import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts import create_token
from app.content.document import parse_document
from app.extensions import db
from app.models import Post, User
from tests.conftest import FreezeRunner, HttpClient

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


def entry(**properties: Any) -> dict[str, Any]:
    """A Micropub JSON create request's body: an h-entry with these properties."""
    return {"type": ["h-entry"], "properties": properties}


@pytest.fixture(name="article")
def article_fixture(micropub: MicropubClient) -> str:
    """An article made through Micropub (name, content, one category); returns its URL."""
    return micropub.create(
        json=entry(name=["Conformance"], content=["Initial content"], category=["test1"])
    )


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
            "tag_slugs": {t.name: t.slug for t in post.tags},  # a tag's page: /tags/<slug>/
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


def assert_stored(content_dir: Path, location: str) -> dict[str, Any] | None:
    """The post's file in ``content/`` and its row agree: both there and saying the same
    (kind, title, body, tags, draft, date), or both gone. Returns the row."""
    stored, file = row(location), content_dir / source_path(location)
    if stored is None:
        assert not file.exists(), f"{file.name} has no row"
        return None
    assert file.is_file(), f"the row of {location} has no file"
    assert stored["source_path"] == source_path(location)
    doc = parse_document(file.read_text(encoding="utf-8"), file, kind=stored["kind"])
    assert (doc.kind, doc.title, doc.body, sorted(doc.tags), doc.draft) == (
        stored["kind"],
        stored["title"],
        stored["body"],
        stored["tags"],
        stored["draft"],
    )
    assert doc.date is not None
    assert doc.date.replace(microsecond=0) == stored["published_at"].replace(microsecond=0)
    return stored


def rows() -> set[str]:
    """The source paths of every row (to show that nothing was written)."""
    try:
        return set(db.session.scalars(sa.select(Post.source_path)))
    finally:
        db.session.rollback()


# --- the built site ------------------------------------------------------------------------

#: The site's URL in the build (``FreezeRunner``'s SITE_URL); Micropub answers with the app's.
SITE = "https://example.org/"
FEEDS = ("feed.xml", "feed.json", "rss.xml")
TEXT = {".html", ".xml", ".json", ".txt", ".conf", ""}


def site_path(location: str) -> str:
    """The path of a post's URL inside the site: ``notes/2026/12/03/181530/``."""
    return urlsplit(location).path.lstrip("/")


@dataclass(frozen=True)
class Built:
    """The site as ``python freeze.py`` left it in ``build/`` (``content``: what it built)."""

    root: Path
    content: Path

    def page(self, location: str) -> str | None:
        """The built page at a URL's path, or None when the build has none."""
        file = self.root / site_path(location) / "index.html"
        return file.read_text(encoding="utf-8") if file.is_file() else None

    def parsed(self, location: str) -> dict[str, Any]:
        """The page as mf2py (a maintained microformats2 parser) reads it: items and rels."""
        page = self.page(location)
        assert page is not None, f"build/ has no page for {location}"
        document: dict[str, Any] = mf2py.parse(doc=page, url=SITE + site_path(location))
        return document

    def entry(self, location: str) -> dict[str, list[Any]]:
        """The properties of the page's one h-entry."""
        [entry] = [item for item in self.parsed(location)["items"] if "h-entry" in item["type"]]
        properties: dict[str, list[Any]] = entry["properties"]
        return properties

    def mentioning(self, location: str) -> set[str]:
        """Every built file that names the post's URL: its page, lists, feeds, sitemap, search."""
        path = "/" + site_path(location)
        return {
            file.relative_to(self.root).as_posix()
            for file in self.root.rglob("*")
            if file.is_file() and file.suffix in TEXT and path in file.read_text(encoding="utf-8")
        }

    def files(self) -> dict[str, bytes]:
        """Every built file and its bytes (to compare builds)."""
        return {
            file.relative_to(self.root).as_posix(): file.read_bytes()
            for file in self.root.rglob("*")
            if file.is_file()
        }


def build(freeze: FreezeRunner) -> Built:
    """Build the site (``python freeze.py``, a subprocess over the test's content and DB)."""
    result = freeze()
    assert result.returncode == 0, result.stderr
    return Built(freeze.build_dir, freeze.content_dir)


def built_before(freeze: FreezeRunner) -> Built:
    """The last build, as it is (``nothing_written`` built it)."""
    return Built(freeze.build_dir, freeze.content_dir)


def assert_published(built: Built, location: str, recent: bool = True) -> dict[str, list[Any]]:
    """The post has its page, listed on the timeline, in the sitemap and search (and, when it
    is among the newest, on the home page and in every feed), and the page's h-entry is its
    row: URL, name for an article only, tags, published date. Returns the h-entry's properties.
    """
    mentions = built.mentioning(location)
    own = site_path(location) + "index.html"
    assert {own, "sitemap.xml", "search.json"} <= mentions, mentions
    assert any(name.startswith("archive/") for name in mentions), mentions
    if recent:
        assert {"index.html", *FEEDS} <= mentions, mentions
    props = built.entry(location)
    stored = assert_stored(built.content, location)
    assert stored is not None
    assert props["url"] == [SITE + site_path(location)]
    if stored["kind"] == "note":
        assert "name" not in props
    else:
        assert props["name"] == [stored["title"]]
    assert sorted(props.get("category", [])) == stored["tags"]
    tag_links = built.parsed(location)["rels"].get("tag", [])
    for slug in stored["tag_slugs"].values():  # each a rel=tag link to its page, listing it
        assert f"{SITE}tags/{slug}/" in tag_links, tag_links
        assert "/" + site_path(location) in (built.page(f"/tags/{slug}/") or ""), slug
    (published,) = props["published"]
    when = datetime.fromisoformat(published).astimezone(UTC).replace(tzinfo=None)
    assert when == stored["published_at"].replace(microsecond=0)
    return props


def assert_unpublished(built: Built, location: str) -> None:
    """No page and no mention anywhere in the build: timeline, tags, feeds, sitemap, search;
    the post's file and row agree (a draft in both, or neither there)."""
    stored = assert_stored(built.content, location)
    assert (
        stored is None
        or stored["draft"]
        or stored["published_at"] > datetime.now(UTC).replace(tzinfo=None)
    )
    assert built.page(location) is None
    assert built.mentioning(location) == set()


def text_of(props: dict[str, list[Any]]) -> str:
    """The h-entry's content as text."""
    (content,) = props["content"]
    return str(content["value"])


@contextmanager
def nothing_written(freeze: FreezeRunner) -> Iterator[None]:
    """The block changes no file in ``content/``, no row, and no file of the build (built
    before and after it)."""

    def files() -> dict[str, bytes]:
        return {
            path.relative_to(freeze.content_dir).as_posix(): path.read_bytes()
            for path in freeze.content_dir.rglob("*")
            if path.is_file()
        }

    content, stored, site = files(), rows(), build(freeze).files()
    yield
    assert files() == content
    assert rows() == stored
    assert build(freeze).files() == site


def assert_photo(built: Built, location: str, src: str, alt: str) -> None:
    """The post's h-entry shows the photo (``u-photo``, with its alt); a local one is built."""
    photos = [(p["value"], p["alt"]) for p in built.entry(location)["photo"]]
    assert (src if "//" in src else SITE + src.lstrip("/"), alt) in photos, photos
    if "//" not in src:
        assert (built.root / src.lstrip("/")).is_file()

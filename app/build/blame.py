"""Where a broken link of a built page is written: its content file and line, for the error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.exceptions import HTTPException

from app.build.links import BrokenLink, base_path_of, exempt_links, ignore_prefixes
from app.extensions import db
from app.models import Post

#: The public endpoints whose page is one content file, and the kind of that file.
_ENDPOINT_KINDS = {"public.post": "post", "public.page": "page"}
#: (as errors name it, its text) of the content file a built page comes from.
Source = tuple[str, str]


def explain_broken(app: Flask, broken: list[BrokenLink]) -> tuple[list[BrokenLink], list[str]]:
    """The broken links of a build, each named by the content file and line it is written
    at, less those under ``LINK_CHECK_IGNORE`` (returned as warnings)."""
    base_path = base_path_of(app.config["SITE_URL"])
    found = locate(broken, content_sources(app), base_path, content_search(app))
    prefixes = ignore_prefixes(app.config["LINK_CHECK_IGNORE"])
    return exempt_links(found, prefixes, base_path)


def locate(
    broken: list[BrokenLink],
    source_of: Callable[[str], Source | None],
    base_path: str = "/",
    anywhere: Callable[[list[str]], str | None] | None = None,
) -> list[BrokenLink]:
    """``broken`` with each link's ``source``: the file and line it is written at; for a
    page that is not one content file's (a list showing notes in full, say), the first
    content file that has the link (``anywhere``)."""
    found: list[BrokenLink] = []
    for link in broken:
        source = source_of(link.page)
        if source is None:
            where = anywhere(_written_as(link.url, base_path)) if anywhere else None
            found.append(replace(link, source=where) if where else link)
            continue
        display, text = source
        line = _line_of(text, _written_as(link.url, base_path))
        found.append(replace(link, source=f"{display}:{line}" if line else display))
    return found


def _written_as(url: str, base_path: str) -> list[str]:
    """How an author may have written ``url``: as it is, or from the site root ('/posts/a/'
    is built as '/blog/posts/a/' under a sub-path)."""
    forms = [url]
    if base_path != "/" and url.startswith(base_path):
        forms.append("/" + url[len(base_path) :])
    return forms


def _line_of(text: str, forms: list[str]) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if any(form in line for form in forms):
            return number
    return None


def content_sources(app: Flask) -> Callable[[str], Source | None]:
    """For a built page (``posts/a/index.html``), the content file it is rendered from."""
    adapter = app.url_map.bind("localhost")
    content_dir = Path(app.config["CONTENT_DIR"])

    def source_of(rel: str) -> Source | None:
        try:
            endpoint, args = adapter.match("/" + rel.removesuffix("index.html"))
        except HTTPException:  # not a page of the app, or a redirect
            return None
        kind = _ENDPOINT_KINDS.get(endpoint)
        if kind is None:
            return None
        with app.app_context():
            query = sa.select(Post.source_path).where(Post.kind == kind, Post.slug == args["slug"])
            source_path = db.session.scalar(query)
        if source_path is None:
            return None
        try:
            text = (content_dir / source_path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return f"content/{source_path}", text

    return source_of


def content_search(app: Flask) -> Callable[[list[str]], str | None]:
    """A search of every content file for a link written in one of some forms: the first
    file and line that has it ('content/notes/a.md:3'), or None. Files are read once."""
    content_dir = Path(app.config["CONTENT_DIR"])
    texts: list[tuple[str, str]] | None = None

    def search(forms: list[str]) -> str | None:
        nonlocal texts
        if texts is None:
            with app.app_context():
                paths = db.session.scalars(sa.select(Post.source_path).order_by(Post.source_path))
                texts = [(path, _read(content_dir / path)) for path in paths]
        for path, text in texts:
            line = _line_of(text, forms)
            if line is not None:
                return f"content/{path}:{line}"
        return None

    return search


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""

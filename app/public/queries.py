"""The questions a public page may ask, with one answer each, whoever asks.

Views and templates ask here and nowhere else. A running build answers from its
``Snapshot`` (the posts loaded once); the authoring app's preview from the database
(``Live``). Each question is ``@recorded`` with plain arguments: a build notes what a page
asked and what the answer was, and asks again next time to tell whether the page still
holds (see ``app.recording`` and ``app.build.deps``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from flask import abort
from flask_sqlalchemy.pagination import Pagination

from app.content.aliases import alias_url
from app.localtime import site_zone, to_local
from app.models import Post, Tag
from app.public import snapshot
from app.public.listpage import ListPage, pages_for
from app.public.live import Live
from app.public.snapshot import Listed, ListedTag
from app.public.visibility import include_drafts
from app.recording import recorded

__all__ = ["AnyTag", "Listed", "ListedTag", "include_drafts", "pages_for"]

#: A tag as the preview (a row) or a build (its listing) gives it.
AnyTag = Tag | ListedTag
#: Posts in a feed.
FEED_SIZE = 20


class ReadModel(Protocol):
    """What ``Live`` and ``Snapshot`` both answer (each with its own kind of post)."""

    def listing(self) -> list[Post] | list[Listed]: ...
    def visible_pages(self) -> list[Post] | list[Listed]: ...
    def get_visible(self, kind: str, slug: str) -> Post | Listed | None: ...
    def get_tag(self, slug: str) -> Any: ...
    def neighbours(self, slug: str) -> tuple[Any, Any]: ...
    def tags_with_counts(self) -> list[tuple[Tag, int]] | list[tuple[ListedTag, int]]: ...
    def published_dates(self) -> Any: ...
    def list_page(self, tag: Any, page: int) -> Pagination | ListPage | None: ...
    def count(self, tag: Any) -> int: ...
    def newest(self, tag: Any, limit: int) -> list[Post] | list[Listed]: ...
    def period(self, year: int, month: int | None) -> list[Post] | list[Listed]: ...
    def texts(self, posts: Any) -> dict[int, str]: ...


def model() -> ReadModel:
    """The running build's snapshot, or the live database in the preview."""
    build = snapshot.current()
    return build if build is not None and build.answers else Live()


@recorded
def listing() -> list[Post] | list[Listed]:
    """Published posts in index order, newest first, with their tags."""
    return model().listing()


@recorded
def visible_pages() -> list[Post] | list[Listed]:
    """Pages, by title: every page's navigation shows them."""
    return model().visible_pages()


@recorded
def get_visible(kind: str, slug: str) -> Post | Listed | None:
    """The post or page at ``slug`` if it is on the site."""
    return model().get_visible(kind, slug)


@recorded
def get_tag(slug: str) -> AnyTag | None:
    """A tag by slug."""
    found: AnyTag | None = model().get_tag(slug)
    return found


@recorded
def neighbours(slug: str) -> tuple[Post | Listed | None, Post | Listed | None]:
    """(newer, older) published posts around the post at ``slug``, in index order."""
    return model().neighbours(slug)


@recorded
def tags_with_counts() -> list[tuple[Tag, int]] | list[tuple[ListedTag, int]]:
    """Tags that have at least one published post, with how many, by name."""
    return model().tags_with_counts()


@recorded
def archive_months() -> list[tuple[int, int, int]]:
    """(year, month, post count) for every local month with published posts, newest first."""
    counts: dict[tuple[int, int], int] = {}
    zone = site_zone()
    for published in model().published_dates():
        local = to_local(published, zone)
        key = local.year, local.month
        counts[key] = counts.get(key, 0) + 1
    return [(year, month, n) for (year, month), n in sorted(counts.items(), reverse=True)]


@recorded
def index_page(page: int) -> Pagination | ListPage:
    """Page ``page`` of the home page's list (404 past the end)."""
    return model().list_page(None, page) or abort(404)


@recorded
def tag_page(slug: str, page: int) -> tuple[AnyTag, Pagination | ListPage]:
    """The tag at ``slug`` and page ``page`` of its posts (404 if either is not there)."""
    tag = get_tag(slug) or abort(404)
    return tag, model().list_page(tag, page) or abort(404)


@recorded
def list_pages(tag_slug: str | None = None) -> int:
    """How many pages the home page's list (or the tag at ``tag_slug``'s) fills."""
    tag = None if tag_slug is None else get_tag(tag_slug) or abort(404)
    return pages_for(model().count(tag))


@recorded
def feed_posts(tag_slug: str | None = None) -> tuple[AnyTag | None, list[Post] | list[Listed]]:
    """The newest ``FEED_SIZE`` posts of the site, or of the tag at ``tag_slug`` (404 if
    there is no such tag), with that tag."""
    tag = None if tag_slug is None else get_tag(tag_slug) or abort(404)
    return tag, model().newest(tag, FEED_SIZE)


@recorded
def archive_posts(year: int | None = None, month: int | None = None) -> list[Post] | list[Listed]:
    """Every published post, or those of one year or month (404 for a period without)."""
    if year is None:
        return listing()
    if not 1 <= year < 9999 or (month is not None and not 1 <= month <= 12):
        abort(404)
    return model().period(year, month) or abort(404)


def search_texts(posts: Sequence[Post | Listed]) -> dict[int, str]:
    """The body text of each of ``posts`` (at least what a search document keeps)."""
    return model().texts(posts)


#: An alias of a post or page: (its URL, the post's kind and slug, its source file).
Redirect = tuple[str, str, str, str]


@recorded
def redirects() -> list[Redirect]:
    """Every alias (``aliases:``) of a post or page on the site, by URL; an alias that two
    files claim is there twice (the build refuses it, naming both)."""
    found: dict[tuple[str, str], Redirect] = {}
    for item in [*listing(), *visible_pages()]:
        for alias in item.aliases:
            url = alias_url(alias)
            found.setdefault((url, item.source_path), (url, item.kind, item.slug, item.source_path))
    return sorted(found.values())


@recorded
def redirect_at(url: str) -> tuple[str, str, str] | None:
    """(kind, slug, source file) of the post or page the alias at ``url`` sends to."""
    for alias, kind, slug, source in redirects():
        if alias == url:
            return kind, slug, source
    return None

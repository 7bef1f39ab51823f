"""What each public page is made of, as a digest: a page whose digest is unchanged needs no render.

Every public endpoint has a rule naming the data its view and templates read (a post page:
its file's hash; a list: the listed columns of the posts it shows; a file: its stat). A
digest also covers what every page shows: the theme, the Python code, the settings and the
navigation.
An endpoint without a rule gets no digest, so it is always rendered.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
from flask import Flask

from app.content.files import tree_digest
from app.content.media import media_dir
from app.content.render import renderer_id
from app.models import Post
from app.public import queries
from app.public.queries import Listed
from app.public.routes import FEED_SIZE

APP_DIR = Path(__file__).resolve().parent.parent
#: Settings that differ on every build without changing what a page shows.
_VOLATILE_SETTINGS = {"BUILD_TIME", "FREEZER_DESTINATION", "SECRET_KEY"}
#: Listing columns that say which file a post came from, or which account wrote it: lists show
#: none of them (the word count only as the reading time, the author as the file names them);
#: tags are digested by name and slug.
_FILE_ONLY = {"source_hash", "source_path", "word_count", "tags", "author_id"}
#: Libraries whose upgrade may change what a page looks like, besides the Markdown
#: renderer's (``render.renderer_id`` names those).
_LIBRARIES = ("flask", "jinja2", "werkzeug", "feedgen")


def _digest(*parts: object) -> str:
    try:  # JSON (what orjson cannot write as is, as its repr): five times faster than repr
        data = orjson.dumps(parts, default=repr)
    except TypeError:  # an int past 64 bits, a dict with keys other than strings
        data = repr(parts).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _stat_digest(path: Path) -> str | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return _digest(stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _settings(app: Flask) -> list[tuple[str, str]]:
    plain = (str, int, float, bool, type(None), os.PathLike)
    return sorted(
        (key, repr(value))
        for key, value in app.config.items()
        if key not in _VOLATILE_SETTINGS and isinstance(value, plain)
    )


#: (slug, name, post count) of every tag on the site, by name.
TagCounts = list[tuple[str, str, int]]


class SiteInputs:
    """The digests of one build's pages; create it inside the build's app context."""

    def __init__(self, app: Flask) -> None:
        pages = queries.visible_pages()
        tags = [(tag.slug, tag.name, count) for tag, count in queries.tags_with_counts()]
        self._take(app, queries.listing(), pages, tags, self.common_for(app, pages))

    @classmethod
    def restore(
        cls,
        app: Flask,
        posts: list[Listed],
        tags: TagCounts,
        common: str,
        versions: dict[int, str],
        shown: dict[int, str],
    ) -> SiteInputs:
        """The inputs an earlier build computed (see ``snapshot``), with the pages read now.

        ``common`` stays what that build saw: ``warm.replan`` compares it with today's.
        """
        inputs = cls.__new__(cls)
        inputs._take(app, posts, queries.visible_pages(), tags, common, versions, shown)
        return inputs

    def _take(
        self,
        app: Flask,
        posts: list[Listed],
        pages: list[Post],
        tags: TagCounts,
        common: str,
        versions: dict[int, str] | None = None,
        shown: dict[int, str] | None = None,
    ) -> None:
        self.static_folder = Path(app.static_folder) if app.static_folder else None
        self.posts, self.pages, self.common = posts, pages, common
        self.versions = versions or {post.id: self.version(post) for post in posts}
        self.shown = shown or {post.id: self.as_listed(post) for post in posts}
        self.tags_and_pages = tags, [self.version(page) for page in pages]
        self.everything = _digest(self._list(posts), *self.tags_and_pages)
        self.every_listed = _digest(self._shown_list(posts), *self.tags_and_pages)
        self.positions = {post.slug: i for i, post in enumerate(posts)}
        self.tags = tags

    @staticmethod
    def common_for(app: Flask, pages: Sequence[Post]) -> str:
        """What every page shows: theme, code, settings, libraries and the navigation."""
        site_dir: Path = app.config["SITE_DIR"]
        return _digest(
            tree_digest([site_dir / "templates", APP_DIR / "templates"], "*"),
            tree_digest([APP_DIR], "*.py"),
            _settings(app),
            [(name, _version(name)) for name in _LIBRARIES],
            renderer_id(),
            [(page.slug, page.title) for page in pages],
        )

    def changes_lists(self, old: Listed, new: Listed) -> bool:
        """Whether a post's new state changes what the lists showing it show."""
        return (self.shown.get(old.id) or self.as_listed(old)) != self.as_listed(new)

    def patch(self, pairs: Sequence[tuple[Listed, Listed]]) -> set[str]:
        """Take in posts whose files changed but not their listing (see ``changes_lists``).

        Each listed post is updated in place, so every list holding it sees the new state;
        returns their slugs.
        """
        for old, new in pairs:
            vars(old).update(vars(new))
            self.versions[old.id] = self.version(old)
        self.everything = _digest(self._list(self.posts), *self.tags_and_pages)
        return {old.slug for old, _new in pairs}

    @staticmethod
    def version(post: Post | Listed) -> str:
        """A post as pages show it: its file (by hash), plus the tag names the DB gave it."""
        tags = [tag.name for tag in post.tags]
        return _digest(post.source_hash, post.source_path, post.slug, tags, post.draft)

    @staticmethod
    def as_listed(post: Listed) -> str:
        """A post as lists show it: every column of the listing but its file's, and its tags.

        An edit of a body alone leaves it as it was (unless the summary or the reading
        time change), so the archive, the sitemap and the list pages are not rendered again.
        """
        shown = [(key, value) for key, value in vars(post).items() if key not in _FILE_ONLY]
        return _digest(shown, [(tag.name, tag.slug) for tag in post.tags], post.reading_minutes)

    def _list(self, posts: Sequence[Post | Listed]) -> list[str]:
        return [self.versions.get(post.id) or self.version(post) for post in posts]

    def _shown_list(self, posts: Sequence[Listed]) -> list[str]:
        return [self.shown.get(post.id) or self.as_listed(post) for post in posts]

    def _slice(self, posts: Sequence[Listed], page: int) -> object:
        shown = queries.list_page(posts, page)
        return _NOT_KNOWN if shown is None else (page, shown.pages, self._shown_list(shown.items))

    def _index(self, page: int) -> object:
        return self._slice(self.posts, page)

    def _post(self, slug: str) -> object:
        position = self.positions.get(slug)
        if position is None:
            return _NOT_KNOWN
        around = self.posts[max(0, position - 1) : position + 2]
        return self.versions[self.posts[position].id], [(p.slug, p.title) for p in around]

    @staticmethod
    def _tag_posts(slug: str) -> tuple[str, list[Listed]] | None:
        tag = queries.get_tag(slug)
        return None if tag is None else (tag.name, queries.tag_listing(tag))

    def _tag(self, slug: str, page: int) -> object:
        found = self._tag_posts(slug)
        return _NOT_KNOWN if found is None else (found[0], self._slice(found[1], page))

    def _tag_feed(self, slug: str) -> object:
        found = self._tag_posts(slug)
        return _NOT_KNOWN if found is None else (found[0], self._list(found[1][:FEED_SIZE]))

    def _page(self, slug: str) -> object:
        for page in self.pages:
            if page.slug == slug:
                return self.version(page)
        return _NOT_KNOWN

    def _static(self, filename: str) -> object:
        if self.static_folder is None:
            return _NOT_KNOWN
        return _stat_digest(self.static_folder / filename) or _NOT_KNOWN

    def key(self, endpoint: str, values: dict[str, Any]) -> str | None:
        """The digest of one page's inputs, or None when they are not known (render it)."""
        rule = _RULES.get(endpoint)
        if rule is None:
            return None
        part = rule(self, **values)
        if part is _NOT_KNOWN:
            return None
        return _digest(self.common, endpoint, sorted(values.items()), part)


_NOT_KNOWN = object()

#: What each endpoint's pages are made of (besides what every page shows), by endpoint.
_RULES: dict[str, Callable[..., object]] = {
    "public.index": SiteInputs._index,
    "public.post": SiteInputs._post,
    "public.tags": lambda inputs: inputs.tags,
    "public.tag": SiteInputs._tag,
    "public.tag_feed": SiteInputs._tag_feed,
    "public.tag_json_feed": SiteInputs._tag_feed,
    "public.feed": lambda inputs: inputs._list(inputs.posts[:FEED_SIZE]),
    "public.json_feed": lambda inputs: inputs._list(inputs.posts[:FEED_SIZE]),
    "public.archive": lambda inputs: inputs.every_listed,
    "public.archive_year": lambda inputs, year: inputs._shown_list(queries.period_listing(year)),
    "public.archive_month": lambda inputs, year, month: inputs._shown_list(
        queries.period_listing(year, month)
    ),
    "public.sitemap": lambda inputs: inputs.every_listed,
    "public.search_json": lambda inputs: inputs.everything,
    "public.robots": lambda inputs: None,
    "public.search": lambda inputs: None,
    "public.not_found_page": lambda inputs: None,
    "public.highlight_css": lambda inputs: None,
    "public.page": SiteInputs._page,
    "public.media": lambda inputs, filename: _stat_digest(media_dir() / filename),
    "static": SiteInputs._static,
}

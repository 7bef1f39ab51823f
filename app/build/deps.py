"""Whether what a page read last time still reads the same: the build's side of recording.

A page's record (``pack``) holds every recorded read with the digest of its answer then:
read-model calls, the fields it read of each post (one digest over all of them), templates,
files and site settings. ``Reads`` answers the same questions for the build being planned,
each once, and ``holds`` compares. Nothing here knows what a page type shows: a theme that
starts showing another field of a neighbour records that field on its next render.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, cast

import orjson
from flask import Flask
from jinja2 import TemplateNotFound

from app import recording
from app.content.files import tree_digest
from app.content.render import renderer_id
from app.public import queries
from app.public.queries import HEAVY, Listed
from app.public.routes import site_settings
from app.recording import REGISTRY, Recorder, digest

APP_DIR = Path(__file__).resolve().parent.parent
#: Settings that differ on every build without changing what a page shows.
_VOLATILE_SETTINGS = {"BUILD_TIME", "FREEZER_DESTINATION", "SECRET_KEY"}
#: Libraries whose upgrade may change what a page looks like, besides the Markdown
#: renderer's (``render.renderer_id`` names those).
_LIBRARIES = ("flask", "jinja2", "werkzeug", "feedgen", "pygments")
#: The digest of an answer that could not be given (the function raised).
_FAILED = "!"


def common_digest(app: Flask) -> str:
    """What may change any page without a page reading it: our code, the settings (URLs
    are made from them) and the libraries. When it changes every page is rendered again."""
    plain = (str, int, float, bool, type(None), os.PathLike)
    settings = sorted(
        (key, repr(value))
        for key, value in app.config.items()
        if key not in _VOLATILE_SETTINGS and isinstance(value, plain)
    )
    return digest(
        [
            tree_digest([APP_DIR], "*.py"),
            settings,
            [(name, _version(name)) for name in _LIBRARIES],
            renderer_id(),
        ]
    )


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


class Reads:
    """The answers of one build, computed when first asked; call inside its request context
    (``posts``: every post and page of the build, as its listing holds them)."""

    def __init__(self, app: Flask, posts: Iterable[Listed]) -> None:
        self.app = app
        self.posts = {post.__dict__["id"]: post for post in posts}
        self._calls: dict[tuple[str, tuple[Any, ...]], str] = {}
        self._templates: dict[str, str] = {}
        self._files: dict[str, str] = {}
        self._site: dict[str, str] | None = None
        self._rows: dict[int, str] | None = None

    # -- the current answers --------------------------------------------------------------

    def call(self, name: str, args: tuple[Any, ...]) -> str:
        key = (name, args)
        found = self._calls.get(key)
        if found is None:
            function = REGISTRY.get(name)
            try:
                if function is None:
                    raise LookupError(name)
                found = recording.answer_digest(function(*args))
            except Exception:  # not there any more (a 404), or not a question we know
                found = _FAILED
            self._calls[key] = found
        return found

    def template(self, name: str) -> str:
        found = self._templates.get(name)
        if found is None:
            env = self.app.jinja_env
            try:
                assert env.loader is not None
                source, filename, _ = env.loader.get_source(env, name)
                found = digest([filename, source])
            except TemplateNotFound:
                found = _FAILED
            self._templates[name] = found
        return found

    def file(self, path: str) -> str:
        found = self._files.get(path)
        if found is None:
            try:
                stat = os.stat(path)
                found = digest([stat.st_size, stat.st_mtime_ns, stat.st_ino])
            except OSError:
                found = _FAILED
            self._files[path] = found
        return found

    def setting(self, key: str) -> str:
        if self._site is None:
            self._site = {k: digest(recording.identity(v)) for k, v in site_settings().items()}
        return self._site.get(key, _FAILED)

    def field(self, post_id: int, name: str) -> Any:
        """The value of a post's field as pages read it (None for a post not on the site);
        the body columns by the file and renderer they are made from."""
        post = self.posts.get(post_id)
        if post is None:
            return None
        values = post.__dict__
        if name in HEAVY:
            return [values["source_hash"], values["renderer"]]
        try:
            value = values[name] if name in values else getattr(post, name)
        except AttributeError:
            return None
        return recording.identity(value)

    def fields_digest(self, fields: Mapping[str, Iterable[int]]) -> str:
        return digest([[name, [self.field(i, name) for i in ids]] for name, ids in fields.items()])

    def rows(self) -> dict[int, str]:
        """A digest of every post and page as a whole: which of them changed since a build."""
        if self._rows is None:
            self._rows = {
                post_id: digest(
                    [
                        sorted((k, v) for k, v in post.__dict__.items() if k != "tags"),
                        [tag.__identity__() for tag in post.__dict__["tags"]],
                    ]
                )
                for post_id, post in self.posts.items()
            }
        return self._rows

    # -- records --------------------------------------------------------------------------

    def pack(self, reads: Recorder) -> str | None:
        """What the build cache keeps of a page's reads; None for an opaque page."""
        if reads.opaque is not None:
            return None
        fields = {name: sorted(ids) for name, ids in sorted(reads.fields.items())}
        return orjson.dumps(
            [
                sorted([name, list(args), value] for (name, args), value in reads.calls.items()),
                fields,
                self.fields_digest(fields),
                sorted([name, self.template(name)] for name in reads.templates),
                sorted([path, self.file(path)] for path in reads.files),
                sorted(reads.settings.items()),
            ]
        ).decode()

    def holds(self, packed: str | None, changed: set[int] | None) -> bool:
        """Whether every read of a page's record answers the same now.

        ``changed``: the posts that differ from those the record was made with (None: any).
        """
        if packed is None:
            return False
        calls, fields, fields_digest, templates, files, settings = orjson.loads(packed)
        return (
            all(self.template(name) == value for name, value in templates)
            and all(self.file(path) == value for path, value in files)
            and all(self.setting(key) == value for key, value in settings)
            and all(self.call(name, tuple(args)) == value for name, args, value in calls)
            and self._fields_hold(fields, fields_digest, changed)
        )

    def _fields_hold(
        self, fields: dict[str, list[int]], value: str, changed: set[int] | None
    ) -> bool:
        if changed is not None and all(changed.isdisjoint(ids) for ids in fields.values()):
            return True
        return self.fields_digest(fields) == value


def changed_rows(old: Mapping[int, str] | None, new: Mapping[int, str]) -> set[int] | None:
    """The posts added, removed or changed between two builds' ``Reads.rows`` (None: the
    old build's are not known)."""
    if old is None:
        return None
    changed = {post_id for post_id, value in new.items() if old.get(post_id) != value}
    changed.update(old.keys() - new.keys())
    return changed


def build_posts() -> list[Listed]:
    """Every post and page of the build (call in its request context)."""
    pages = cast("list[Listed]", queries.visible_pages())  # a build's are
    return [*queries.listing(), *pages]

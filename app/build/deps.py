"""Whether what a page read last time still reads the same: the build's side of recording.

A page's record (``pack``) holds every recorded read with the digest of its answer then:
read-model calls, templates, files and site settings; and which fields it read of which posts
(compared with what changed in the posts' rows, ``changed_fields``). ``Reads`` answers the
same questions for the build being planned, each once, and ``holds`` compares. Nothing here
knows what a page type shows: a theme that starts showing another field of a neighbour
records that field on its next render.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import timedelta
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import orjson
from flask import Flask
from jinja2 import TemplateNotFound

from app import recording
from app.build.postrows import PROPERTIES
from app.content.files import tree_digest
from app.content.render import renderer_id
from app.models import Post
from app.public import snapshot
from app.public.routes import site_settings
from app.public.snapshot import HEAVY, Listed, by_id
from app.recording import REGISTRY, Recorder, digest
from app.status import frozen, now

APP_DIR = Path(__file__).resolve().parent.parent
#: Settings that differ on every build without changing what a page shows.
_VOLATILE_SETTINGS = {"FREEZER_DESTINATION", "SECRET_KEY"}
#: Settings a page reads where it shows them (``site_settings``, ``localtime.site_zone``):
#: noted with the page, so changing one renders only the pages that read it.
_RECORDED_SETTINGS = {"SITE_TIMEZONE"}
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
        if key not in _VOLATILE_SETTINGS
        and key not in _RECORDED_SETTINGS
        and isinstance(value, plain)
    )
    return digest([running_code(), settings])


@cache
def running_code() -> str:
    """The code this process renders with: our modules (read once: a watch runs the code
    it loaded, whatever is saved later), the libraries' versions and the renderer's."""
    return digest(
        [
            tree_digest([APP_DIR], "*.py"),
            [(name, _version(name)) for name in _LIBRARIES],
            renderer_id(),
        ]
    )


def row_context(app: Flask, common: str) -> str:
    """What a post's properties may read besides its values and the clock: every setting
    (``common`` has all but those a page notes where it shows them, such as the time zone)."""
    return digest([common, sorted((k, repr(app.config.get(k))) for k in _RECORDED_SETTINGS)])


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


#: From any time, a time unlike it in year, month, day, weekday, hour, minute, second and
#: microsecond (``Reads.clock_settings``).
_ELSEWHEN = timedelta(days=400, hours=7, minutes=13, seconds=1, microseconds=234_567)


def _site_digests() -> dict[str, str]:
    return {key: digest(recording.identity(v)) for key, v in site_settings().items()}


class Reads:
    """The answers of one build, computed when first asked; call inside its request context
    (``posts``: every post and page of the build, as its listing holds them)."""

    def __init__(self, app: Flask, posts: Iterable[Listed]) -> None:
        self.app = app
        self.posts = by_id(posts)
        self._calls: dict[tuple[str, tuple[Any, ...]], str] = {}
        self._templates: dict[str, str] = {}
        self._files: dict[str, str] = {}
        self._site: dict[str, str] | None = None
        self._clock: frozenset[str] | None = None
        #: Whether each distinct part of a page's record holds (``keeps``).
        self._parts: dict[str, bool] = {}
        #: Whether a page of each distinct part is rendered by every build (``renders_again``).
        self._again: dict[str, bool] = {}

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
        return self._site_now().get(key, _FAILED)

    def _site_now(self) -> dict[str, str]:
        if self._site is None:
            self._site = _site_digests()
        return self._site

    def clock_settings(self) -> frozenset[str]:
        """The settings a theme may show whose value is another at another time
        (``site.now``): found by asking at a far-off time, not listed."""
        if self._clock is None:
            here = self._site_now()
            with frozen(now() + _ELSEWHEN):
                there = _site_digests()
            keys = here.keys() | there.keys()
            self._clock = frozenset(k for k in keys if here.get(k) != there.get(k))
        return self._clock

    def renders_again(self, part: str | None) -> bool:
        """Whether a page whose record has this *part* (``pack_page``; None: it has none) is
        rendered by every build, whatever changes: it read what the recorder cannot describe
        (an opaque page) or a setting of the clock (``clock_settings``)."""
        if part is None:
            return True
        found = self._again.get(part)
        if found is None:
            _templates, _files, settings = orjson.loads(part)
            clock = self.clock_settings()
            found = self._again[part] = any(key in clock for key, _digest in settings)
        return found

    # -- records --------------------------------------------------------------------------

    def pack(self, reads: Recorder) -> str | None:
        """What is kept of a set of reads, in one text (the page list's); None if opaque."""
        split = self._split(reads)
        if split is None:
            return None
        part, rest = split
        return orjson.dumps([*rest, *part]).decode()

    def pack_page(self, reads: Recorder) -> tuple[str, str] | None:
        """What the build cache keeps of a page's reads, in two texts: its *part* (the
        templates, files and settings it read: the same for most pages of a kind, so kept and
        checked once each) and the rest (its read-model calls and the fields it read of which
        posts). None for an opaque page."""
        split = self._split(reads)
        if split is None:
            return None
        part, rest = split
        return orjson.dumps(part).decode(), orjson.dumps(rest).decode()

    def _split(self, reads: Recorder) -> tuple[list[Any], list[Any]] | None:
        """The *part* and the rest of :meth:`pack_page`, as values; None for an opaque page."""
        if reads.opaque is not None:
            return None
        fields = {name: sorted(ids) for name, ids in sorted(reads.fields.items())}
        part = [
            sorted([name, self.template(name)] for name in reads.templates),
            sorted([path, self.file(path)] for path in reads.files),
            sorted(reads.settings.items()),
        ]
        calls = sorted([name, list(args), value] for (name, args), value in reads.calls.items())
        return part, [calls, fields]

    def holds(self, packed: str | None, changed: Changed | None, answers_same: bool) -> bool:
        """Whether every read of a ``pack`` answers the same now.

        ``changed``: the fields of each post that differ from the build the record was made
        in (``changed_fields``; None: not known, so the page is rendered); ``answers_same``:
        the read model's answers cannot have changed (``answers_hold``).
        """
        if packed is None or changed is None:
            return False
        calls, fields, templates, files, settings = orjson.loads(packed)
        return (
            self._part_holds(templates, files, settings)
            and (answers_same or self._calls_hold(calls))
            and _fields_hold(fields, changed)
        )

    def keeps(
        self,
        page: PageReads,
        changed: Changed | None,
        answers_same: bool,
        touched: bool,
    ) -> bool:
        """``holds`` for a page's record (``pack_page``), reading only what may have
        changed: its part once per build for all pages that share it, its calls only when
        the read model may answer differently, and its fields only when it read a field of
        a post that changed (``touched``: see ``Manifest.touched``)."""
        if changed is None or not self.part_holds(page.part):
            return False
        if answers_same and not touched:
            return True
        rest = page.deps
        if rest is None:
            return False
        calls, fields = orjson.loads(rest)
        return (answers_same or self._calls_hold(calls)) and (
            not touched or _fields_hold(fields, changed)
        )

    def part_holds(self, part: str | None) -> bool:
        """Whether the templates, files and settings of a page's *part* (``pack_page``) read
        the same now; asked once per build for all the pages that share it (False: None, a
        page that has none)."""
        if part is None:
            return False
        found = self._parts.get(part)
        if found is None:
            found = self._parts[part] = self._part_holds(*orjson.loads(part))
        return found

    def _part_holds(
        self,
        templates: list[tuple[str, str]],
        files: list[tuple[str, str]],
        settings: list[tuple[str, str]],
    ) -> bool:
        return (
            all(self.template(name) == value for name, value in templates)
            and all(self.file(path) == value for path, value in files)
            and all(self.setting(key) == value for key, value in settings)
        )

    def _calls_hold(self, calls: list[tuple[str, list[Any], str]]) -> bool:
        """Whether the read model answers each call as before."""
        return all(self.call(name, tuple(args)) == value for name, args, value in calls)


class PageReads(Protocol):
    """A page's record as ``Reads.keeps`` reads it (``manifest.FileRecord``)."""

    part: str | None

    @property
    def deps(self) -> str | None: ...


def read_posts(rest: str) -> set[int]:
    """The posts a page's record read any field of (for the build cache's index)."""
    _, fields = orjson.loads(rest)
    return {post_id for ids in fields.values() for post_id in ids}


#: The fields that changed of each post that changed, by id; None: every field (a post
#: added or removed).
Changed = dict[int, frozenset[str] | None]


class PostDigests(Protocol):
    """A build's ``postrows.rows_of`` as the build cache keeps them (``manifest.PostRows``)."""

    digests: dict[int, bytes]

    def get(self, post_id: int) -> str | None: ...


def changed_fields(old: PostDigests | None, new: PostDigests) -> Changed | None:
    """What changed between two builds' ``postrows.rows_of``: by post, the fields that differ
    (the body columns with the file and renderer they are made from). None when the old
    build's rows are not known."""
    if old is None:
        return None
    changed: Changed = dict.fromkeys(old.digests.keys() - new.digests.keys())
    for post_id, found in new.digests.items():
        if old.digests.get(post_id) == found:
            continue
        before, row = old.get(post_id), new.get(post_id)
        if before is None or row is None:
            changed[post_id] = None
            continue
        was, now = orjson.loads(before), orjson.loads(row)
        names = {name for name in was.keys() | now.keys() if was.get(name) != now.get(name)}
        if names & {"source_hash", "renderer"}:
            names |= HEAVY
        changed[post_id] = frozenset(names)
    return changed


def answers_hold(changed: Changed | None, model: set[str] | None) -> bool:
    """Whether the read model must answer as in the last build, without asking it.

    A build's read model answers from its posts alone (``build_posts``) and the settings
    (``test_recorded_deps`` checks that it runs no other query), reading their fields
    through ``Listed``, which notes each one (``model``: every field it read, in every build
    since the last clean one). So with the same posts, none of which changed a field it
    read, it gives the same answers.
    """
    if changed is None or model is None:
        return False
    return all(names is not None and names.isdisjoint(model) for names in changed.values())


def _fields_hold(fields: dict[str, list[int]], changed: Changed) -> bool:
    """Whether no field a page read of a post changed (a name that is not in a post's row,
    a method say, counts as changed with the post)."""
    if not changed:
        return True
    for name, ids in fields.items():
        if changed.keys().isdisjoint(ids):
            continue
        for post_id in ids:
            if post_id in changed:
                names = changed[post_id]
                if names is None or name in names or name not in _ROW_NAMES:
                    return False
    return True


#: The names a post's row holds (``postrows.rows_of``): columns, tags, properties, bodies.
_ROW_NAMES = frozenset([*(c.key for c in Post.__table__.columns), "tags", *PROPERTIES])


def build_posts() -> list[Listed]:
    """Every post and page of the build, from its snapshot (call in its request context;
    whether pages are answered from it or not, the ``snapshot`` trick)."""
    build = snapshot.current()
    assert build is not None, "build_posts() outside a build"
    return [*build.listing(), *build.visible_pages()]

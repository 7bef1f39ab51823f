"""What a page read while it rendered: the dependencies a build records instead of declaring.

A build renders each page with a ``Recorder`` active. The read model notes what it answers
(``@recorded`` functions: their name, arguments and the answer's identity), posts note each
field a page reads of them, templates, files and site settings note themselves. The build
stores that with the page and re-renders the page exactly when one of those answers
changes (see ``app.build.deps``). Outside a build no recorder is active and nothing is noted.

A read nobody notes (a database query outside a recorded function, a value the recorder
cannot name) makes the page *opaque*: it is rendered again on every build, never kept stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache, wraps
from typing import Any, NamedTuple, ParamSpec, TypeVar

import orjson
import sqlalchemy as sa

P = ParamSpec("P")
T = TypeVar("T")

#: A recorded call: (function name, arguments) -> digest of its answer.
Call = tuple[str, tuple[Any, ...]]


class Recorder:
    """The reads of one page (or of one cached fragment, merged into each page using it)."""

    __slots__ = (
        "calls",
        "depth",
        "fields",
        "files",
        "model",
        "opaque",
        "quiet",
        "settings",
        "templates",
    )

    def __init__(self) -> None:
        self.calls: dict[Call, str] = {}
        #: field name -> ids of the posts whose field was read.
        self.fields: dict[str, set[int]] = {}
        self.templates: set[str] = set()
        self.files: set[str] = set()
        self.settings: dict[str, str] = {}
        #: Why the page cannot be described (None: it can).
        self.opaque: str | None = None
        #: >0 while a recorded function runs: its answer covers what it reads inside.
        self.depth = 0
        #: The fields the read model itself read of any post while answering (at depth > 0):
        #: an answer can change only if one of them changes, or which posts there are.
        self.model: set[str] = set()
        #: >0 in a block whose reads its caller notes itself (``unrecorded``).
        self.quiet = 0

    def freeze(self, shared: dict[Any, Any] | None = None) -> Frozen:
        """These reads, kept compactly (a build keeps those of every cached fragment).

        ``shared``: parts already kept, to use instead of an equal copy. A build keeps the
        reads of every post's summary; they differ only in the post's id, and sharing the
        rest (templates, settings, calls) and one tuple of ids per fragment halves them:
        ~180 MB in each render worker at 100 000 posts.
        """
        shared = {} if shared is None else shared
        ids_of: dict[tuple[int, ...], tuple[int, ...]] = {}
        fields = []
        for name, ids in self.fields.items():
            found = tuple(ids)
            fields.append((name, ids_of.setdefault(found, found)))
        parts = (
            tuple(self.calls.items()),
            frozenset(self.templates),
            frozenset(self.files),
            tuple(self.settings.items()),
            frozenset(self.model),
        )
        calls, templates, files, settings, model = (shared.setdefault(p, p) for p in parts)
        return Frozen(calls, tuple(fields), templates, files, settings, model, self.opaque)

    def merge(self, other: Frozen) -> None:
        """Take in what a fragment rendered elsewhere read (``cached_partial``)."""
        self.calls.update(other.calls)
        for name, ids in other.fields:
            self.fields.setdefault(name, set()).update(ids)
        self.templates |= other.templates
        self.files |= other.files
        self.settings.update(other.settings)
        self.model |= other.model
        self.opaque = self.opaque or other.opaque


class Frozen(NamedTuple):
    """A ``Recorder``'s reads in tuples: a third of the memory of its sets and dicts."""

    calls: tuple[tuple[Call, str], ...]
    fields: tuple[tuple[str, tuple[int, ...]], ...]
    templates: frozenset[str]
    files: frozenset[str]
    settings: tuple[tuple[str, str], ...]
    model: frozenset[str]
    opaque: str | None


_current: ContextVar[Recorder | None] = ContextVar("microblog_recorder", default=None)
#: Recorded read functions by name: what a build calls again to compare answers.
REGISTRY: dict[str, Callable[..., Any]] = {}


def active() -> Recorder | None:
    return _current.get()


@contextmanager
def recording(recorder: Recorder | None = None) -> Iterator[Recorder]:
    """Record the reads made inside the block into ``recorder`` (a new one by default)."""
    recorder = recorder or Recorder()
    token = _current.set(recorder)
    try:
        yield recorder
    finally:
        _current.reset(token)


@contextmanager
def unrecorded() -> Iterator[None]:
    """A block whose reads its caller notes itself (say, with ``field``)."""
    recorder = _current.get()
    if recorder is None:
        yield
        return
    recorder.quiet += 1
    try:
        yield
    finally:
        recorder.quiet -= 1


def recorded(function: Callable[P, T]) -> Callable[P, T]:
    """A read-model function whose answer (by identity) a page depends on.

    Its arguments must be plain values (they are stored, and the function is called with
    them again by a later build). Calls made inside it are covered by its answer.
    """
    name = function.__name__
    if REGISTRY.setdefault(name, function) is not function:
        raise ValueError(f"two recorded read functions are named {name}")

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        recorder = _current.get()
        if recorder is None or recorder.depth:
            return function(*args, **kwargs)
        recorder.depth += 1
        try:
            answer = function(*args, **kwargs)
        finally:
            recorder.depth -= 1
        if kwargs:
            recorder.opaque = recorder.opaque or f"{name} was called with keyword arguments"
        else:
            recorder.calls[(name, tuple(args))] = answer_digest(answer)
        return answer

    return wrapper


def field(post_id: int, name: str) -> None:
    """Note that the page read field ``name`` of the post ``post_id``."""
    recorder = _current.get()
    if recorder is None or recorder.quiet:
        return
    if recorder.depth:
        recorder.model.add(name)
        return
    ids = recorder.fields.get(name)
    if ids is None:
        ids = recorder.fields[name] = set()
    ids.add(post_id)


def fields(post_ids: Iterable[int], names: Iterable[str]) -> None:
    """Note that the page read each of the fields ``names`` of each of the posts."""
    recorder = _current.get()
    if recorder is None or recorder.quiet:
        return
    if recorder.depth:
        recorder.model.update(names)
        return
    ids = list(post_ids)
    for name in names:
        found = recorder.fields.get(name)
        if found is None:
            found = recorder.fields[name] = set()
        found.update(ids)


def template(name: str) -> None:
    recorder = _current.get()
    if recorder is not None:
        recorder.templates.add(name)


def file(path: str) -> None:
    """Note that the page copies or shows the file at ``path`` (absolute)."""
    recorder = _current.get()
    if recorder is not None:
        recorder.files.add(path)


def setting(key: str, value: object) -> None:
    recorder = _current.get()
    if recorder is not None and not (recorder.depth or recorder.quiet):
        # Equal values of these exact types write the same JSON: their digests are kept.
        kind = type(value)
        exact = kind in _EXACT and isinstance(value, str | int | None)
        recorder.settings[key] = _exact_digest(kind.__name__, value) if exact else digest(value)


_EXACT = frozenset({str, int, bool, type(None)})


@lru_cache(maxsize=1024)
def _exact_digest(kind: str, value: object) -> str:
    """``digest`` of a str, int, bool or None (a page reads the site's title many times);
    ``kind`` keeps ``True`` and ``1`` apart."""
    return digest(value)


def opaque(reason: str) -> None:
    """The page read something no recorder can describe: render it on every build."""
    recorder = _current.get()
    if recorder is not None and not (recorder.depth or recorder.quiet) and recorder.opaque is None:
        recorder.opaque = reason


class RecordedMapping(Mapping[str, Any]):
    """Site settings as templates see them (``site.title``): each key read is noted."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        setting(key, value)
        return value

    def __getattr__(self, key: str) -> Any:  # Jinja tries attributes first
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


# -- identities: what of an answer a page depends on --------------------------------------


#: Identity functions of the read model's own types (a post: its id), by exact type.
IDENTITIES: dict[type, Callable[[Any], Any]] = {}
_PLAIN = frozenset({str, int, float, bool, type(None)})


def identity(value: Any) -> Any:
    """A JSON-able stand-in for ``value``: a post by id (its fields are noted as they are
    read), everything else by its contents."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return _identities(value)
    known = IDENTITIES.get(kind)
    if known is not None:
        return known(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [identity(item) for item in value]
    describe = getattr(value, "__identity__", None)
    if describe is not None:
        return describe()
    if isinstance(value, dict):
        return {str(key): identity(item) for key, item in value.items()}
    raise TypeError(f"a recorded answer holds a {type(value).__name__}, which has no identity")


def _identities(items: list[Any] | tuple[Any, ...]) -> list[Any]:
    """``identity`` of each item; of a list of one read-model type (a listing: 10 000 posts)
    in one pass of that type's function."""
    kinds = set(map(type, items))
    if len(kinds) == 1:
        known = IDENTITIES.get(kinds.pop())
        if known is not None:
            return list(map(known, items))
    return [identity(item) for item in items]


def answer_digest(answer: Any) -> str:
    try:
        return digest(identity(answer))
    except TypeError as exc:
        recorder = _current.get()
        if recorder is not None:
            recorder.opaque = recorder.opaque or str(exc)
        return ""


def digest(value: object) -> str:
    """A short digest of a JSON-able value (what orjson cannot write, by its repr)."""
    try:
        data = orjson.dumps(value, default=repr)
    except TypeError:  # an int past 64 bits, keys other than strings
        data = repr(value).encode()
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def _query_seen(*_args: Any) -> None:
    opaque("a database query outside the read model (see app.recording)")


# Every engine: a page that reaches the database around the read model (a relationship a
# theme walks, say) cannot be described by its reads, so it is rendered on every build.
sa.event.listen(sa.engine.Engine, "before_cursor_execute", _query_seen)

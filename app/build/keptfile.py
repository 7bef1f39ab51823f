"""The command line's kept posts (``keptposts.KeptPosts``): saved beside the build cache
after a build, loaded by the next process that builds into the same folder.

A watch keeps its last listing in memory; a command-line build starts a new process each
time and used to read its whole listing and make every post's row again (a third of a
10 000-post edit). What is kept is checked as a watch's is: against the database's stamps,
post by post (``keptposts``), and against the settings and code for the rows.

Two files: a base with every post, and a delta with the posts and rows that differ from the
base's, so that an edit writes a few posts, not 6 MB (10 000 posts). The base is written
again when the delta grows past ``COMPACT`` or another process wrote another base. Both are
pickles read back with only the classes a listing holds (``_Unpickler``): anything else, a
damaged or older file, and the build reads its listing whole, losing nothing but time. A
row is kept as its properties and digest; its text is made again when asked.

A file is a run of pickles: a head, then the posts and rows in parts of ``PART`` ids, then
``None``. Each part is pickled on its own and streamed to the file: a pickler remembers
every object it wrote, and a 100 000-post base pickled at once held 140 MB of bytes and a
memo of ~120 MB at the end of a cold build, past its memory target. A post is pickled as
its values (``snapshot.values_of``), not as the object: unpickled objects are built through
their ``__getattribute__``, which notes reads (10 000 posts: 29 ms against 12).
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import os
import pickle
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

from app.build.keptposts import KeptListing, KeptPosts
from app.build.postrows import KeptRow, KeptRows
from app.public.snapshot import Listed, ListedTag, values_of

#: Bumped when what is pickled changes shape.
FORMAT = 5
#: Posts (and rows) pickled together: what one pickler remembers at a time.
PART = 2000
#: More posts and rows than this differ from the base: write the base again.
COMPACT = 500
_ALLOWED = {
    (cls.__module__, cls.__qualname__): cls
    for cls in (ListedTag, datetime.datetime, datetime.timezone, datetime.timedelta)
}
#: A row on disk: its properties and digest (its post is the listing's, by id; its text is
#: made again from both when asked, ``postrows.KeptRow``).
_Row = tuple[tuple[Any, ...], bytes]


class _Unpickler(pickle.Unpickler):
    """Loads only a listing's own classes and plain values."""

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of kept posts")
        return found


@dataclass
class _State:
    """What a file holds: each listing's token, columns and stamps (its posts are the ids
    stamped), posts and rows by id (all of them in a base, those that differ in a delta),
    and the rows' settings and clock-read properties."""

    listings: dict[str, tuple[str, tuple[str, ...], dict[int, int | None]]]
    posts: dict[int, Listed]
    context: str
    clocked: frozenset[str]
    rows: dict[int, _Row]

    def pack(self, base_id: str, file: IO[bytes]) -> None:
        """Write the head, the parts and the end (see the module)."""
        pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dump((FORMAT, base_id, self.listings, self.context, self.clocked))
        posts, rows = list(self.posts.items()), list(self.rows.items())
        for start in range(0, max(len(posts), len(rows)), PART):
            pickler.clear_memo()  # what a part shares, it shares within itself
            part = {pid: values_of(post) for pid, post in posts[start : start + PART]}
            pickler.dump((part, dict(rows[start : start + PART])))
        pickler.dump(None)


@dataclass
class Origin:
    """The base a kept posts was loaded from: the next save writes what differs from it."""

    base_id: str
    identity: tuple[int, int, int] | None
    posts: dict[int, Listed]
    rows: dict[int, KeptRow]


def kept_path(cache: Path) -> Path:
    """The base's file beside the build cache ``cache`` (the delta is beside it)."""
    return cache.with_name(f"{cache.stem}.posts")


def _delta_path(path: Path) -> Path:
    return path.with_name(f"{path.name}-delta")


def load(path: Path) -> KeptPosts:
    """The posts saved at ``path``; none (a whole read) when missing or not ours."""
    base = _read(path)
    if base is None:
        return KeptPosts()
    delta = _read(_delta_path(path))
    try:
        kept = _assembled(path, base, delta if delta is not None and delta[0] == base[0] else None)
    except (TypeError, ValueError, KeyError, AttributeError):  # our format, not our shape
        return KeptPosts()
    if gc.get_freeze_count():  # a process that freezes what it keeps (freeze.py): these too
        gc.freeze()
    return kept


def _assembled(path: Path, base: tuple[str, _State], delta: tuple[str, _State] | None) -> KeptPosts:
    """The kept posts of a base and, if any, its delta (which holds the listings then)."""
    base_id, state = base
    posts, rows = dict(state.posts), dict(state.rows)
    newer: dict[int, _Row] = {}
    if delta is not None:
        state, newer = delta[1], delta[1].rows
        posts.update(state.posts)
        rows.update(newer)
    kept = KeptPosts()
    for name, (token, columns, stamps) in state.listings.items():
        listed = {pid: posts[pid] for pid in stamps if pid in posts}
        kept.kept[name] = KeptListing(token, columns, listed, dict(stamps))
    listed = {pid: post for found in kept.kept.values() for pid, post in found.posts.items()}
    made = {pid: KeptRow(listed[pid], *row) for pid, row in rows.items() if pid in listed}
    kept.rows = KeptRows(state.context, made, state.clocked)
    from_base = {pid: row for pid, row in made.items() if pid not in newer}
    kept.origin = Origin(base_id, _identity(path), base[1].posts, from_base)
    return kept


def save(path: Path, posts: KeptPosts) -> None:
    """Write what ``posts`` holds for the next process: the posts and rows that differ from
    its base, or a new base (raises OSError)."""
    listed = {pid: post for found in posts.kept.values() for pid, post in found.posts.items()}
    rows = posts.rows.rows
    origin = posts.origin
    if isinstance(origin, Origin) and origin.identity == _identity(path):
        newer = {pid: p for pid, p in listed.items() if origin.posts.get(pid) is not p}
        remade = [pid for pid, row in rows.items() if origin.rows.get(pid) is not row]
        if len(newer) + len(remade) <= COMPACT:
            _write(_delta_path(path), partial(_state(posts, newer, remade).pack, origin.base_id))
            return
    forget(path)
    base_id = uuid.uuid4().hex
    _write(path, partial(_state(posts, listed, rows).pack, base_id))
    posts.origin = Origin(base_id, _identity(path), listed, dict(rows))


def _state(posts: KeptPosts, listed: dict[int, Listed], rows: Iterable[int]) -> _State:
    """What ``posts`` holds, with these posts and the rows of these ids."""
    kept = posts.rows.rows
    return _State(
        {name: (k.token, k.columns, k.stamps) for name, k in posts.kept.items()},
        listed,
        posts.rows.context,
        posts.rows.clocked,
        {pid: (kept[pid].properties, kept[pid].digest) for pid in rows},
    )


def forget(path: Path) -> None:
    """Remove the base and its delta."""
    for found in (_delta_path(path), path):
        with contextlib.suppress(FileNotFoundError):
            found.unlink()


def _read(path: Path) -> tuple[str, _State] | None:
    try:
        with path.open("rb") as file, _no_collections():
            fmt, base_id, listings, context, clocked = _Unpickler(file).load()
            if fmt != FORMAT:
                return None
            posts: dict[int, Listed] = {}
            rows: dict[int, _Row] = {}
            while (part := _Unpickler(file).load()) is not None:  # to the end: all or none
                posts.update((pid, Listed.of_values(values)) for pid, values in part[0].items())
                rows.update(part[1])
        named = {
            name: (token, tuple(cols), stamps) for name, (token, cols, stamps) in listings.items()
        }
        return base_id, _State(named, posts, context, frozenset(clocked), rows)
    except Exception:  # missing, cut short, damaged, another version's: only time is lost
        return None


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """No garbage collection while 300 000 objects are made that are none of it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write(path: Path, pack: Callable[[IO[bytes]], None]) -> None:
    """Stream what ``pack`` writes to a new file, then put it in place whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with temp.open("wb") as file:
            pack(file)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns

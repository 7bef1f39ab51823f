"""Every post's row of a build: made here (``rows_of``), and kept by the build cache as a
digest of each, so that the next build finds the posts that changed without reading them all.

A row is a post as pages may read it, in JSON: its columns, its tags and its properties (the
reading time, the status...), which Post's own code computes from the values. A watch keeps
the rows of its last build (``keptposts.KeptRows``) and makes again only those of posts
whose values, settings or clock-read properties differ.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from app import recording
from app.public.snapshot import Listed, values_in
from app.status import ClockReads, watching_clock

if TYPE_CHECKING:
    from app.build.cachefile import CacheFile

#: What a post computes from its fields (``reading_minutes``, ``status``): kept in its row.
PROPERTIES = tuple(name for name, value in vars(Listed).items() if isinstance(value, property))


class PlainRow:
    """A post's values with Post's properties, and nothing noted of what they read."""

    locals().update({name: vars(Listed)[name] for name in PROPERTIES})

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__ = values


def row_text(post: Listed, properties: tuple[Any, ...]) -> bytes:
    """A post's row: its values (its tags by their identity) with its properties, in JSON.

    A pure function of the post's values (a ``Listed`` is never changed once made) and of
    the properties computed from them, so a row is made again whenever it is asked for
    instead of being held: 100 000 rows are ~100 MB of text.
    """
    values = dict(post.__dict__)
    values["tags"] = [tag.__identity__() for tag in values["tags"]]
    values.update(zip(PROPERTIES, properties, strict=True))
    return orjson.dumps(values, default=repr)


@dataclass(slots=True)
class KeptRow:
    """A post's row in a build (``rows_of``): the object it was made of, the values of its
    properties and the row's digest; its text is made again when asked (``row_text``)."""

    post: Listed
    properties: tuple[Any, ...]
    digest: bytes

    @property
    def text(self) -> str:
        return row_text(self.post, self.properties).decode()


@dataclass
class KeptRows:
    """The rows of the last build, for posts the kept listing still holds (the same object:
    the same values). Its properties are Post's code run on those values, the settings
    (``context``) and the clock: a kept row is used again while the context is the same
    and the properties that asked the clock (noted as they ran) still give the same."""

    context: str = ""
    rows: dict[int, KeptRow] = field(default_factory=dict)
    #: The properties that read the clock for some post (``status.watching_clock``).
    clocked: frozenset[str] = frozenset()
    #: How many rows the last build made anew.
    made: int = 0


def rows_of(
    posts: Mapping[int, Listed], kept: KeptRows | None = None, context: str = ""
) -> PostRows:
    """Every post's row, by id. With ``kept`` (the last build's of this process, made in the
    settings ``context``), rows of the same post objects are used again when the properties
    that read the clock still give the same values; ``kept`` then holds this build's."""
    with recording.unrecorded():
        reuse = kept.rows if kept is not None and kept.context == context else {}
        clocked = kept.clocked if kept is not None and reuse else frozenset()
        same = [pid for pid, post in posts.items() if (k := reuse.get(pid)) and k.post is post]
        names = [name for name in PROPERTIES if name in clocked]
        now, _ = _properties(list(map(PlainRow, values_in([posts[pid] for pid in same]))), names)
        at = [PROPERTIES.index(name) for name in names]
        made: dict[int, KeptRow] = {}
        for pid, values in zip(same, now, strict=True):
            row = reuse[pid]
            if all(row.properties[i] == value for i, value in zip(at, values, strict=True)):
                made[pid] = row
        fresh, read_clock = _rows([post for pid, post in posts.items() if pid not in made])
        made.update(fresh)
    rows = {pid: made[pid] for pid in posts}
    if kept is not None:
        kept.context, kept.rows, kept.clocked = context, rows, clocked | read_clock
        kept.made = len(fresh)
    return PostRows({pid: row.digest for pid, row in rows.items()}, rows)


def _rows(posts: Iterable[Listed]) -> tuple[dict[int, KeptRow], frozenset[str]]:
    """The rows of ``posts``, made anew; and the properties that read the clock."""
    posts = list(posts)
    # The properties off the post's own values, as ``rows_of`` computes them again.
    found, clocked = _properties(list(map(PlainRow, values_in(posts))), PROPERTIES)
    made = {}
    for post, properties in zip(posts, found, strict=True):
        digest = row_digest(row_text(post, properties))
        made[post.__dict__["id"]] = KeptRow(post, properties, digest)
    return made, clocked


def _properties(
    plains: list[PlainRow], names: Iterable[str]
) -> tuple[list[tuple[Any, ...]], frozenset[str]]:
    """Each row's values of the properties ``names`` (Post's own code, run on its values),
    and those of the properties that asked the clock."""
    columns, clocked = [], set()
    for name in names:
        reads = ClockReads()
        with watching_clock(reads):
            columns.append([getattr(plain, name) for plain in plains])
        if reads.read:
            clocked.add(name)
    found = list(zip(*columns, strict=True)) if columns else [() for _ in plains]
    return found, frozenset(clocked)


def row_digest(row: bytes) -> bytes:
    return hashlib.blake2b(row, digest_size=16).digest()


class PostRows:
    """Every post's row of a build (``postrows.rows_of``), by id: a digest of each, and the
    rows themselves as far as they are known (made again when asked, ``KeptRow.text``; the
    rest are read from the cache file, only for the posts whose digest differs: an edit
    reads one)."""

    def __init__(
        self,
        digests: dict[int, bytes],
        rows: Mapping[int, KeptRow] | None = None,
        cache: CacheFile | None = None,
    ) -> None:
        self.digests = digests
        self.rows = rows if rows is not None else {}
        self.cache = cache

    def get(self, post_id: int) -> str | None:
        row = self.rows.get(post_id)
        found = None if row is None else row.text
        if found is None and self.cache is not None and post_id in self.digests:
            rows = self.cache.select("SELECT row FROM posts WHERE id IN ({})", [post_id])
            found = rows[0][0] if rows else None
        return found


def save_rows(
    db: sqlite3.Connection, rows: PostRows, present: Mapping[int, bytes] | None = None
) -> None:
    """The posts' rows whose digest differs from the file's (``present``, when the caller
    knows them: read here otherwise); none for posts gone."""
    if present is None:
        present = dict(db.execute("SELECT id, digest FROM posts").fetchall())
    db.executemany(
        "DELETE FROM posts WHERE id = ?",
        [(post_id,) for post_id in present.keys() - rows.digests.keys()],
    )
    differ = (  # made one at a time: a code change makes every row again
        (post_id, found, rows.get(post_id))
        for post_id, found in rows.digests.items()
        if present.get(post_id) != found
    )
    db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?)", differ)

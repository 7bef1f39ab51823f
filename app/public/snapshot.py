"""The read model of one build: the site's posts loaded once, every answer made from them.

A build of 10 000 posts asks the same few questions on every page (the listing, a post's
neighbours, tags with counts...): here they are answered from one listing of the posts
(``Listed``: every column but the bodies, and the tags, in two queries for the whole site)
without SQL, and kept for the rest of the build. The bodies are read when a page asks,
a window of posts at a time. A ``Snapshot`` lives as long as its build (``Build.run``
activates it); outside one the ``live`` model answers.

Each field a page reads of a post is noted for the build (see ``app.recording``).

Why one module: ``Listed``, the answers made from it and the two queries that load it share
the listing's columns and the noting of fields; the plain path (``live``) is its own module.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import sqlalchemy as sa

from app import recording, tricks
from app.extensions import db
from app.localtime import site_zone, to_local
from app.models import Post, Tag, post_tags
from app.public.listpage import ListPage, list_page
from app.public.visibility import visible

if TYPE_CHECKING:
    from app.public.search import LastIndex

T = TypeVar("T")

#: Columns a listing leaves out (large, or the tags' spellings: a page shows ``tags``): read
#: when a page asks for them (``Snapshot.body``).
HEAVY = {"body", "body_html", "body_text", "toc_html", "tags_written"}
#: The columns a listing reads, by name.
LISTED_COLUMNS = tuple(c.key for c in Post.__table__.columns if c.key not in HEAVY)
#: Post pages render in index order: a build loads this many posts' bodies at a time.
BODY_WINDOW = 64
#: Bodies read alone kept per build (``Snapshot.body``).
SINGLES = 512


class Listed:
    """A post or page of a build: every column but the bodies, and its tags.

    Plain objects: a build reads them on every list page, neighbour link and archive (ORM
    rows would cost ten times as much). Each field read is noted (``recording.field``).
    """

    if TYPE_CHECKING:  # Post's own properties, read off these attributes

        @property
        def reading_minutes(self) -> int: ...
        @property
        def local_date(self) -> str: ...
        @property
        def status(self) -> str: ...
        @property
        def photos(self) -> list[dict[str, str]]: ...
        @property
        def refs(self) -> dict[str, list[str]]: ...
        @property
        def display_name(self) -> str: ...

    else:
        reading_minutes = Post.reading_minutes
        local_date = Post.local_date
        status = Post.status
        photos = Post.photos
        refs = Post.refs
        display_name = Post.display_name

    def __init__(self, values: dict[str, Any], tags: list[ListedTag]) -> None:
        self.__dict__.update(values)
        self.tags = tags

    @classmethod
    def of_values(cls, values: dict[str, Any]) -> Listed:
        """The post whose values (its tags among them) ``values_of`` gave: the very dict,
        taken as it is (a kept listing stores these, not the objects)."""
        post = cls.__new__(cls)
        object.__setattr__(post, "__dict__", values)
        return post

    def __getattribute__(self, name: str) -> Any:
        if name[0] == "_":
            return object.__getattribute__(self, name)
        values = object.__getattribute__(self, "__dict__")
        recording.field(values["id"], name)
        if name in values:
            return values[name]
        with recording.unrecorded():  # a property: its value is what the page read
            return object.__getattribute__(self, name)

    def __getattr__(self, name: str) -> Any:
        if name in HEAVY:
            snapshot = current()
            if snapshot is None:  # read after its build: this post's bodies alone
                return _bodies([self])[self.__dict__["id"]][name]
            return snapshot.body(self, name)
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"<Listed {self.__dict__.get('slug')}>"


def values_of(post: Listed) -> dict[str, Any]:
    """A post's values, its tags among them, read without noting them."""
    return object.__getattribute__(post, "__dict__")  # type: ignore[no-any-return]


def values_in(posts: Iterable[Listed]) -> list[dict[str, Any]]:
    """``values_of`` each post, in one pass of C calls (10 000 posts: ~0.6 ms, where reading
    ``post.__dict__`` goes through ``Listed.__getattribute__`` for each)."""
    return list(map(object.__getattribute__, posts, repeat("__dict__")))


def by_id(posts: Iterable[Listed]) -> dict[int, Listed]:
    """The posts by id, read without noting it."""
    posts = list(posts)
    return dict(zip([values["id"] for values in values_in(posts)], posts, strict=True))


def _post_id(post: Listed) -> int:
    """A post in a recorded answer: its id (the fields a page reads are noted one by one)."""
    return object.__getattribute__(post, "__dict__")["id"]  # type: ignore[no-any-return]


recording.IDENTITIES[Listed] = _post_id


@dataclass(frozen=True)
class ListedTag:
    id: int
    name: str
    slug: str

    def __identity__(self) -> list[Any]:
        return ["tag", self.id, self.name, self.slug]


class ListingSource(Protocol):
    """Where a snapshot gets its listings when not from ``_listed`` alone: one kept from
    the last build and brought up to date (``app.build.keptposts``)."""

    def listed(
        self,
        name: str,
        condition: sa.ColumnElement[bool],
        columns: tuple[str, ...],
        read: Callable[[sa.ColumnElement[bool]], list[Listed]],
    ) -> list[Listed]: ...


class Snapshot:
    """One build's answers, each computed once from its listing."""

    def __init__(
        self, off: frozenset[str] | None = None, source: ListingSource | None = None
    ) -> None:
        """A snapshot of the posts as they are when it first answers, playing the tricks
        not in ``off`` (default: those the settings turn off, see ``app.tricks``); its
        listings from ``source`` when given."""
        off = tricks.disabled() if off is None else off
        self.source = source
        self._answers: dict[str, Any] = {}
        self._window: dict[int, dict[str, Any]] = {}
        #: How many reads the window served; where the last body read was in the listing;
        #: the bodies read alone, oldest first.
        self._window_used = 0
        self._last_position = -2
        self._singles: OrderedDict[int, dict[str, Any]] = OrderedDict()
        #: Whether pages get their answers here (else the ``live`` model answers them).
        self.answers = "snapshot" not in off
        #: Bodies read at a time.
        self.window_size = 1 if "body-windows" in off else BODY_WINDOW
        #: The URLs this build made, by endpoint and values (see ``urls.build_url_for``).
        self.urls: dict[tuple[Any, ...], str] | None = None if "url-memo" in off else {}
        #: ``cached_partial`` fragments by template and key, with what they read.
        self.fragments: dict[tuple[Any, ...], tuple[Any, recording.Frozen]] | None = (
            None if "fragments" in off else {}
        )
        #: The parts their reads share (see ``recording.Recorder.freeze``).
        self.frozen_parts: dict[Any, Any] = {}
        #: Whether ``search.json`` may copy documents of the last build's (``last_index``).
        self.copy_search = "search-copy" not in off
        self.plain_rows = "plain-rows" not in off
        #: The last build's ``search.json``, when its documents may be copied.
        self.last_index: LastIndex | None = None

    def _once(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self._answers:
            self._answers[key] = compute()
        return cast(T, self._answers[key])  # what ``compute`` gave for ``key``

    @contextmanager
    def active(self) -> Iterator[Snapshot]:
        """Answer the read model's questions from this snapshot inside (make it after the
        posts are in the database, and use it within ``status.frozen``: one 'now')."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)

    # -- the questions ----------------------------------------------------------------

    def listing(self) -> list[Listed]:
        """Published posts in index order with their tags, without bodies."""
        return self._once("listing", lambda: _in_index_order(self._listed("timeline", visible())))

    def visible_pages(self) -> list[Listed]:
        return self._once(
            "pages",
            lambda: sorted(self._listed("pages", visible("page")), key=attrgetter("title", "slug")),
        )

    def _listed(self, name: str, condition: sa.ColumnElement[bool]) -> list[Listed]:
        if self.source is None:
            return _listed(condition)
        return self.source.listed(name, condition, LISTED_COLUMNS, _listed)

    def get_visible(self, kind: str, slug: str) -> Listed | None:
        return self._by_slug(kind).get(slug)

    def _by_slug(self, kind: str) -> dict[str, Listed]:
        def compute() -> dict[str, Listed]:
            if kind == "page":
                return {item.slug: item for item in self.visible_pages()}
            pairs = zip(self._read("kind", "slug"), self.listing(), strict=True)
            return {v["slug"]: post for v, post in pairs if v["kind"] == kind}

        return self._once(f"by_slug_{kind}", compute)

    def get_tag(self, slug: str) -> ListedTag | None:
        tags = self._once("tags", lambda: {t.slug: t for t, _ in self.tags_with_counts()})
        return tags.get(slug)

    def neighbours(self, slug: str) -> tuple[Listed | None, Listed | None]:
        posts, position = self.listing(), self._positions().get(slug)
        if position is None:
            return None, None
        newer = posts[position - 1] if position > 0 else None
        older = posts[position + 1] if position + 1 < len(posts) else None
        return newer, older

    def _positions(self) -> dict[str, int]:
        def compute() -> dict[str, int]:
            return {v["slug"]: i for i, v in enumerate(self._read("slug"))}

        return self._once("positions", compute)

    def tags_with_counts(self) -> list[tuple[ListedTag, int]]:
        def compute() -> list[tuple[ListedTag, int]]:
            found = [tag for v in self._read("tags") for tag in v["tags"]]
            # Counted by id: a tag is one object per part of a kept listing, not one in all,
            # and hashing the tag itself runs its dataclass __hash__ once per post and tag.
            by_id = {tag.id: tag for tag in found}
            counts = Counter([tag.id for tag in found])
            pairs = [(by_id[tag_id], count) for tag_id, count in counts.items()]
            return sorted(pairs, key=lambda pair: (pair[0].name, pair[0].id))

        return self._once("tags_with_counts", compute)

    def published_dates(self) -> list[datetime]:
        return [post.published_at for post in self.listing()]

    def tagged(self, tag: ListedTag | None) -> list[Listed]:
        """The listing, or one tag's part of it, in index order."""
        if tag is None:
            return self.listing()
        by_tag = self._once(
            "by_tag", lambda: self._group("tags", lambda tags: [t.id for t in tags])
        )
        return by_tag.get(tag.id, [])

    def list_page(self, tag: ListedTag | None, page: int) -> ListPage | None:
        return list_page(self.tagged(tag), page)

    def count(self, tag: ListedTag | None) -> int:
        return len(self.tagged(tag))

    def newest(self, tag: ListedTag | None, limit: int) -> list[Listed]:
        return self.tagged(tag)[:limit]

    def period(self, year: int, month: int | None) -> list[Listed]:
        zone = site_zone()

        def periods(published_at: datetime) -> list[Any]:
            published = to_local(published_at, zone)  # the archive is by local date
            return [published.year, (published.year, published.month)]

        key = year if month is None else (year, month)
        return self._once("by_period", lambda: self._group("published_at", periods)).get(key, [])

    def _group(self, name: str, key: Callable[[Any], list[Any]]) -> dict[Any, list[Listed]]:
        """The listing's posts by each value ``key`` gives of their field ``name``."""
        groups: dict[Any, list[Listed]] = {}
        for v, post in zip(self._read(name), self.listing(), strict=True):
            for value in key(v[name]):
                groups.setdefault(value, []).append(post)
        return groups

    def _read(self, *names: str) -> list[dict[str, Any]]:
        """The listing's posts' values, in order, noting that fields ``names`` of every one
        of them were read (one note for all, not one recorded read per post and field)."""
        values: list[dict[str, Any]] = self._once("values", lambda: values_in(self.listing()))
        ids: list[int] = self._once("ids", lambda: [v["id"] for v in values])
        recording.fields(ids, names)
        return values

    def texts(self, posts: Sequence[Listed]) -> dict[int, str]:
        """Each post's body text, cut after what a search document keeps of it; one query."""
        from app.public.search import TEXT_LIMIT

        ids = [post.id for post in posts]
        if not ids:
            return {}
        shown = sa.func.substr(Post.body_text, 1, TEXT_LIMIT + 1)  # enough to know it was cut
        with recording.unrecorded():
            found: dict[int, str] = dict(
                db.session.execute(sa.select(Post.id, shown).where(Post.id.in_(ids))).all()
            )
        for post_id in ids:
            recording.field(post_id, "body_text")
        return found

    def body(self, post: Listed, name: str) -> Any:
        """A body column of ``post``, read with those of the posts that follow it.

        A build renders post pages in index order, so reading the bodies of the next posts
        in one query spares a query per page; only one window is held at a time. Pages that
        read bodies here and there (a tag's feeds: its newest posts) would read a window
        for each: once a window served a single post, a post that does not follow the one
        read before is read alone, and the last ``SINGLES`` read alone are kept (a tag's
        three feeds read the same posts). The page notes the field it read (the query is
        the read model's, not the page's).
        """
        values = post.__dict__
        post_id = values["id"]
        found = self._window.get(post_id)
        if found is not None:
            self._window_used += 1
        else:
            found = self._singles.get(post_id)
        if found is None:
            with recording.unrecorded():
                found = self._read_body(post)
        return found[name]

    def _read_body(self, post: Listed) -> dict[str, Any]:
        values = post.__dict__
        posts: list[Listed] = self.listing() if values["kind"] != "page" else []
        position = self._positions().get(values["slug"]) if posts else None
        if position is None or posts[position] is not post:  # not listed: alone
            posts, position = [post], 0
        follows = position == self._last_position + 1
        self._last_position = position
        if self._window and self._window_used <= 1 and not follows and len(posts) > 1:
            found = _bodies([post])[values["id"]]
            self._singles[values["id"]] = found
            if len(self._singles) > SINGLES:
                self._singles.popitem(last=False)
            return found
        self._window = _bodies(posts[position : position + self.window_size])
        self._window_used = 1
        return self._window[values["id"]]


#: The snapshot of the build running in this context (forked render workers inherit it).
_ACTIVE: ContextVar[Snapshot | None] = ContextVar("microblog_snapshot", default=None)


def current() -> Snapshot | None:
    """The running build's snapshot; None in the authoring app's preview."""
    return _ACTIVE.get()


def _in_index_order(posts: list[Listed]) -> list[Listed]:
    """Newest first, then by slug: the database's order, put again in Python so that the
    fields it reads are noted as the read model's (``recording.fields``, once for all); a
    sort of a sorted list is one pass."""
    values = values_in(posts)
    recording.fields([v["id"] for v in values], ("slug", "published_at"))
    slugs, dates = [v["slug"] for v in values], [v["published_at"] for v in values]
    order = sorted(range(len(posts)), key=slugs.__getitem__)
    order.sort(key=dates.__getitem__, reverse=True)  # stable: slugs stay in order
    posts[:] = [posts[i] for i in order]
    return posts


def listed_columns(condition: sa.ColumnElement[bool]) -> sa.Select[*tuple[Any, ...]]:
    """The listed columns of the posts meeting ``condition``, in index order (on SQLite, read
    from one covering index: see the migration that makes ``ix_post_listed``)."""
    columns = [Post.__table__.c[name] for name in LISTED_COLUMNS]
    return sa.select(*columns).where(condition).order_by(Post.published_at.desc(), Post.slug)


def _listed(condition: sa.ColumnElement[bool]) -> list[Listed]:
    """Posts meeting ``condition`` in index order, with their tags."""
    query = listed_columns(condition)
    rows = plain_rows(query)
    pairs = (
        sa.select(post_tags.c.post_id, Tag.id, Tag.name, Tag.slug)
        .join(Tag, Tag.id == post_tags.c.tag_id)
        .where(post_tags.c.post_id.in_(sa.select(Post.id).where(condition)))
    )
    tags: dict[int, list[ListedTag]] = {}
    known: dict[int, ListedTag] = {}  # one object per tag, not per post and tag
    for post_id, tag_id, name, slug in plain_rows(pairs.order_by(Tag.name)):  # no ORM rows
        tag = known.get(tag_id) or known.setdefault(tag_id, ListedTag(tag_id, name, slug))
        tags.setdefault(post_id, []).append(tag)
    keys = cast("list[str]", [column.key for column in query.selected_columns])  # table columns
    at = keys.index("id")
    return [Listed(dict(zip(keys, row, strict=True)), tags.get(row[at], [])) for row in rows]


def plain_rows(query: sa.Select[*tuple[Any, ...]]) -> list[list[Any]]:
    """The rows of ``query`` as lists of values converted by their columns' types.

    What ``session.execute`` gives without its row objects, which cost more than the
    query itself for the 10 000 rows of a listing.
    """
    connection = db.session.connection()
    snapshot = current()
    if snapshot is not None and not snapshot.plain_rows:  # the plain path: Row objects
        return [list(row) for row in connection.execute(query)]
    result = connection.execute(query)
    dialect = connection.dialect
    try:
        converters = [
            (i, convert)
            for i, column in enumerate(query.selected_columns)
            if (convert := column.type.dialect_impl(dialect).result_processor(dialect, None))
            is not None
        ]
        rows = [list(row) for row in result.cursor.fetchall()]
    finally:
        result.close()
    for row in rows:
        for i, convert in converters:
            row[i] = convert(row[i])
    return rows


def _bodies(posts: Sequence[Listed]) -> dict[int, dict[str, Any]]:
    """The columns listings leave out, of ``posts``, by id: one query."""
    columns = [Post.id, *(getattr(Post, name) for name in sorted(HEAVY))]
    ids = [p.__dict__["id"] for p in posts]
    rows = db.session.execute(sa.select(*columns).where(Post.id.in_(ids)))
    return {row.id: row._asdict() for row in rows}

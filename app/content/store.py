"""The one mapping between a ``Document`` (file) and a ``Post`` row (index)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, TypeVarTuple, cast

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.content.document import Document
from app.content.notes import REF_KEYS, hashtags, ref_urls, ref_value
from app.content.render import Rendered, render_markdown, renderer_id, summarize
from app.content.slugs import slugify
from app.extensions import db
from app.localtime import site_zone_name
from app.models import Post, Tag, post_tags


def reader_id(local_dates: bool) -> str:
    """What read a row from its file, kept in its ``renderer``: the renderer and, for a file
    with a date without an offset (``Document.local_dates``: local time), the site's time
    zone. A sync reads a file again when its row's reader is not one of ``readers()``."""
    zone = site_zone_name() if local_dates else ""
    return hashlib.blake2b(f"{renderer_id()}@{zone}".encode(), digest_size=8).hexdigest()


def readers() -> frozenset[str]:
    """The readers of rows that hold: with the site's time zone, or none needed."""
    return frozenset({reader_id(False), reader_id(True)})


@functools.lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    """The URL slug of a tag name (cached: a sync asks for the same few names many times)."""
    return slugify(name, fallback_prefix="tag")


#: Most values in one ``IN (...)`` list (PostgreSQL allows 65535 parameters a statement).
IN_CHUNK = 1000
_Key = TypeVar("_Key", int, str)
_Ts = TypeVarTuple("_Ts")


def in_chunks(values: Iterable[_Key]) -> Iterator[list[_Key]]:
    """Distinct values, sorted, in lists short enough for one ``IN (...)``."""
    items = sorted(set(values))
    for start in range(0, len(items), IN_CHUNK):
        yield items[start : start + IN_CHUNK]


def select_in(
    query: sa.Select[*_Ts],
    column: sa.ColumnElement[_Key] | so.QueryableAttribute[_Key],
    values: Iterable[_Key],
) -> Iterator[sa.Row[*_Ts]]:
    """The rows of ``query`` whose ``column`` is one of ``values``, one query per chunk."""
    for chunk in in_chunks(values):
        yield from db.session.execute(query.where(column.in_(chunk)))


def load_tags(slugs: Iterable[str]) -> dict[str, Tag]:
    """Existing tags by slug, in one query per thousand slugs."""
    return {tag.slug: tag for (tag,) in select_in(sa.select(Tag), Tag.slug, slugs)}


def tags_for(names: Iterable[str], known: dict[str, Tag] | None = None) -> list[Tag]:
    """Tags by name, matched on their slug so 'Python' and 'python' are one tag (a new one
    named as written here; ``tagnames.settle_tags`` names it by every post once written).

    ``known`` (slug -> tag, from ``load_tags``) saves the lookups; new tags are added to it,
    so a sync of many documents asks the database once and inserts each new tag once.
    """
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(tag_slug(name), name)  # 'Python' after 'python': one tag
    if known is None:
        known = load_tags(wanted)
    tags: list[Tag] = []
    for slug, name in wanted.items():
        tag = known.get(slug)
        if tag is None:
            tag = known[slug] = Tag(name=name, slug=slug)
            db.session.add(tag)
        tags.append(tag)
    return tags


def tag_names(doc: Document, rendered: Rendered) -> list[str]:
    """A document's tags: its ``tags:``, and a note's ``#hashtags`` (``notes.hashtags``)."""
    if doc.kind != "note":
        return list(doc.tags)
    return [*doc.tags, *hashtags(rendered.html)]


def _extra(doc: Document) -> dict[str, Any]:
    """The ``extra`` column: unknown keys, and the photos and reply links of the file (as
    the file writes them: one URL as text, several as a list)."""
    extra = dict(doc.extra)
    if doc.photos:
        extra["photos"] = [dict(photo) for photo in doc.photos]
    extra.update({key: ref_value(urls) for key, urls in doc.refs.items()})
    return extra


def post_values(
    doc: Document, source_path: str, source_hash: str, rendered: Rendered
) -> dict[str, Any]:
    """A document's column values (tags aside): the one mapping from files to rows."""
    return {
        "kind": doc.kind,
        "slug": doc.slug,
        "title": doc.title,
        "body": doc.body,
        "body_html": rendered.html,
        "toc_html": rendered.toc_html,
        "word_count": rendered.word_count,
        "body_text": rendered.text,
        "summary": doc.summary or summarize(rendered.lead),
        "published_at": doc.date,
        "updated_at": doc.updated,
        "draft": doc.draft,
        "author_name": doc.author,
        "extra": _extra(doc),
        "aliases": list(doc.aliases),
        "tags_written": tag_names(doc, rendered),
        "source_path": source_path,
        "source_hash": source_hash,
        "renderer": reader_id(doc.local_dates),
        "explicit_summary": bool(doc.summary),
    }


def apply_document(
    post: Post,
    doc: Document,
    source_path: str,
    source_hash: str,
    rendered: Rendered | None = None,
    *,
    known_tags: dict[str, Tag] | None = None,
) -> Post:
    """Fill a row (new or loaded) from a document, rendering it unless ``rendered`` is given.

    ``known_tags`` is passed on to ``tags_for``.
    """
    if rendered is None:
        rendered = render_markdown(doc.body)
    for key, value in post_values(doc, source_path, source_hash, rendered).items():
        setattr(post, key, value)
    post.tags = tags_for(tag_names(doc, rendered), known_tags)
    return post


@dataclass(frozen=True)
class NewRow:
    """A document to insert as a new row: what ``insert_documents`` needs of it."""

    doc: Document
    source_path: str
    source_hash: str
    rendered: Rendered


def insert_documents(rows: Sequence[NewRow], known_tags: dict[str, Tag]) -> None:
    """Insert many new rows at once: one batched INSERT for them, one for their tag links.

    The same values as ``apply_document`` on a fresh ``Post``, without building an ORM
    object per row. Flushes the session first (pending changes and new tags get ids).
    """
    if not rows:
        return
    tags = [tags_for(tag_names(row.doc, row.rendered), known_tags) for row in rows]
    db.session.flush()
    values = [post_values(r.doc, r.source_path, r.source_hash, r.rendered) for r in rows]
    # One executemany, then the ids by path: RETURNING in parameter order makes SQLAlchemy
    # insert SQLite rows one statement at a time (twice the time of the whole batch).
    post_table = cast(sa.Table, Post.__table__)  # typed FromClause; a mapped class's Table
    db.session.execute(sa.insert(post_table), values)
    ids = ids_by_path(row.source_path for row in rows)
    links = [
        {"post_id": ids[row.source_path], "tag_id": tag.id}
        for row, row_tags in zip(rows, tags, strict=True)
        for tag in row_tags
    ]
    if links:
        db.session.execute(sa.insert(post_tags), links)


def ids_by_path(paths: Iterable[str]) -> dict[str, int]:
    """Row ids by source path (by the sync's index, without reading the rows)."""
    query = sa.select(Post.source_path, Post.id)
    return dict(select_in(query, Post.source_path, paths))


def written_tags(post: Post) -> list[str]:
    """Its tags as a client reads and sends them back: as its file writes them (``tags:``,
    then a note's ``#hashtags``), in order, the first spelling of each; by the tags' names
    for a row from before rows kept them. The site names a tag by all its posts."""
    names: dict[str, str] = {}
    for name in _as_written(post):
        names.setdefault(tag_slug(name), name)
    return list(names.values())


def _as_written(post: Post) -> list[str]:
    """Its tags as its file writes them; by the tags' names for a row from before rows kept
    them (``tags_written``)."""
    return list(post.tags_written) or [t.name for t in post.tags]


def document_from_post(post: Post) -> Document:
    """The document a row stands for (used to write files back): a note's hashtags stay in
    its text, not in its ``tags:``."""
    extra = dict(post.extra or {})
    photos = extra.pop("photos", [])
    refs = {key: ref_urls(extra.pop(key)) for key in REF_KEYS if key in extra}
    tags = _as_written(post)
    if post.kind == "note":
        inline = {name.casefold() for name in hashtags(post.body_html)}
        tags = [name for name in tags if name.casefold() not in inline]
    return Document(
        title=post.title,
        slug=post.slug,
        body=post.body,
        kind=post.kind,
        date=post.published_at,
        updated=post.updated_at,
        tags=tags,
        draft=post.draft,
        summary=post.summary if post.explicit_summary else "",
        author=post.author_name,
        aliases=list(post.aliases or []),
        extra=extra,
        photos=[dict(photo) for photo in photos],
        refs=refs,
    )


def delete_orphan_tags() -> int:
    """Remove tags no post uses any more."""
    used = sa.exists().where(post_tags.c.tag_id == Tag.id)  # by ix_post_tags_tag_id
    result = db.session.execute(sa.delete(Tag).where(~used))
    return cast("sa.CursorResult[()]", result).rowcount or 0  # a DELETE's result is one


def load_posts(ids: Iterable[int]) -> dict[int, Post]:
    """Full rows with their tags, by id, for the few files a sync updates."""
    query = sa.select(Post).options(so.selectinload(Post.tags))
    return {post.id: post for (post,) in select_in(query, Post.id, ids)}


def delete_posts(ids: Iterable[int]) -> None:
    """Delete rows and their tag links by id, without loading them."""
    for chunk in in_chunks(ids):
        db.session.execute(sa.delete(post_tags).where(post_tags.c.post_id.in_(chunk)))
        db.session.execute(sa.delete(Post).where(Post.id.in_(chunk)))

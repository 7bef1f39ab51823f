"""Write-through saves: the one path by which the admin and the API change content.

Each call writes the post's file atomically and commits its DB row as one operation: if
either step fails, both are left as they were. A file changed on disk since the caller loaded
it (its hash differs) is a conflict, never silently overwritten.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import HTTPException

from app.content import history
from app.content.aliases import alias_url, clashes, own_url, renamed
from app.content.document import Document, parse_document, serialize_document
from app.content.errors import ContentError
from app.content.files import atomic_write, content_hash, read_text
from app.content.keep import kept_text
from app.content.notes import free_note_slug, missing_alt
from app.content.slugs import is_valid_slug
from app.content.store import apply_document
from app.content.sync import source_path_for
from app.content.tagnames import settle_tags, spellings
from app.extensions import db
from app.localtime import site_zone, to_local
from app.models import Post, Tag, User
from app.permissions import require, require_save
from app.status import now

#: Serializes check-then-write within this process (the dev server is threaded).
_write_lock = threading.RLock()


class SlugTakenError(ContentError):
    """Another post already uses the slug."""


class UrlTakenError(SlugTakenError):
    """The post's URL is another post's old URL (an alias), or one of its aliases is
    another post's URL or alias, or an address of the site: the build would refuse it."""


class ConflictError(ContentError):
    """The file on disk is not the version the caller edited."""

    def __init__(self, path: str, disk_text: str | None, message: str) -> None:
        super().__init__(
            path, message, hint="reload to see the current version, then redo your edit"
        )
        self.disk_text = disk_text


def _content_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"])


def _slug_taken(slug: str) -> bool:
    """Whether a row or a file (not yet imported) has the note slug ``slug``."""
    if db.session.scalar(sa.select(Post.id).where(Post.slug == slug)) is not None:
        return True
    return (_content_dir() / source_path_for("note", slug)).exists()


def note_ready(doc: Document, post: Post | None = None) -> Document:
    """A note as it is saved: dated (now, at its first save), its slug made from its first
    date and kept ever after (its URL never moves), its photos described to publish."""
    date = doc.date or now().replace(microsecond=0)
    doc = replace(doc, date=date)
    if post is not None:
        doc = replace(doc, slug=post.slug)
    elif not doc.slug:
        doc = replace(doc, slug=free_note_slug(to_local(date), _slug_taken))
    missing = missing_alt(doc.photos)
    if missing and not doc.draft:
        raise ContentError(
            None,
            f"photo {missing[0]} has no alt text",
            hint="describe what the photo shows for readers who cannot see it, or save a draft",
            field="photos",
        )
    return doc


def validate(doc: Document) -> Document:
    """The document as it will be read back from its file: the same rules as for files."""
    if not is_valid_slug(doc.slug):  # before the slug goes anywhere near a path
        raise ContentError(
            None,
            f"invalid slug {doc.slug!r}",
            hint="use lowercase letters, digits and single hyphens, e.g. 'my-first-post'",
            field="slug",
        )
    path = f"content/{source_path_for(doc.kind, doc.slug)}"
    text = serialize_document(replace(doc, explicit_slug=False), doc.slug, site_zone())
    limit = current_app.config["MAX_CONTENT_FILE_BYTES"]
    if len(text.encode("utf-8")) > limit:  # sync would refuse the file and break the build
        raise ContentError(
            path,
            f"the post is larger than the {limit // 1024} KiB limit for content files",
            hint="split it, or raise MAX_CONTENT_FILE_BYTES",
            field="body",
        )
    return parse_document(text, path, doc.kind, site_zone())


def document_on_disk(post: Post) -> tuple[Document, str] | None:
    """The document in ``post``'s file as it is now, and the file's hash (what the admin's
    editor and the API show of a file changed outside them); None when the file is gone.
    Raises ``ContentError`` (file, line, what to do) when it cannot be read."""
    display = f"content/{post.source_path}"
    try:
        text, digest = read_text(
            _content_dir() / post.source_path, display, current_app.config["MAX_CONTENT_FILE_BYTES"]
        )
    except FileNotFoundError:
        return None
    return parse_document(text, display, post.kind, site_zone()), digest


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _check_unchanged(post: Post, expected_hash: str | None) -> bytes | None:
    """Refuse when the file on disk differs from what the caller loaded; else its bytes
    (None: it is gone)."""
    path = _content_dir() / post.source_path
    data = _read_bytes(path)
    expected = expected_hash or post.source_hash
    if data is not None and content_hash(data) != expected:
        raise ConflictError(
            f"content/{post.source_path}",
            data.decode("utf-8", errors="replace"),
            "the file changed since you opened it",
        )
    return data


def _restore(path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write(path, data)


@contextmanager
def _file_and_row(path: Path, previous: bytes | None) -> Iterator[None]:
    """Commit the block's DB and file changes together; on any failure undo both.

    The block changes the session first and the file last, so a failed commit is the only
    moment the file must be put back (to ``previous``; None means it did not exist).
    """
    try:
        yield
        try:
            db.session.commit()
        except BaseException:
            _restore(path, previous)
            raise
    except BaseException:
        db.session.rollback()
        raise


def save_post(
    doc: Document,
    post: Post | None = None,
    *,
    expected_hash: str | None = None,
    author: User | None = None,
    exact_text: str | None = None,
    message: str | None = None,
) -> Post:
    """Create (``post=None``) or update a post: file and row together, or neither. A
    published post or page whose slug changes gets its old URL in ``aliases``.

    A new post's byline is its ``author``'s username (the signed-in author or the token's
    owner), unless its file already names one. ``author`` is also who does the save: their
    role must allow it (``app.permissions``; ``PermissionDenied`` otherwise).
    In a git work tree the save is a commit by ``author`` (``history``), ``message`` or
    "Edit post 'slug'"; ``exact_text`` is written instead of ``doc`` serialized (a restore:
    ``doc`` is what it parses to).
    """
    if author is not None:
        require_save(author, post, draft=doc.draft)
    if post is None and author is not None and not doc.author:
        doc = replace(doc, author=author.username)
    if doc.kind == "note":
        doc = note_ready(doc, post)
    if post is not None and post.slug != doc.slug and post.status == "published":
        # Its old URL keeps working: a redirect page (``aliases``), never a dead link.
        doc = replace(doc, aliases=renamed(doc.aliases, post.kind, post.slug, doc.slug))
    doc = validate(doc)
    content_dir = _content_dir()
    with _write_lock:
        clash = db.session.scalar(
            sa.select(Post.id).where(Post.slug == doc.slug, Post.id != (post.id if post else -1))
        )
        if clash is not None:
            raise SlugTakenError(
                f"content/{source_path_for(doc.kind, doc.slug)}",
                f"the slug {doc.slug!r} is already used by another post",
                hint="choose another slug",
            )
        new_rel = source_path_for(doc.kind, doc.slug)
        _check_urls(doc, new_rel, post)
        old_rel = post.source_path if post is not None else None
        written = _check_unchanged(post, expected_hash) if post is not None else None
        new_path = content_dir / new_rel
        previous = _read_bytes(new_path)
        if previous is not None and new_rel != old_rel:
            raise ConflictError(
                f"content/{new_rel}",
                previous.decode("utf-8", errors="replace"),
                "a file with this slug already exists but is not imported",
            )
        row = post or Post()
        text = exact_text if exact_text is not None else _text(doc, written, old_rel)
        moved = old_rel is not None and old_rel != new_rel
        paths = [new_path, content_dir / old_rel] if old_rel is not None and moved else [new_path]
        message = message or _message(doc, post)
        before = spellings([post.id]) if post is not None else set()
        with history.recorded(paths, message, author):
            with _file_and_row(new_path, previous):
                with db.session.no_autoflush:
                    apply_document(row, doc, new_rel, content_hash(text.encode("utf-8")))
                if author is not None and row.author_id is None:
                    row.author = author
                db.session.add(row)
                db.session.flush()
                settle_tags(before, spellings([row.id]))
                atomic_write(new_path, text)
            if old_rel is not None and moved:
                (content_dir / old_rel).unlink(missing_ok=True)
        return row


def _text(doc: Document, before: bytes | None, old_rel: str | None) -> str:
    """The file text of ``doc``: over the file it edits (``before``, the bytes of
    ``old_rel``), keeping what the author wrote of what did not change (``keep``)."""
    try:
        text = before.decode("utf-8") if before is not None else None
    except UnicodeDecodeError:
        text = None
    if text is None:
        return serialize_document(doc, doc.slug, site_zone())
    return kept_text(doc, doc.slug, text, f"content/{old_rel}", site_zone())


#: The views of the pages made from a content file, and that file's kind.
_CONTENT_VIEWS = {"public.post": "post", "public.page": "page", "public.note": "note"}


def _slug_of(endpoint: str, values: Mapping[str, Any]) -> str:
    """The slug in a content page's URL values (a note's date-shaped URL joined again)."""
    if endpoint == "public.note" and "stamp" in values:
        return "{:04d}-{:02d}-{:02d}-{}".format(
            *(values[k] for k in ("year", "month", "day", "stamp"))
        )
    return str(values.get("slug"))


def _page_at(url: str, post: Post | None) -> str | None:
    """Who makes the page at ``url`` besides ``post``: another post's file, the site (a
    page without arguments, a tag's pages), or None. Pages that exist only at a build's
    count (``/page/3/``, an archive's month) are left to the build's check."""
    try:
        endpoint, values = current_app.url_map.bind("localhost").match(url, method="GET")
    except HTTPException:  # no page there (or only a redirect to one)
        return None
    kind = _CONTENT_VIEWS.get(endpoint)
    if kind is not None:
        source = db.session.scalar(
            sa.select(Post.source_path).where(
                Post.kind == kind,
                Post.slug == _slug_of(endpoint, dict(values)),
                Post.id != (post.id if post else -1),
            )
        )
        return None if source is None else f"the page of content/{source}"
    if not endpoint.startswith("public."):
        return None  # the admin and the API are never built
    arguments = {k: v for k, v in values.items() if (k, v) != ("page", 1)}
    if not arguments:
        return f"the site's own page {url}"
    if endpoint.startswith("public.tag") and set(arguments) == {"slug"}:
        tag = db.session.scalar(sa.select(Tag.id).where(Tag.slug == arguments["slug"]))
        return None if tag is None else f"the site's own page {url}"
    return None


def _check_urls(doc: Document, source: str, post: Post | None) -> None:
    """Refuse what the build would refuse (``aliases.clashes``): the post's URL kept as an
    old URL by another post, an alias of it that is another post's URL or alias, or an
    address of the site. Checked against every row, drafts too (they publish later), when
    the save changes the post's URLs: an edit that keeps them cannot make a new clash (a
    scan of every row's aliases takes ~50 ms at 10 000 posts)."""
    if post is not None and (post.kind, post.slug, list(post.aliases or [])) == (
        doc.kind,
        doc.slug,
        list(doc.aliases),
    ):
        return
    own = own_url(doc.kind, doc.slug)
    mine = [alias_url(alias) for alias in doc.aliases]
    wanted = {own, *mine}
    rows = db.session.execute(
        sa.select(Post.source_path, Post.aliases).where(
            Post.id != (post.id if post else -1), sa.cast(Post.aliases, sa.Text) != "[]"
        )
    )
    claimed = [
        (url, row_source)
        for row_source, row_aliases in rows
        for url in map(alias_url, row_aliases or [])
        if url in wanted
    ]
    claimed += [(url, source) for url in mine]

    def page_at(url: str) -> str | None:
        return f"the page of content/{source} itself" if url == own else _page_at(url, post)

    for clash in clashes(claimed, page_at):
        if clash.source == source:
            raise UrlTakenError(
                f"content/{source}",
                clash.what(),
                hint=f"remove {doc.aliases[mine.index(clash.url)]} from this {doc.kind}'s aliases",
                field="aliases",
            )
        if clash.url == own:
            raise UrlTakenError(
                f"content/{clash.source}",
                f"the URL {own} is an old URL of content/{clash.source}, kept in its "
                "'aliases:' to redirect there",
                hint=f"choose another slug, or first remove {own} from the aliases of "
                f"content/{clash.source}",
                field="slug",
            )


def _message(doc: Document, post: Post | None) -> str:
    """The commit message of a save."""
    if post is None:
        return f"Add {doc.kind} '{doc.slug}'"
    if post.slug != doc.slug:
        return f"Rename {doc.kind} '{post.slug}' to '{doc.slug}'"
    return f"Edit {doc.kind} '{doc.slug}'"


def delete_post(post: Post, *, expected_hash: str | None = None, actor: User | None = None) -> None:
    """Delete a post's file and row together (if ``actor``'s role allows it)."""
    if actor is not None:
        require(actor, "delete", post)
    path = _content_dir() / post.source_path
    message = f"Delete {post.kind} '{post.slug}'"
    with _write_lock:
        _check_unchanged(post, expected_hash)
        previous = _read_bytes(path)
        before = spellings([post.id])
        with history.recorded([path], message, actor), _file_and_row(path, previous):
            db.session.delete(post)
            db.session.flush()
            settle_tags(before, set())
            path.unlink(missing_ok=True)

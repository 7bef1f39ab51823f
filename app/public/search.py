"""search.json: what the in-browser search looks through (no server, no third party)."""

from __future__ import annotations

import mmap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

import orjson
from flask import g

from app import mapped, recording
from app.models import Post
from app.public import queries, snapshot
from app.public.permalinks import url_values
from app.public.snapshot import Listed
from app.public.urls import build_url_for

#: Characters of body text kept per document: enough to find a post, small enough to download.
TEXT_LIMIT = 3000


def _trimmed(text: str, limit: int = TEXT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


#: The fields of a post that its document shows: noted for a document copied from the last
#: build's file, as making it would (a test holds this to what ``_document`` reads).
DOCUMENT_FIELDS = (
    *("kind", "display_name", "slug", "local_date", "tags", "summary"),
    "body_text",
)


def _document(post: Post | Listed, text: str | None = None) -> dict[str, Any]:
    endpoint, values = url_values(post.kind, post.slug)  # a post's, a note's or a page's
    return {
        "title": post.display_name,  # a note's: its first words
        "url": build_url_for(endpoint, **values),
        "date": post.local_date,  # in the site's time zone
        "tags": [tag.name for tag in post.tags],
        "summary": post.summary,
        "text": _trimmed(post.body_text if text is None else text),
    }


def search_index() -> Iterator[bytes]:
    """Published posts (newest first) then pages; URLs are site paths, right under a sub-path.

    Made in chunks of ``TEXT_BATCH`` documents: at 10 000 posts the index is about 30 MB,
    which a build writes out as it goes instead of holding it (and its parts) at once. The
    response notes where each post's document is (``g.build_note``), so that the next build
    copies those that still hold from this file (see ``LastIndex``).
    """
    spans: list[list[Any]] = []
    posts = _post_documents(queries.listing())
    pages = queries.visible_pages()
    documents = chain(posts, ((None, orjson.dumps(_document(p))) for p in pages))
    yield _START
    position, separator = len(_START), b""
    while batch := list(islice(documents, TEXT_BATCH)):
        position += len(separator) - 1  # one comma fewer than documents
        for slug, document in batch:
            position += 1
            if slug is not None:
                spans.append([slug, position, position + len(document)])
            position += len(document)
        yield separator + b",".join(document for _slug, document in batch)
        separator = b","
    yield b"]}\n"
    g.build_note = orjson.dumps(spans).decode()


_START = b'{"items":['
#: Documents made (and texts read from the database) at a time.
TEXT_BATCH = 500


@dataclass(frozen=True)
class LastIndex:
    """The last build's ``search.json`` (its caller made sure it is the file noted), where
    each post's document is in it (that build's note) and the posts whose documents still
    hold: those whose page is unchanged."""

    path: Path
    note: str
    unchanged: frozenset[str]

    def documents(self) -> Copies:
        """The unchanged posts' documents by slug (views of the file; builds never change a
        file in place, so the map holds still)."""
        if not self.unchanged:
            return Copies({})
        found: dict[str, memoryview] = {}
        try:  # mapped, not read: only the documents copied are touched, once
            with self.path.open("rb") as file:
                whole = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            data = memoryview(whole)
            for slug, start, end in orjson.loads(self.note):
                if slug in self.unchanged:
                    found[slug] = data[start:end]  # untouched until copied (``Copies.get``)
        except (OSError, ValueError, TypeError):  # not a note this code wrote: make them all
            return Copies({})
        return Copies(found, whole)


_BRACES = (ord("{"), ord("}"))


@dataclass(frozen=True)
class Copies:
    """Documents to copy by slug, and the map they are views of."""

    found: dict[str, memoryview]
    whole: mmap.mmap | None = None

    def get(self, slug: str) -> memoryview | None:
        """The document of ``slug`` if it is one (an object: the note may be a stale one)."""
        document = self.found.get(slug)
        if document is None or not document or (document[0], document[-1]) != _BRACES:
            return None
        return document

    def release(self) -> None:
        """Let go of the pages read so far (see ``app.mapped``): copied documents are
        joined into the index's chunks by the time the next batch is made."""
        if self.whole is not None:
            mapped.release(self.whole)


def _slug_and_id(post: Post | Listed) -> tuple[str, int]:
    if isinstance(post, Listed):  # not noted (see ``_post_documents``)
        values = object.__getattribute__(post, "__dict__")
        return values["slug"], values["id"]
    return post.slug, post.id


def _post_documents(
    posts: list[Post] | list[Listed],
) -> Iterator[tuple[str | None, bytes | memoryview]]:
    """Each post's slug and document as JSON, in order; copied from the last build's file
    where the build says the document still holds (see ``LastIndex``)."""
    build = snapshot.current()
    last = build.last_index if build is not None else None
    copies = last.documents() if last else Copies({})
    for start in range(0, len(posts), TEXT_BATCH):
        copies.release()  # the last batch is in a chunk of the index by now
        batch: Sequence[Post | Listed] = posts[start : start + TEXT_BATCH]
        # Slugs and ids read plainly: a copied document notes its fields below, a made one
        # as ``_document`` reads them.
        keys = [_slug_and_id(post) for post in batch]
        found = [copies.get(slug) for slug, _ in keys]
        texts = queries.search_texts(
            [p for p, document in zip(batch, found, strict=True) if document is None]
        )
        made: list[tuple[str | None, bytes | memoryview]] = []
        copied = []
        for post, (slug, post_id), document in zip(batch, keys, found, strict=True):
            if document is None:
                made.append((slug, orjson.dumps(_document(post, texts[post_id]))))
            else:
                copied.append(post_id)
                made.append((slug, document))
        recording.fields(copied, DOCUMENT_FIELDS)  # what each copied document shows
        yield from made

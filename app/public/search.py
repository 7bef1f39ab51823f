"""search.json: what the in-browser search looks through (no server, no third party)."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, cast

import orjson
from flask import g

from app import recording
from app.mapped import FileSpan, file_identity
from app.models import Post
from app.public import queries, snapshot
from app.public.permalinks import url_values
from app.public.snapshot import Listed, values_in
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


def search_index() -> Iterator[bytes | FileSpan]:
    """Published posts (newest first) then pages; URLs are site paths, right under a sub-path.

    Made in chunks of ``TEXT_BATCH`` documents: at 10 000 posts the index is about 30 MB,
    which a build writes out as it goes instead of holding it (and its parts) at once. The
    response notes the posts' slugs and the length of each one's document, in order
    (``g.build_note``), so that the next build copies those that still hold from this file
    (see ``LastIndex``): a build's response gives those as spans of that file (``FileSpan``),
    which its writer copies in the kernel.
    """
    slugs: list[str] = []
    lengths: list[int] = []
    pages = [orjson.dumps(_document(p)) for p in queries.visible_pages()]
    yield _START
    first = True
    for batch in _post_parts(queries.listing()):
        slugs += batch.slugs
        lengths += batch.lengths
        yield from _joined(batch.pieces, first)
        first = False
    if pages:
        yield from _joined(pages, first)
    yield b"]}\n"
    g.build_note = orjson.dumps([slugs, lengths]).decode()


_START = b'{"items":['


def _joined(pieces: Sequence[bytes | FileSpan], first: bool) -> Iterator[bytes | FileSpan]:
    """Documents a comma apart, after one unless ``first``: made ones joined in one copy,
    copied runs as they are."""
    made: list[bytes] = []
    for piece in pieces:
        if not first:
            made.append(b",")
        first = False
        if isinstance(piece, FileSpan):
            if made:
                yield b"".join(made)
                made = []
            yield piece
        else:
            made.append(piece)
    if made:
        yield b"".join(made)


#: Documents made (and texts read from the database) at a time.
TEXT_BATCH = 500


@dataclass(frozen=True)
class LastIndex:
    """The last build's ``search.json`` (its caller made sure it is the file noted), its
    note (the posts' slugs and their documents' lengths, in order), and the slugs of the
    posts whose documents no longer hold: those whose row changed."""

    path: Path
    note: str
    changed: frozenset[str]

    def documents(self) -> Copies:
        """Where each post's document is in the file (builds never change a file in place,
        so what was noted holds while the file is open)."""
        try:
            slugs, lengths = orjson.loads(self.note)
            starts = list(accumulate([n + 1 for n in lengths], initial=len(_START)))
            if len(slugs) != len(lengths) or min(lengths, default=1) < 1:
                return Copies.none()
            file = self.path.open("rb")
        except (OSError, ValueError, TypeError):  # not a note this code wrote: make them all
            return Copies.none()
        return Copies(slugs, starts, lengths, self.changed, file, self.path)


class Copies:
    """The last file's documents: by slug, where each is in the file's order (its
    position; ``starts`` and ``lengths`` give its bytes), and the file (its path, open)."""

    def __init__(
        self,
        slugs: list[str],
        starts: list[int],
        lengths: list[int],
        changed: Collection[str] = (),
        file: BinaryIO | None = None,
        path: Path = Path(),
    ) -> None:
        self.starts, self.lengths, self.file, self.path = starts, lengths, file, path
        self._where = {slug: i for i, slug in enumerate(slugs)} if slugs else {}
        for slug in changed:
            self._where.pop(slug, None)
        self._fd, self._id, self._size = -1, (0, 0, 0, 0), 0
        if file is not None:
            stat = os.fstat(file.fileno())
            self._fd, self._id, self._size = file.fileno(), file_identity(stat), stat.st_size

    @classmethod
    def none(cls) -> Copies:
        return cls([], [], [])

    def positions(self, slugs: Sequence[str]) -> list[int]:
        """Where the document of each of ``slugs`` is in the last file's order (-1: none
        to copy)."""
        where = self._where
        return list(map(where.get, slugs, repeat(-1))) if where else [-1] * len(slugs)

    def run(self, first: int, last: int) -> FileSpan | None:
        """The documents ``first`` to ``last`` (positions, a comma apart) as a span of the
        file, if the file holds documents there (checked at the run's ends: the note was
        written with this very file)."""
        start, end = self.starts[first], self.starts[last] + self.lengths[last]
        if not 0 <= start < end <= self._size:
            return None
        fd = self._fd
        if os.pread(fd, 1, start) != b"{" or os.pread(fd, 1, end - 1) != b"}":
            return None
        return FileSpan(self.path, self._id, start, end - start)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


@dataclass
class Batch:
    """Up to ``TEXT_BATCH`` posts' documents: their slugs and lengths, in order, and the
    pieces that make them (a comma apart; a run of copied documents is one piece)."""

    slugs: list[str]
    lengths: list[int]
    pieces: list[bytes | FileSpan]


def _slugs_and_ids(posts: Sequence[Post | Listed]) -> tuple[list[str], list[int]]:
    """The posts' slugs and ids; a snapshot's read without noting them (see ``_post_parts``)."""
    if set(map(type, posts)) <= {Listed}:
        values = values_in(cast("Sequence[Listed]", posts))
        return list(map(itemgetter("slug"), values)), list(map(itemgetter("id"), values))
    return [post.slug for post in posts], [post.id for post in posts]


def _post_parts(posts: list[Post] | list[Listed]) -> Iterator[Batch]:
    """The posts' documents as JSON, in order, ``TEXT_BATCH`` posts at a time; copied from
    the last build's file where the build says they still hold (see ``LastIndex``):
    documents that follow each other there are one span of it."""
    build = snapshot.current()
    last = build.last_index if build is not None else None
    copies = last.documents() if last else Copies.none()
    try:
        for first in range(0, len(posts), TEXT_BATCH):
            yield _batch(posts[first : first + TEXT_BATCH], copies)
    finally:
        copies.close()


def _batch(batch: Sequence[Post | Listed], copies: Copies) -> Batch:
    # Slugs and ids read plainly: a copied document notes its fields (below), a made one
    # as ``_document`` reads them.
    slugs, ids = _slugs_and_ids(batch)
    runs = _runs(copies.positions(slugs))
    spans = [
        copies.run(old, old + end - start - 1) if old >= 0 else None for start, end, old in runs
    ]
    made = [
        post
        for (start, end, _), span in zip(runs, spans, strict=True)
        if span is None
        for post in batch[start:end]
    ]
    texts = queries.search_texts(made) if made else {}
    lengths: list[int] = []
    pieces: list[bytes | FileSpan] = []
    copied: list[int] = []
    for (start, end, old), span in zip(runs, spans, strict=True):
        if span is not None:
            pieces.append(span)
            lengths += copies.lengths[old : old + end - start]
            copied += ids[start:end]
            continue
        for post, post_id in zip(batch[start:end], ids[start:end], strict=True):
            document = orjson.dumps(_document(post, texts[post_id]))
            pieces.append(document)
            lengths.append(len(document))
    recording.fields(copied, DOCUMENT_FIELDS)  # what each copied document shows
    return Batch(slugs, lengths, pieces)


def _runs(positions: list[int]) -> list[tuple[int, int, int]]:
    """``(start, end, old)``: the posts ``start`` to ``end - 1`` of a batch, whose
    documents follow each other in the last file from position ``old`` on; a post whose
    document is to be made is a run of its own, with ``old`` -1."""
    runs = []
    count, start = len(positions), 0
    while start < count:
        old = positions[start]
        end = start + 1
        if old >= 0:
            while end < count and positions[end] == old + end - start:
                end += 1
        runs.append((start, end, old))
        start = end
    return runs

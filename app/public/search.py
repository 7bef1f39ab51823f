"""search.json: what the in-browser search looks through (no server, no third party)."""

from __future__ import annotations

import mmap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
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
    pages: list[Part] = [([], orjson.dumps(_document(p))) for p in queries.visible_pages()]
    batches = chain(_post_parts(queries.listing()), [pages])
    yield _START
    position, separator = len(_START), b""
    for parts in batches:
        if not parts:
            continue
        position += len(separator) - 1  # one comma fewer than parts
        for inner, data in parts:
            position += 1
            spans.extend([slug, position + start, position + end] for slug, start, end in inner)
            position += len(data)
        yield separator + b",".join(data for _inner, data in parts)
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
        """Where the unchanged posts' documents are in the file, by slug (builds never
        change a file in place, so the map holds still)."""
        if not self.unchanged:
            return Copies({})
        found: dict[str, tuple[int, int]] = {}
        try:  # mapped, not read: only the documents copied are touched, once
            with self.path.open("rb") as file:
                whole = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            for slug, start, end in orjson.loads(self.note):
                if slug in self.unchanged:
                    found[slug] = (start, end)
        except (OSError, ValueError, TypeError):  # not a note this code wrote: make them all
            return Copies({})
        return Copies(found, whole)


_OPEN, _CLOSE = b"{}"


class Copies:
    """Documents to copy by slug: where they are in the last file, and its map."""

    def __init__(self, found: dict[str, tuple[int, int]], whole: mmap.mmap | None = None):
        self.found, self.whole = found, whole
        self._view = memoryview(whole) if whole is not None else memoryview(b"")

    def holds(self, start: int, end: int) -> bool:
        """Whether ``[start:end]`` of the file begins and ends as a document does (a run of
        them is checked at its ends: the note was written with this very file)."""
        view = self._view
        return 0 <= start < end <= len(view) and view[start] == _OPEN and view[end - 1] == _CLOSE

    def get(self, slug: str) -> memoryview | None:
        """The document of ``slug``, if it is one."""
        found = self.found.get(slug)
        if found is None or not self.holds(*found):
            return None
        return self._view[found[0] : found[1]]

    def view(self, start: int, end: int) -> memoryview:
        return self._view[start:end]

    def release(self) -> None:
        """Let go of the pages read so far (see ``app.mapped``): copied documents are
        joined into the index's chunks by the time the next batch is made."""
        if self.whole is not None:
            mapped.release(self.whole)


#: A piece of the index: the documents it holds (slug, start, end within it), and its bytes.
Part = tuple[list[tuple[str, int, int]], bytes | memoryview]


def _slug_and_id(post: Post | Listed) -> tuple[str, int]:
    if isinstance(post, Listed):  # not noted (see ``_post_parts``)
        values = object.__getattribute__(post, "__dict__")
        return values["slug"], values["id"]
    return post.slug, post.id


#: Posts of the index in order, each with its slug, id and where its document was in the last
#: file (-1, -1: to be made).
Run = list[tuple[Post | Listed, str, int, int, int]]


def _post_parts(posts: list[Post] | list[Listed]) -> Iterator[list[Part]]:
    """The posts' documents as JSON, in order, a batch of ``TEXT_BATCH`` posts at a time;
    copied from the last build's file where the build says they still hold (see
    ``LastIndex``): documents that follow each other there are copied as one part."""
    build = snapshot.current()
    last = build.last_index if build is not None else None
    copies = last.documents() if last else Copies({})
    for first in range(0, len(posts), TEXT_BATCH):
        copies.release()  # the last batch is in a chunk of the index by now
        runs = _runs(posts[first : first + TEXT_BATCH], copies)
        copy = [run[0][3] >= 0 and copies.holds(run[0][3], run[-1][4]) for run in runs]
        texts = queries.search_texts(
            [item[0] for run, ok in zip(runs, copy, strict=True) if not ok for item in run]
        )
        parts: list[Part] = []
        copied: list[int] = []
        for run, ok in zip(runs, copy, strict=True):
            if ok:
                base = run[0][3]
                inner = [(slug, start - base, end - base) for _p, slug, _i, start, end in run]
                parts.append((inner, copies.view(base, run[-1][4])))
                copied.extend(post_id for _p, _s, post_id, _start, _end in run)
                continue
            for post, slug, post_id, _start, _end in run:
                document = orjson.dumps(_document(post, texts[post_id]))
                parts.append(([(slug, 0, len(document))], document))
        recording.fields(copied, DOCUMENT_FIELDS)  # what each copied document shows
        yield parts


def _runs(batch: Sequence[Post | Listed], copies: Copies) -> list[Run]:
    """``batch`` cut into runs of posts whose documents follow each other in the last file
    (a comma apart), and posts whose documents are to be made, one run each."""
    runs: list[Run] = []
    last_end = -2
    for post in batch:
        # Slugs and ids read plainly: a copied document notes its fields (``_post_parts``),
        # a made one as ``_document`` reads them.
        slug, post_id = _slug_and_id(post)
        start, end = copies.found.get(slug, (-1, -1))
        if start >= 0 and start == last_end + 1:
            runs[-1].append((post, slug, post_id, start, end))
        else:
            runs.append([(post, slug, post_id, start, end)])
        last_end = end if start >= 0 else -2
    return runs

"""Every post's row of a build (``deps.Reads.rows``) as the build cache keeps it: a digest
of each, so that the next build finds the posts that changed without reading them all."""

from __future__ import annotations

import hashlib
import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.build.cachefile import CacheFile


def row_digest(row: str) -> bytes:
    return hashlib.blake2b(row.encode(), digest_size=16).digest()


class PostRows:
    """Every post's row of a build (``deps.Reads.rows``), by id: a digest of each, and the
    rows themselves as far as they are known (the rest are read from the cache file, only
    for the posts whose digest differs: an edit reads one)."""

    def __init__(
        self,
        digests: dict[int, bytes],
        rows: dict[int, str] | None = None,
        cache: CacheFile | None = None,
    ) -> None:
        self.digests = digests
        self.rows = rows if rows is not None else {}
        self.cache = cache

    @classmethod
    def of(cls, rows: dict[int, str]) -> PostRows:
        return cls({post_id: row_digest(row) for post_id, row in rows.items()}, rows)

    def get(self, post_id: int) -> str | None:
        found = self.rows.get(post_id)
        if found is None and self.cache is not None and post_id in self.digests:
            rows = self.cache.select("SELECT row FROM posts WHERE id IN ({})", [post_id])
            found = rows[0][0] if rows else None
        return found


def save_rows(db: sqlite3.Connection, rows: PostRows) -> None:
    """The posts' rows whose digest differs from the file's; none for posts gone."""
    present = dict(db.execute("SELECT id, digest FROM posts").fetchall())
    db.executemany(
        "DELETE FROM posts WHERE id = ?",
        [(post_id,) for post_id in present.keys() - rows.digests.keys()],
    )
    differ = [
        (post_id, found, rows.get(post_id))
        for post_id, found in rows.digests.items()
        if present.get(post_id) != found
    ]
    db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?)", differ)

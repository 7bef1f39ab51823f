"""The database's mark: what a build reads of a SQLite database, as a digest cheaper than
reading it (``database_mark``), for the command line's stamps (``stamps``).

The database is not stamped by its files, because a build writes it and so may anyone else
(the authoring app, a script, ``sqlite3``); its mark is taken from what it holds instead.
Standard library only, like ``stamps``: ``freeze.py`` takes a mark before the app loads.
"""

from __future__ import annotations

import hashlib
from array import array
from itertools import chain
from pathlib import Path

from app.build.triggers import TRIGGERS


def sqlite_file(uri: str) -> Path | None:
    """The database file of a SQLite URL; None for any other database, or one in memory."""
    head, _, path = uri.partition(":///")
    if head not in ("sqlite", "sqlite+pysqlite") or not path or "?" in path:
        return None
    if path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path).resolve()


#: Tables the database mark reads through each post's revision, not whole.
_REVISED = frozenset({"post", "post_tags", "post_revision"})


def database_mark(path: Path) -> bytes | None:
    """What a build reads of the SQLite database at ``path``, as a digest cheaper than
    reading it: its schema and every table whole, but the posts and their tags, for which
    each post's revision stands (drawn anew by the database's triggers on every write to the
    post, to which tags it has or to those tags: ``triggers``). The same mark, the same
    data, whoever wrote in between. None when it cannot vouch: no such database, a trigger
    missing, a post without a revision."""
    import sqlite3

    if not path.is_file():
        return None  # connecting would make one
    digest = hashlib.blake2b(digest_size=16)
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        connection.execute("BEGIN")  # one snapshot for every read
        schema = connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        names = {name for kind, name, _table, _sql in schema if kind == "trigger"}
        if not names.issuperset(TRIGGERS["sqlite"]):
            return None
        digest.update(repr(schema).encode())
        for kind, name, _table, _sql in schema:
            if kind == "table" and name not in _REVISED:
                rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()
                digest.update(repr((name, rows)).encode())
        unstamped = connection.execute(
            "SELECT count(*) FROM post LEFT JOIN post_revision"
            " ON post_revision.post_id = post.id WHERE post_revision.post_id IS NULL"
        ).fetchone()[0]
        if unstamped:
            return None
        query = "SELECT post_id, revision FROM post_revision ORDER BY post_id"
        revisions = array("q", chain.from_iterable(connection.execute(query)))
        digest.update(revisions.tobytes())
        return digest.digest()
    except sqlite3.Error:
        return None
    finally:
        connection.close()

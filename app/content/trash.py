"""Deleted posts kept for an undo: their files move to ``content/.deleted/`` (a hidden folder
the content sync never reads) and come back from there.

Micropub's ``delete`` and ``undelete`` use this; the row goes and comes back with the file
(``service.delete_post``, then the content sync of that one file).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from app.content import history
from app.content.errors import ContentError
from app.content.files import atomic_write
from app.content.service import delete_post
from app.content.sync import source_path_for, sync_content
from app.models import Post, User
from app.permissions import require

#: Below the content folder; hidden, so neither the sync nor a build ever lists it.
TRASH_DIR = ".deleted"


def _content_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"])


def trash_path(source_path: str) -> Path:
    """Where a deleted file of ``source_path`` (``posts/a.md``) is kept."""
    return _content_dir() / TRASH_DIR / source_path


def trash_post(post: Post, actor: User | None = None) -> None:
    """Delete a post's file and row, keeping a copy of the file for ``restore``; ``actor``'s
    role must allow it (``service.delete_post``)."""
    kept = trash_path(post.source_path)
    data = (_content_dir() / post.source_path).read_bytes()
    atomic_write(kept, data)
    try:
        delete_post(post, actor=actor)
    except BaseException:
        kept.unlink(missing_ok=True)
        raise


def is_trashed(kind: str, slug: str) -> bool:
    return trash_path(source_path_for(kind, slug)).is_file()


def restore(kind: str, slug: str, actor: User | None = None) -> str:
    """Put a deleted post's file back and import it; its source path. A post that took its
    place since is a conflict, and the kept file stays where it is. In a git work tree the
    file's return is a commit by ``actor``, whose role must allow publishing: the post comes
    back as it was, out or scheduled."""
    if actor is not None:
        require(actor, "publish")
    rel = source_path_for(kind, slug)
    kept, target = trash_path(rel), _content_dir() / rel
    if not kept.is_file():
        raise ContentError(f"content/{rel}", "there is no deleted post to restore here")
    if target.exists():
        raise ContentError(
            f"content/{rel}",
            "another post has this address now",
            hint="delete or rename that post first",
        )
    with history.recorded([target], f"Undelete {kind} '{slug}'", actor):
        os.replace(kept, target)
        try:
            sync_content(_content_dir(), current_app.config["MAX_CONTENT_FILE_BYTES"], only=[rel])
        except BaseException:
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, kept)
            raise
    return rel

"""A save killed between writing the file and committing the row loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from app.content import parse_document
from app.extensions import db
from app.models import Post
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

# Runs in a child process: save through the real service, but die (SIGKILL, no cleanup, no
# rollback) at the moment the database commit would happen: after the file was replaced.
SAVE_AND_DIE = textwrap.dedent(
    """
    import os, signal, sqlalchemy as sa
    from app import create_app
    from app.content import Document
    from app.content.service import save_post
    from app.extensions import db
    from app.models import Post
    from config import TestingConfig

    app = create_app(TestingConfig, {
        "SQLALCHEMY_DATABASE_URI": os.environ["DB"], "CONTENT_DIR": os.environ["CONTENT"]})
    with app.app_context():
        post = db.session.scalar(sa.select(Post).where(Post.slug == "hello-world"))
        doc = Document(title="Rewritten", slug="hello-world", body="New body.\\n",
                       date=post.published_at, tags=["meta"])
        db.session.commit = lambda: os.kill(os.getpid(), signal.SIGKILL)
        save_post(doc, post)
    """
)


def test_killed_save_leaves_a_whole_file_and_sync_reconciles(
    synced, runner, content_dir, database_url
):
    path = content_dir / "posts" / "hello-world.md"
    old_text = path.read_text()
    db.session.remove()  # the child must see the committed state, and we release SQLite locks

    child = subprocess.run(
        [sys.executable, "-c", SAVE_AND_DIE],
        cwd=ROOT,
        env={**os.environ, "DB": database_url, "CONTENT": str(content_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr

    text = path.read_text()
    assert text != old_text  # the process died after the atomic replace, before the commit
    doc = parse_document(text, "content/posts/hello-world.md")  # whole, not torn
    assert (doc.title, doc.body) == ("Rewritten", "New body.\n")
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]

    # the database never saw the commit; a sync brings it in line with the file and says so
    assert db.session.scalar(sa.select(Post.title).where(Post.slug == "hello-world")) == (
        "Hello, world"
    )
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert "updated: posts/hello-world.md" in result.output
    db.session.expire_all()
    row = db.session.scalar(sa.select(Post).where(Post.slug == "hello-world"))
    assert row.title == doc.title
    assert runner.invoke(args=["content", "sync"]).output.startswith(
        "Synced content: 0 added, 0 updated"
    )

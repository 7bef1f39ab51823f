"""A large import commits without checkpointing SQLite's log; the build checkpoints it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.content import sync_content
from app.content.scan import StatCache
from app.extensions import db
from app.wal import AUTOCHECKPOINT_PAGES, BackgroundCheckpoint
from bench.corpus import generate

N = 40


@pytest.fixture
def sqlite_file(app) -> Path:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write-ahead log")
    return Path(db.engine.url.database)


def _posts_in_the_file(path: Path) -> int:
    """Posts in the database file itself, without its log: what a checkpoint copied."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE name = 'post'")
        if tables.fetchone() is None:  # even the migrations are only in the log
            return 0
        return connection.execute("SELECT count(*) FROM post").fetchone()[0]


def _log_frames(path: Path) -> int:
    """Frames in the log file (each a page and a 24-byte header, after a 32-byte header)."""
    wal = path.with_name(path.name + "-wal")
    size = wal.stat().st_size if wal.exists() else 0
    with sqlite3.connect(path) as connection:
        page = connection.execute("PRAGMA page_size").fetchone()[0]
    return max(0, size - 32) // (page + 24)


def _sync(corpus: Path):
    return sync_content(corpus, 2 * 1024 * 1024, stat_cache=StatCache())


def test_a_large_import_commits_without_a_checkpoint_and_a_small_one_as_usual(
    app, sqlite_file, tmp_path, monkeypatch
):
    corpus = generate(tmp_path / "corpus", N, seed=5)
    monkeypatch.setattr("app.content.sync.IMPORT_BATCH", N // 2)  # N files: a large import
    report = _sync(corpus)
    assert report.checkpoint_due
    assert len(report.added) == N
    assert _log_frames(sqlite_file) > AUTOCHECKPOINT_PAGES // 100  # the import is in the log
    assert _posts_in_the_file(sqlite_file) == 0  # and only there
    # The import's connection checkpoints by itself again (three at once: every pooled one).
    db.session.remove()
    connections = [db.engine.connect() for _ in range(3)]
    settings = {c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() for c in connections}
    for connection in connections:
        connection.close()
    assert settings == {AUTOCHECKPOINT_PAGES}

    checkpoint = BackgroundCheckpoint(db.engine).start()
    checkpoint.join()
    assert checkpoint.error is None
    assert _posts_in_the_file(sqlite_file) == N

    (corpus / "posts" / "post-00001.md").unlink()
    assert not _sync(corpus).checkpoint_due  # one row: an ordinary commit


def test_a_build_after_a_large_import_leaves_the_log_checkpointed(tmp_path, site_dir, monkeypatch):
    """As ``freeze.py`` builds: a public app, no app context around the build, forked
    renderers beside the checkpoint."""
    from app import create_app
    from app.build import build_site
    from config import TestingConfig

    corpus = generate(tmp_path / "corpus", N, seed=6)
    database = tmp_path / "site.db"
    app = create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "CONTENT_DIR": corpus,
            "SITE_DIR": site_dir,
            "BUILD_DIR": tmp_path / "build",
            "BUILD_WORKERS": 2,
            "BUILD_PARALLEL_MIN_PAGES": 1,
        },
        authoring=False,
    )
    monkeypatch.setattr("app.content.sync.IMPORT_BATCH", N // 2)
    monkeypatch.setattr("app.content.parallel.can_fork", lambda: True)
    monkeypatch.setattr("app.build.render.can_fork", lambda: True)
    result = build_site(app)
    assert result.sync.checkpoint_due
    assert result.workers == 2
    assert result.pages > N
    assert _posts_in_the_file(database) == N  # checkpointed while the pages rendered
    assert (tmp_path / "build" / "posts" / "post-00001" / "index.html").is_file()
    with app.app_context():
        posts = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("post")))
        db.engine.dispose()
    assert posts == N

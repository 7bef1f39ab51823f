"""The ``highlight-memo`` trick: a sync reads back the code blocks an earlier sync
highlighted (by their code, fence and renderer), from its own process or its workers, and
a damaged memo costs only a highlight. That the bytes are the same as the plain path's is
``test_tricks``' (an edit of a post with a code block, the trick on and off)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.content import highlightmemo, sync_content
from app.content.codeblocks import Fence, highlight_code
from app.content.highlightmemo import HighlightMemo
from app.content.scan import StatCache
from app.extensions import db
from app.models import Post
from bench.corpus import generate

SEQUENTIAL = {"parallel_threshold": 10**9}
PARALLEL = {"parallel_threshold": 0, "workers": 2}


@pytest.fixture(autouse=True)
def _fork_even_beside_idle_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in test_sync_parallel: other tests leave an idle server thread in this process."""
    monkeypatch.setattr("app.content.parallel.can_fork", lambda: True)


def _sync(corpus: Path, memo: HighlightMemo, **options: object) -> None:
    with highlightmemo.active(memo):
        sync_content(corpus, 2 * 1024 * 1024, stat_cache=StatCache(), **options)  # type: ignore[arg-type]


def _stored(path: Path) -> dict[bytes, str]:
    with sqlite3.connect(path) as found:
        return dict(found.execute("SELECT key, html FROM blocks").fetchall())


@pytest.mark.parametrize("options", [SEQUENTIAL, PARALLEL], ids=["here", "workers"])
def test_a_sync_reads_back_the_blocks_an_earlier_one_highlighted(
    app, tmp_path: Path, options: dict[str, object]
):
    corpus = generate(tmp_path / "corpus", 12, seed=5)  # a Python block in every post
    path = tmp_path / "memo.sqlite"
    with app.app_context():
        _sync(corpus, HighlightMemo(path, "renderer-1"), **options)
        stored = _stored(path)
        assert len(stored) == 12  # each post's block, from here or from the workers
        # Read back, not highlighted again: a block marked in the file shows the mark.
        post = sorted((corpus / "posts").glob("*.md"))[3]
        memo = HighlightMemo(path, "renderer-1")
        with sqlite3.connect(path) as found:
            found.execute("UPDATE blocks SET html = html || '<!-- from the memo -->'")
        post.write_text(post.read_text() + "\nOne more sentence.\n")
        _sync(corpus, memo, **options)
        html = db.session.scalar(sa.select(Post.body_html).where(Post.slug == post.stem))
        assert html is not None
        assert "<!-- from the memo -->" in html
        assert "One more sentence." in html


def test_another_renderer_or_fence_is_another_block(tmp_path: Path):
    path = tmp_path / "memo.sqlite"
    code = "print('hi')\n"
    with highlightmemo.active(HighlightMemo(path, "renderer-1")):
        plain = highlight_code(code, Fence("python"))
    assert len(_stored(path)) == 1
    for salt, fence in [("renderer-2", Fence("python")), ("renderer-1", Fence("python", (), (1,)))]:
        memo = HighlightMemo(path, salt)
        assert memo.get(memo.key(code, fence)) is None
    memo = HighlightMemo(path, "renderer-1")
    assert memo.get(memo.key(code, Fence("python"))) == plain
    assert highlight_code(code, Fence("python")) == plain  # no sync, no memo: the same


def test_a_damaged_memo_is_started_afresh(app, tmp_path: Path):
    corpus = generate(tmp_path / "corpus", 3, seed=6)
    path = tmp_path / "memo.sqlite"
    path.write_bytes(b"not a database" * 100)
    with app.app_context():
        _sync(corpus, HighlightMemo(path, "r"), **SEQUENTIAL)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 3
    assert len(_stored(path)) == 3  # written anew

"""Sync at scale: the worker-process path gives the same rows, errors and all-or-nothing
as the in-process one; unchanged files are neither re-rendered nor (with the stat cache) re-read.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.content import ContentErrors, sync_content
from app.content.scan import StatCache
from app.extensions import db
from app.models import Post, Tag
from bench.corpus import generate

#: More than the parallel threshold, with the default one forced on or off in each test.
N = 60
SEQUENTIAL = {"parallel_threshold": 10**9}
PARALLEL = {"parallel_threshold": 0, "workers": 2}


@pytest.fixture(autouse=True)
def _fork_even_beside_idle_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests leave a server thread in this process (idle, never used by a child): a
    sync would then render in-process, and the parallel path would go untested."""
    monkeypatch.setattr("app.content.parallel.can_fork", lambda: True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """N generated posts plus documents exercising tags, pages, footnotes and extra keys."""
    root = generate(tmp_path / "corpus", N, seed=3)
    _write(
        root / "posts" / "case-a.md",
        "---\ntitle: Case A\ndate: 2026-01-01\ntags: [Python, Brand New]\nmood: calm\n---\n\n"
        "## Part one\n\nText[^1] with a table:\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: A note.\n",
    )
    _write(
        root / "posts" / "case-b.md",
        "---\ntitle: Case B\ndate: 2026-01-02 10:30\ntags: python, brand new, C++\n"
        "summary: Written by hand.\nauthor: Ada\n---\n\n~~~js\nlet a = 1 < 2;\n~~~\n",
    )
    _write(root / "pages" / "colophon.md", "---\ntitle: Colophon\n---\n\nMade by hand.\n")
    return root


def sync(corpus: Path, **options):
    return sync_content(corpus, 2 * 1024 * 1024, stat_cache=StatCache(), **options)


def snapshot() -> dict[str, dict]:
    """Every post's columns (ids aside) and tag names, by source path, plus all tags."""
    db.session.expire_all()
    columns = [c.key for c in Post.__table__.columns if c.key not in ("id", "author_id")]
    rows = {
        post.source_path: {
            **{key: getattr(post, key) for key in columns},
            "tags": [(t.name, t.slug) for t in post.tags],
        }
        for post in db.session.scalars(sa.select(Post))
    }
    rows["<tags>"] = {t.slug: t.name for t in db.session.scalars(sa.select(Tag))}
    return rows


def edit_every_post(corpus: Path) -> None:
    """Change every post's body and retag it: a bulk update, not only inserts."""
    for path in sorted((corpus / "posts").iterdir()):
        text = path.read_text(encoding="utf-8")
        text = text.replace("tags: [", "tags: [edited, ", 1) + "\nOne more *edited* line.\n"
        path.write_text(text, encoding="utf-8")


def import_and_update(corpus: Path, tmp: Path, **options) -> dict[str, dict]:
    """Import a fresh copy of the corpus, then an edited version of it; the resulting rows."""
    work = Path(shutil.copytree(corpus, tmp))
    first = sync(work, **options)
    assert len(first.added) == N + 3
    assert first.rendered == N + 3
    edit_every_post(work)
    (work / "posts" / "post-00000.md").unlink()
    second = sync(work, **options)
    assert len(second.updated) == N + 1
    assert second.removed == ["posts/post-00000.md"]
    assert second.rendered == N + 1
    rows = snapshot()
    shutil.rmtree(work / "posts")
    shutil.rmtree(work / "pages")
    assert len(sync(work, **options).removed) == N + 2  # empty the DB for the other path
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tag)) == 0
    return rows


def test_parallel_and_sequential_sync_write_the_same_rows(app, corpus, tmp_path):
    sequential = import_and_update(corpus, tmp_path / "seq", **SEQUENTIAL)
    parallel = import_and_update(corpus, tmp_path / "par", **PARALLEL)
    assert parallel == sequential
    case_b = parallel["posts/case-b.md"]
    assert case_b["summary"] == "Written by hand."
    assert '<span class="kd">let</span>' in case_b["body_html"]
    # Tags are one per slug, named as the first file (in name order) spelled them.
    assert sorted(case_b["tags"]) == [
        ("Brand New", "brand-new"),
        ("C++", "c-plus-plus"),
        ("Python", "python"),
    ]
    assert ("edited", "edited") in parallel["posts/post-00001.md"]["tags"]
    assert "<sup" in parallel["posts/case-a.md"]["body_html"]
    assert parallel["posts/case-a.md"]["extra"] == {"mood": "calm"}
    assert parallel["pages/colophon.md"]["kind"] == "page"


def test_bad_files_in_the_parallel_path_are_named_and_change_nothing(app, corpus):
    sync(corpus, **PARALLEL)
    before = snapshot()
    edit_every_post(corpus)
    bad = corpus / "posts" / "post-00007.md"
    bad.write_text("---\ntitle: Broken\ndate: 2026-01-01\ntags: [oops\n---\nBody\n")
    _write(corpus / "posts" / "copy.md", "---\ntitle: Copy\nslug: case-a\ndate: 2026-03-01\n---\n")
    with pytest.raises(ContentErrors) as info:
        sync(corpus, **PARALLEL)
    messages = [str(e) for e in info.value.errors]
    assert len(messages) == 2
    assert messages[0].startswith(
        "content/posts/copy.md: duplicate slug 'case-a', already used by content/posts/case-a.md"
    )
    assert messages[1].startswith("content/posts/post-00007.md:4: malformed front matter")
    db.session.rollback()
    assert snapshot() == before


def test_an_unchanged_corpus_is_not_parsed_or_rendered_again(app, corpus):
    sync(corpus, **PARALLEL)
    before = snapshot()
    report = sync(corpus, **PARALLEL)
    assert (report.added, report.updated, report.removed) == ([], [], [])
    assert report.unchanged == N + 3
    assert report.rendered == 0
    assert report.read == N + 3  # a fresh stat cache: every file is hashed
    assert snapshot() == before


def test_the_stat_cache_skips_reading_settled_files(app, corpus):
    cache = StatCache(settle_seconds=-60)  # count every file as settled, however recent
    assert sync_content(corpus, 2 * 1024 * 1024, stat_cache=cache).read == N + 3
    again = sync_content(corpus, 2 * 1024 * 1024, stat_cache=cache)
    assert (again.read, again.unchanged, again.rendered) == (0, N + 3, 0)
    path = corpus / "posts" / "post-00003.md"
    path.write_text(path.read_text() + "\nAppended.\n")
    changed = sync_content(corpus, 2 * 1024 * 1024, stat_cache=cache)
    assert (changed.read, changed.updated, changed.rendered) == (1, ["posts/post-00003.md"], 1)


def test_a_same_size_edit_with_the_old_mtime_is_still_seen(app, corpus):
    cache = StatCache()
    sync_content(corpus, 2 * 1024 * 1024, stat_cache=cache)
    assert len(cache) == 0  # files written just now are not trusted to their stat
    path = corpus / "posts" / "post-00004.md"
    before = path.stat()
    text = path.read_text()
    path.write_text(text.replace("Post number 4", "Post NUMBER 4"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    report = sync_content(corpus, 2 * 1024 * 1024, stat_cache=cache)
    assert report.updated == ["posts/post-00004.md"]
    assert db.session.scalar(sa.select(Post.title).where(Post.slug == "post-00004")) == (
        "Post NUMBER 4"
    )


def test_rows_inserted_in_bulk_are_what_apply_document_makes(app, corpus):
    from app.content.document import parse_document
    from app.content.files import content_hash
    from app.content.store import apply_document

    sync(corpus, **SEQUENTIAL)
    for rel in ("posts/case-a.md", "posts/case-b.md", "pages/colophon.md"):
        data = (corpus / rel).read_bytes()
        doc = parse_document(data.decode(), f"content/{rel}", rel.split("/")[0].rstrip("s"))
        stored = db.session.scalar(sa.select(Post).where(Post.source_path == rel))
        columns = [c.key for c in Post.__table__.columns if c.key not in ("id", "author_id")]
        with db.session.no_autoflush:  # the fresh row is never added
            fresh = apply_document(Post(), doc, rel, content_hash(data))
            assert {k: getattr(fresh, k) for k in columns} == {
                k: getattr(stored, k) for k in columns
            }
            assert sorted(fresh.tags, key=lambda t: t.name) == stored.tags
        db.session.rollback()


def test_workers_render_while_the_rest_is_parsed_and_stop_when_closed(corpus):
    import multiprocessing

    from app.content import parallel
    from app.content.render import render_markdown

    paths = sorted((corpus / "posts").glob("post-*.md"))
    tasks = [parallel.Task(p.name, "post", p.read_text()) for p in paths]
    tasks.insert(5, parallel.Task("bad.md", "post", "---\ntitle: [\n---\nx\n"))
    started_before_the_last: list[bool] = []

    def taken() -> Iterator[parallel.Task]:  # as a sync reads each file when it is taken
        for i, task in enumerate(tasks):
            if i == len(tasks) - 1:
                started_before_the_last.append(bool(multiprocessing.active_children()))
            yield task

    results, rendered = parallel.prepare_and_render(taken(), len(tasks), threshold=0, workers=2)
    assert started_before_the_last == [True]  # the workers had bodies before all were read
    assert len(results) == len(tasks)  # every task is parsed before it returns
    assert isinstance(results[5], parallel.ContentError)
    assert multiprocessing.active_children()  # the workers took the first bodies already
    first = next(rendered)
    assert first == render_markdown(results[0].doc.body)
    rendered.close()  # an error found in the parse results: the rest is cancelled
    assert not multiprocessing.active_children()

    results, rendered = parallel.prepare_and_render(tasks[:3], 3, threshold=0, workers=2)
    bodies = [r.doc.body for r in results]
    assert list(rendered) == [render_markdown(body) for body in bodies]  # in order
    assert not multiprocessing.active_children()


def test_the_workers_render_no_further_ahead_of_the_writer_than_allowed():
    """A writer that falls behind (a busy machine) holds at most ``most`` rendered bodies:
    the rest wait to be sent, and every render still comes, in order."""
    from app.content import parallel
    from app.content.render import render_markdown
    from app.workers import fork_pool

    bodies = [f"Body *{i}*.\n\n```python\nx = {i}\n```\n" for i in range(60)]
    pool = fork_pool(2)
    try:
        ahead = parallel._Ahead(pool, size=4, most=10)
        for body in bodies:
            ahead.add(body)
        ahead.flush()
        assert ahead.ahead <= 10  # nothing taken yet: two chunks sent, the rest waiting
        assert sum(len(chunk) for chunk in ahead.waiting) == len(bodies) - ahead.ahead
        renders = []
        for rendered, _blocks in ahead.results():
            renders.append(rendered)
            assert ahead.ahead <= 10
    finally:
        pool.shutdown()
    assert renders == [render_markdown(body) for body in bodies]

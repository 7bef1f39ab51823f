"""Render pages through the app and write them: in this process, or on every core.

Frozen-Flask fetches one URL after the other; a cold build of a large site has thousands of
independent pages, so they are split into chunks rendered by forked workers (each with its own
database connections) that write straight into the staging folder and send back what they
wrote and each page's references for the link check.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, g
from jinja2 import TemplateError

from app.build.deps import Reads
from app.build.errors import BuildError
from app.build.incremental import link_into, store_if_changed, write_chunks_if_changed
from app.build.links import page_links
from app.build.manifest import pack_links
from app.build.requests import request_context
from app.content.parallel import available_cores, can_fork
from app.extensions import db
from app.interrupts import checkpoint
from app.recording import recording
from app.workers import fork_pool

_TEMPLATE_SUFFIXES = {".html", ".xml", ".txt", ".j2", ".jinja"}
#: Most pages per task sent to a worker: enough to amortize the round trip.
CHUNK = 64


@dataclass(frozen=True)
class Job:
    """One page to render: its URL (below the site root) and its file in the build."""

    url: str
    rel: str


@dataclass
class Result:
    url: str
    rel: str
    written: bool = False
    #: The page's references, packed for the build cache (see ``manifest.pack_links``).
    links: str | None = None
    #: What the view noted for the next build (``g.build_note``, see ``FileRecord.note``).
    note: str | None = None
    error: str | None = None
    #: The file's (inode, size, mtime) as written, if the renderer knows it.
    identity: tuple[int, int, int] | None = None
    #: What the page read (``Reads.pack_page``: its templates, files and settings, and the
    #: rest; None: render it again next time).
    part: str | None = None
    deps: str | None = None
    #: The fields the read model read of any post while answering this page.
    model: tuple[str, ...] = ()


def _template_line(exc: BaseException) -> str | None:
    """'templates/post.html:12' for the innermost template frame of ``exc``'s traceback."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.suffix in _TEMPLATE_SUFFIXES:
            parts = path.parts
            start = len(parts) - 1 - parts[::-1].index("templates") if "templates" in parts else -1
            return f"{'/'.join(parts[start:])}:{frame.lineno}"
    return None


def describe(exc: BaseException) -> str:
    """A one-line cause, naming the template and line for template errors."""
    if isinstance(exc, TemplateError):
        name = getattr(exc, "filename", None) or getattr(exc, "name", None)
        line = getattr(exc, "lineno", None)
        where = f"{name}:{line}" if name and line else _template_line(exc) or name or "a template"
        return f"{where}: {exc.message or type(exc).__name__}"
    if isinstance(exc, BuildError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def render_one(
    app: Flask, reads: Reads, root: Path, job: Job, mirror: Path | None = None
) -> Result:
    """Fetch one URL from the app and write its bytes unless the file already holds them;
    the result holds what the page read (see ``app.recording``).

    With ``mirror``, the file is also hard-linked there (a first build's spare).
    """
    with recording() as recorder:
        result = _render(app, root, job)
    split = reads.pack_page(recorder)
    if split is not None:
        result.part, result.deps = split
    result.model = tuple(sorted(recorder.model))
    if mirror is not None:
        link_into(root, mirror, job.rel)
    return result


def _render(app: Flask, root: Path, job: Job) -> Result:
    # What Frozen-Flask's test client does, minus the WSGI round trip and the cookie jar.
    with request_context(app, job.url):
        response = app.full_dispatch_request()
        try:
            if response.status_code != 200:
                raise ValueError(f"unexpected status {response.status!r}")
            response.direct_passthrough = False  # files (static, media) are read here
            html = job.rel.endswith(".html")
            if response.is_streamed and not html:  # search.json, files: never held whole
                written = write_chunks_if_changed(root, job.rel, response.iter_encoded())
                return Result(job.url, job.rel, written, note=g.pop("build_note", None))
            data = response.get_data()
        finally:
            response.close()
    written, stat = store_if_changed(root, job.rel, data)
    identity = stat.st_ino, stat.st_size, stat.st_mtime_ns
    result = Result(job.url, job.rel, written, identity=identity)
    if html:
        result.links = pack_links(page_links(job.rel, data, app.config["SITE_URL"]))
    return result


_worker_app: tuple[Flask, Reads, Path, Path | None] | None = None


def _start_worker() -> None:
    """A forked worker must not share the parent's database connections."""
    assert _worker_app is not None
    with _worker_app[0].app_context():
        if db.engine.url.database not in (None, "", ":memory:"):
            db.engine.dispose(close=False)


def _render_chunk(jobs: Sequence[Job]) -> list[Result]:
    assert _worker_app is not None
    app, reads, root, mirror = _worker_app
    results = []
    for job in jobs:
        try:
            results.append(render_one(app, reads, root, job, mirror))
        except Exception as exc:  # sent back as text: the parent stops the build
            results.append(Result(job.url, job.rel, error=describe(exc)))
            break
    return results


def worker_count(app: Flask, pages: int) -> int:
    """How many processes to render ``pages`` pages with (1: in this process)."""
    wanted = app.config.get("BUILD_WORKERS") or available_cores()
    if pages < app.config["BUILD_PARALLEL_MIN_PAGES"] or wanted < 2:
        return 1
    if not can_fork():
        return 1
    return min(wanted, pages)


def _render_here(
    app: Flask, reads: Reads, root: Path, jobs: Iterable[Job], mirror: Path | None
) -> Iterator[Result]:
    for job in jobs:
        try:
            yield render_one(app, reads, root, job, mirror)
        except Exception as exc:
            raise BuildError(f"could not build {job.url}: {describe(exc)}") from exc


def render_pages(
    app: Flask,
    reads: Reads,
    root: Path,
    jobs: Sequence[Job],
    workers: int = 1,
    mirror: Path | None = None,
) -> Iterator[Result]:
    """Render ``jobs`` into ``root`` with ``workers`` processes, yielding each result.

    A page that fails raises BuildError naming its URL and the cause. With ``mirror``,
    each file is also linked there (the cores that write the pages make the copy too).
    """
    if workers == 1:
        yield from _render_here(app, reads, root, jobs, mirror)
        return
    global _worker_app
    _worker_app = (app, reads, root, mirror)
    size = max(1, min(CHUNK, len(jobs) // (workers * 4)))  # several chunks each, to balance
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    pool = fork_pool(workers, _start_worker)
    try:
        for results in pool.map(_render_chunk, chunks):
            checkpoint()  # a Ctrl+C that waited while the pool was at work stops here
            for result in results:
                if result.error:
                    raise BuildError(f"could not build {result.url}: {result.error}")
                yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _worker_app = None

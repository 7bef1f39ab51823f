"""Parse and render many documents, on every core when there are enough to pay for it."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from app.content import highlightmemo
from app.content.document import Document, parse_document
from app.content.errors import ContentError
from app.content.render import Rendered, render_markdown
from app.interrupts import checkpoint
from app.localtime import zone_named
from app.workers import fork_pool

#: Below this many documents, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 50
#: Bodies the workers may render ahead of what the sync has written, at most (``_Ahead``).
AHEAD = 16384


@dataclass(frozen=True)
class Task:
    """One file to parse: everything a worker process needs, picklable."""

    rel: str
    kind: str
    text: str
    #: The site's time zone: a date without an offset is local time there.
    zone: str = "UTC"


@dataclass(frozen=True)
class Prepared:
    """A parsed document and, once it has been rendered, its rendered body."""

    doc: Document
    rendered: Rendered | None = None


def prepare(task: Task) -> Prepared | ContentError:
    """Parse one file; a bad file gives its error (as a value, to cross processes)."""
    try:
        doc = parse_document(task.text, f"content/{task.rel}", task.kind, zone_named(task.zone))
        return Prepared(doc)
    except ContentError as exc:
        return exc


def available_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Forking a process that runs other threads (watch, serve, the admin's builds) is unsafe."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def release_freed_memory() -> None:
    """Give the C allocator's free pages back to the system (with glibc; elsewhere a no-op).

    A large import frees its documents, but the allocator keeps their pages: every process
    forked afterwards (a build's page renderers) would count them again.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def _fork_pool(workers: int) -> ProcessPoolExecutor:
    with highlightmemo.active(None):  # build Markdown and the lexer once, then fork
        render_markdown("```python\npass\n```\n")
    return fork_pool(workers)


def _render_noting(body: str) -> tuple[Rendered, dict[bytes, str]]:
    """A worker's render, with the code blocks it highlighted for the sync's memo."""
    rendered = render_markdown(body)
    memo = highlightmemo.current()
    return rendered, memo.drain() if memo is not None else {}


def _render_chunk(bodies: list[str]) -> list[tuple[Rendered, dict[bytes, str]]]:
    return [_render_noting(body) for body in bodies]


class _Ahead:
    """Bodies sent to the workers in chunks of ``size``, their renders taken in order, and
    never more than ``most`` bodies sent that were not taken yet: the rest wait here.

    ``ProcessPoolExecutor.map`` sends every chunk at once and keeps each render until it is
    taken: a sync importing 100 000 files on a busy machine, whose writer fell behind its
    workers, held ~600 MB of rendered bodies more than on a quiet one. Here the workers
    stop once they are ``most`` bodies ahead, and go on as the renders are taken.
    """

    def __init__(self, pool: ProcessPoolExecutor, size: int, most: int) -> None:
        self.pool, self.size, self.most = pool, size, most
        self.sent: deque[tuple[Future[list[tuple[Rendered, dict[bytes, str]]]], int]] = deque()
        self.waiting: deque[list[str]] = deque()
        self.chunk: list[str] = []
        #: Bodies sent and not taken yet.
        self.ahead = 0

    def add(self, body: str) -> None:
        self.chunk.append(body)
        if len(self.chunk) == self.size:
            self.flush()

    def flush(self) -> None:
        """Send (or keep waiting) the chunk under way, however short: after the last body."""
        if self.chunk:
            self.waiting.append(self.chunk)
            self.chunk = []
        self._send()

    def _send(self) -> None:
        while self.waiting and (not self.sent or self.ahead + len(self.waiting[0]) <= self.most):
            chunk = self.waiting.popleft()
            self.sent.append((self.pool.submit(_render_chunk, chunk), len(chunk)))
            self.ahead += len(chunk)

    def results(self) -> Iterator[tuple[Rendered, dict[bytes, str]]]:
        """Every body's render, in the order added (call ``flush`` first)."""
        while self.sent:
            future, count = self.sent.popleft()
            done = future.result()
            self.ahead -= count
            self._send()
            yield from done


def _results(
    pool: ProcessPoolExecutor, results: Iterator[tuple[Rendered, dict[bytes, str]]]
) -> Generator[Rendered | None, None, None]:
    """The workers' renders as they come, their new code blocks into this process's memo;
    closing it cancels what has not started. Primed: its first ``next`` gives None, so that
    closing it shuts the pool down even before any result."""
    memo = highlightmemo.current()
    try:
        yield None
        for rendered, blocks in results:
            checkpoint()  # a Ctrl+C that waited while the pool was at work stops here
            if memo is not None:
                memo.pending.update(blocks)
            yield rendered
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def prepare_and_render(
    tasks: Iterable[Task],
    count: int,
    *,
    threshold: int = PARALLEL_THRESHOLD,
    workers: int | None = None,
) -> tuple[list[Prepared | ContentError], Generator[Rendered, None, None]]:
    """Parse every task here; render the bodies of those that parsed, in order.

    ``tasks`` may be made as they are taken (a sync reads each file then), at most
    ``count`` of them. Parsing (libyaml) costs less than sending a document between
    processes and back, so it is done in this process, all of it before this returns: the
    caller sees every error before it writes anything. Past ``threshold`` tasks, the
    bodies are rendered on ``workers`` forked processes (default: every core), each sent
    as soon as it is parsed, so they start rendering while this process reads and parses
    the rest, up to ``AHEAD`` bodies ahead of what the caller took; results come as they
    are done. Closing the generator (or leaving its loop early) cancels what has not
    started.
    """
    parsed: list[Prepared | ContentError] = []
    workers = min(workers or available_cores(), count)
    if count <= threshold or workers < 2 or not can_fork():
        parsed.extend(prepare(task) for task in tasks)
        texts = [result.doc.body for result in parsed if isinstance(result, Prepared)]
        return parsed, (render_markdown(body) for body in texts)

    pool = _fork_pool(workers)
    try:  # each chunk is sent once parsed: the workers start on the first ones
        ahead = _Ahead(pool, max(1, min(64, count // (workers * 4))), AHEAD)
        for task in tasks:
            result = prepare(task)
            parsed.append(result)
            if isinstance(result, Prepared):
                ahead.add(result.doc.body)
        ahead.flush()
        results = _results(pool, ahead.results())
        next(results)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return parsed, results  # type: ignore[return-value]  # primed: its one None is taken

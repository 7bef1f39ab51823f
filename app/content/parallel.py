"""Parse and render many documents, on every core when there are enough to pay for it."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import threading
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from app.content.document import Document, parse_document
from app.content.errors import ContentError
from app.content.render import Rendered, render_markdown

T = TypeVar("T")
R = TypeVar("R")

#: Below this many documents, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 50


@dataclass(frozen=True)
class Task:
    """One file to parse: everything a worker process needs, picklable."""

    rel: str
    kind: str
    text: str


@dataclass(frozen=True)
class Prepared:
    """A parsed document and, once it has been rendered, its rendered body."""

    doc: Document
    rendered: Rendered | None = None


def prepare(task: Task) -> Prepared | ContentError:
    """Parse one file; a bad file gives its error (as a value, to cross processes)."""
    try:
        return Prepared(parse_document(task.text, f"content/{task.rel}", task.kind))
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


def _imap(
    function: Callable[[T], R], items: Sequence[T], threshold: int, workers: int | None
) -> Generator[R, None, None]:
    """``function`` of each item, in order; in forked worker processes past ``threshold``.

    ``fork`` lets workers start in milliseconds with the parent's imports and Markdown
    instance; they never touch the parent's database connections. Results come as they are
    done, so the caller works on the first ones while the workers make the rest; leaving
    the loop early cancels what has not started.
    """
    workers = min(workers or available_cores(), len(items))
    if len(items) <= threshold or workers < 2 or not can_fork():
        yield from map(function, items)
        return
    render_markdown("```python\npass\n```\n")  # build Markdown and the lexer once, then fork
    chunksize = max(1, min(64, len(items) // (workers * 4)))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        yield from pool.map(function, items, chunksize=chunksize)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def prepare_all(tasks: Sequence[Task]) -> list[Prepared | ContentError]:
    """``prepare`` each task, in order, in this process.

    Parsing (libyaml) costs less than sending a document between processes and back: at
    10 000 posts, 0.4 s here against 0.6 s on two workers.
    """
    return [prepare(task) for task in tasks]


def render_each(
    bodies: Sequence[str], *, threshold: int = PARALLEL_THRESHOLD, workers: int | None = None
) -> Generator[Rendered, None, None]:
    """``render_markdown`` of each body, in order, on every core when there are many."""
    return _imap(render_markdown, bodies, threshold, workers)

"""Parse and render many documents, on every core when there are enough to pay for it."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
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


def _map(
    function: Callable[[T], R], items: Sequence[T], threshold: int, workers: int | None
) -> list[R]:
    """``function`` of each item, in order; in forked worker processes past ``threshold``.

    ``fork`` lets workers start in milliseconds with the parent's imports and Markdown
    instance; they never touch the parent's database connections.
    """
    workers = min(workers or available_cores(), len(items))
    if len(items) <= threshold or workers < 2 or not can_fork():
        return [function(item) for item in items]
    render_markdown("```python\npass\n```\n")  # build Markdown and the lexer once, then fork
    chunksize = max(1, min(64, len(items) // (workers * 4)))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(function, items, chunksize=chunksize))


def prepare_all(
    tasks: Sequence[Task], *, threshold: int = PARALLEL_THRESHOLD, workers: int | None = None
) -> list[Prepared | ContentError]:
    """``prepare`` each task, in order, on every core when there are many."""
    return _map(prepare, tasks, threshold, workers)


def render_all(
    bodies: Sequence[str], *, threshold: int = PARALLEL_THRESHOLD, workers: int | None = None
) -> list[Rendered]:
    """``render_markdown`` each body, in order, on every core when there are many."""
    return _map(render_markdown, bodies, threshold, workers)

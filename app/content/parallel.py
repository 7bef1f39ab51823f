"""Parse and render many documents, on every core when there are enough to pay for it."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from app.content.document import Document, parse_document
from app.content.errors import ContentError
from app.content.render import Rendered, render_markdown

#: Below this many documents, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 50


@dataclass(frozen=True)
class Task:
    """One file to parse (and render): everything a worker process needs, picklable."""

    rel: str
    kind: str
    text: str
    render: bool = True


@dataclass(frozen=True)
class Prepared:
    """A parsed document and, unless the task said not to, its rendered body."""

    doc: Document
    rendered: Rendered | None


def prepare(task: Task) -> Prepared | ContentError:
    """Parse and render one file; a bad file gives its error (as a value, to cross processes)."""
    try:
        doc = parse_document(task.text, f"content/{task.rel}", task.kind)
    except ContentError as exc:
        return exc
    return Prepared(doc, render_markdown(doc.body) if task.render else None)


def available_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def prepare_all(
    tasks: Sequence[Task], *, threshold: int = PARALLEL_THRESHOLD, workers: int | None = None
) -> list[Prepared | ContentError]:
    """``prepare`` each task, in order; in forked worker processes if more than ``threshold``.

    The workers only parse and render: the caller keeps all database work. ``fork`` lets them
    start in milliseconds with the parent's imports and Markdown instance, and never touch the
    parent's database connections.
    """
    workers = min(workers or available_cores(), len(tasks))
    if len(tasks) <= threshold or workers < 2 or not _can_fork():
        return [prepare(task) for task in tasks]
    render_markdown("```python\npass\n```\n")  # build Markdown and the lexer once, then fork
    chunksize = max(1, min(64, len(tasks) // (workers * 4)))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(prepare, tasks, chunksize=chunksize))


def _can_fork() -> bool:
    """Forking a process that runs other threads (watch, serve, the admin's builds) is unsafe."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def render_all(
    bodies: Sequence[str], *, threshold: int = PARALLEL_THRESHOLD, workers: int | None = None
) -> list[Rendered]:
    """``render_markdown`` each body, in order; in forked workers past ``threshold``."""
    workers = min(workers or available_cores(), len(bodies))
    if len(bodies) <= threshold or workers < 2 or not _can_fork():
        return [render_markdown(body) for body in bodies]
    render_markdown("```python\npass\n```\n")  # build Markdown and the lexer once, then fork
    chunksize = max(1, min(64, len(bodies) // (workers * 4)))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(render_markdown, bodies, chunksize=chunksize))

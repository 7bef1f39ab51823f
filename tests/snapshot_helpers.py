"""Answer the read model's questions as a build at ``at`` would (its ``Snapshot``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from app.public.snapshot import Snapshot
from app.status import frozen


@contextmanager
def as_a_build(at: datetime | None = None) -> Iterator[Snapshot]:
    """Inside, pages read a fresh build snapshot, and 'now' is ``at`` (default: now)."""
    with frozen(at or datetime.now(UTC).replace(tzinfo=None)), Snapshot().active() as snapshot:
        yield snapshot

"""What a build did, for the author (a summary line) and for scripts (``--json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask

from app.build.summary import build_line
from app.content import SyncReport
from app.content.queries import next_scheduled


@dataclass(frozen=True)
class Upcoming:
    """The scheduled post that goes live first: the site must be built again then."""

    slug: str
    title: str
    at: datetime  # naive UTC

    @classmethod
    def find(cls, app: Flask) -> Upcoming | None:
        with app.app_context():
            post = next_scheduled()
            if post is None or post.published_at is None:
                return None
            return cls(post.slug, post.title or post.slug, post.published_at)


@dataclass
class BuildResult:
    """What a build did: pages produced, how many were (re)written, kept as they were, removed."""

    pages: int
    seconds: float
    out_dir: Path
    sync: SyncReport = field(default_factory=SyncReport)
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    #: Pages rendered (the others' recorded reads answered the same), and by how many processes.
    rendered: int = 0
    workers: int = 1
    warnings: list[str] = field(default_factory=list)
    upcoming: Upcoming | None = None
    #: Every file of the build, relative to ``out_dir``, with its identity as the build
    #: cache records it (``manifest.identity``).
    files: dict[str, tuple[int, int, int] | None] = field(default_factory=dict)
    #: The database as the pages read it (``stamps.database_mark``), when asked for.
    database_mark: bytes | None = None
    #: Pages rendered that every build renders again (``Reads.renders_again``).
    renders_again: int = 0

    def summary(self) -> str:
        return build_line(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable summary ``freeze.py --json`` prints."""
        return {
            "ok": True,
            "pages": self.pages,
            "written": self.written,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "rendered": self.rendered,
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "out_dir": str(self.out_dir),
            "content": {
                "added": len(self.sync.added),
                "updated": len(self.sync.updated),
                "removed": len(self.sync.removed),
                "unchanged": self.sync.unchanged,
            },
            "warnings": [*self.sync.warnings, *self.warnings],
            "errors": [],
            "next_scheduled": None
            if self.upcoming is None
            else {
                "slug": self.upcoming.slug,
                "title": self.upcoming.title,
                "at": self.upcoming.at.isoformat() + "Z",
            },
        }

"""What a build did, for the author (a summary line) and for scripts (``--json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.content import SyncReport


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

    def summary(self) -> str:
        return (
            f"Built {self.pages} pages ({self.written} written, {self.unchanged} unchanged, "
            f"{self.removed} removed) in {self.seconds:.2f}s, rendering {self.rendered}"
            + (f" on {self.workers} processes" if self.workers > 1 else "")
        )

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
        }

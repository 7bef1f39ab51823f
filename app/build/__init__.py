"""The publishing pipeline behind ``freeze.py``: freeze, check links, swap into place.

Its names are loaded on first use: ``app.build.stamps`` must import without Flask."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy import loader

if TYPE_CHECKING:
    from app.build.errors import BuildError
    from app.build.pipeline import build_site
    from app.build.result import BuildResult
    from app.build.sources import Changes

__all__ = ["BuildError", "BuildResult", "Changes", "build_site"]
_HOMES = {
    "BuildError": "app.build.errors",
    "BuildResult": "app.build.result",
    "Changes": "app.build.sources",
    "build_site": "app.build.pipeline",
}


__getattr__ = loader(__name__, _HOMES)

"""The publishing pipeline behind ``freeze.py``: freeze, check links, swap into place.

Its names are loaded on first use: ``app.build.stamps`` must import without Flask."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'app.build' has no attribute {name!r}")

"""The publishing pipeline behind ``freeze.py``: freeze, check links, swap into place."""

from app.build.errors import BuildError
from app.build.pipeline import build_site
from app.build.result import BuildResult
from app.build.sources import Changes

__all__ = ["BuildError", "BuildResult", "Changes", "build_site"]

"""The publishing pipeline behind ``freeze.py``: freeze, check links, swap into place."""

from app.build.errors import BuildError
from app.build.pipeline import BuildResult, build_site

__all__ = ["BuildError", "BuildResult", "build_site"]

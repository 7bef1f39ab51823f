"""microblog's code. ``create_app`` (``app/factory.py``) is loaded on first use, so that
``freeze.py`` can tell that ``build/`` is up to date before Flask loads
(``app/build/stamps.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.factory import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from app.factory import create_app

        return create_app
    raise AttributeError(f"module 'app' has no attribute {name!r}")

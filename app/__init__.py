"""microblog's code. ``create_app`` (``app/factory.py``) is loaded on first use, so that
``freeze.py`` can tell that ``build/`` is up to date before Flask loads
(``app/build/stamps.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy import loader

if TYPE_CHECKING:
    from app.factory import create_app

__all__ = ["create_app"]


__getattr__ = loader(__name__, {"create_app": "app.factory"})

"""The content layer: parse and serialize files, render Markdown, sync files with the DB.

Its names are loaded on first use: ``app.content.kinds`` must import without the rest."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.content.document import Document, parse_document, serialize_document
    from app.content.errors import ContentError, ContentErrors
    from app.content.render import render_markdown
    from app.content.sync import SyncReport, export_content, sync_content

__all__ = [
    "ContentError",
    "ContentErrors",
    "Document",
    "SyncReport",
    "export_content",
    "parse_document",
    "render_markdown",
    "serialize_document",
    "sync_content",
]
_HOMES = {
    "Document": "app.content.document",
    "parse_document": "app.content.document",
    "serialize_document": "app.content.document",
    "ContentError": "app.content.errors",
    "ContentErrors": "app.content.errors",
    "render_markdown": "app.content.render",
    "SyncReport": "app.content.sync",
    "export_content": "app.content.sync",
    "sync_content": "app.content.sync",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'app.content' has no attribute {name!r}")

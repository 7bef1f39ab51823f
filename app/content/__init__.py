"""The content layer: parse and serialize files, render Markdown, sync files with the DB.

Its names are loaded on first use: ``app.content.kinds`` must import without the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy import loader

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


__getattr__ = loader(__name__, _HOMES)

"""The content layer: parse and serialize files, render Markdown, sync files with the DB."""

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

"""A readable page of the API's operations, rendered from the OpenAPI document (no CDN)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from markdown_it import MarkdownIt
from markupsafe import Markup

bp = Blueprint("api_docs_page", __name__)

#: The descriptions are Markdown (docstrings, the API's description): CommonMark, raw HTML
#: shown as text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def markdown(text: str | None) -> Markup:
    """A description as HTML: paragraphs, lists, `code` (markdown-it escapes the text)."""
    return Markup(_MARKDOWN.render(text or ""))


def markdown_inline(text: str | None) -> Markup:
    """A one-line description (a field's, a parameter's) as inline HTML."""
    return Markup(_MARKDOWN.renderInline(text or ""))


METHODS = ("get", "post", "put", "patch", "delete")


def ref_name(schema: dict[str, Any] | None) -> str:
    """The component name a schema points to (``Post``), or its type."""
    if not schema:
        return ""
    if "$ref" in schema:
        ref: str = schema["$ref"]
        return ref.rsplit("/", 1)[-1]
    if "oneOf" in schema:  # tags: a list, or one comma-separated string
        return " or ".join(ref_name(choice) for choice in schema["oneOf"])
    kind: str = schema.get("type", "")
    if kind == "array":
        return f"list of {ref_name(schema.get('items'))}"
    return kind


@bp.route("/api/v1/docs")
def docs() -> str:
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, item in spec["paths"].items()
        for method in METHODS
        if (operation := item.get(method))
    ]
    return render_template(
        "api/docs.html",
        spec=spec,
        operations=operations,
        ref_name=ref_name,
        markdown=markdown,
        markdown_inline=markdown_inline,
    )

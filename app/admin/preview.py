"""Live preview and image uploads for the editor (JSON endpoints called from admin.js)."""

from __future__ import annotations

from typing import BinaryIO, cast

from flask import jsonify, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from app.admin import bp
from app.admin.editor import normalize_text
from app.content import render_markdown
from app.content.media import MediaError, save_upload
from app.content.render import body_warnings
from app.permissions import require


@bp.route("/preview", methods=["POST"])
def preview() -> Response | tuple[Response, int]:
    """Render a body exactly as a save would (same function, same sanitizer)."""
    data = request.get_json(silent=True)
    body = data.get("body") if isinstance(data, dict) else request.form.get("body")
    if not isinstance(body, str):
        return jsonify(error="send the Markdown as 'body'"), 400
    text = normalize_text(body)
    rendered = render_markdown(text)
    return jsonify(
        html=rendered.html,
        toc_html=rendered.toc_html,
        words=rendered.word_count,
        warnings=body_warnings(text),
    )


@bp.route("/preview/frame")
def preview_frame() -> str:
    """The preview pane: an empty post page styled by the public theme."""
    return render_template("admin/preview_frame.html")


@bp.route("/media", methods=["POST"])
def upload() -> tuple[Response, int]:
    """Store an image from the editor; answers with the Markdown to insert."""
    alt = " ".join(request.form.get("alt", "").split())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return jsonify(error="Choose an image file to upload."), 422
    if not alt:
        return jsonify(error="Describe the image (alt text) for readers who cannot see it."), 422
    require(current_user._get_current_object(), "upload")
    try:
        # save_upload only reads the stream: IO[bytes] would do, its signature asks BinaryIO.
        media = save_upload(
            cast(BinaryIO, upload.stream), upload.filename, current_user._get_current_object()
        )
    except MediaError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        return jsonify(error=f"{exc.path}: {exc.message}{hint}"), exc.status
    alt_text = alt.replace("[", "(").replace("]", ")")
    return jsonify(
        name=media.name, url=media.markdown_path, markdown=f"![{alt_text}]({media.markdown_path})"
    ), 201

"""``/micropub/media``: the media endpoint (a multipart ``file``), stored like the admin's and
the API's uploads (``app.content.media``: checked by Pillow, metadata removed)."""

from __future__ import annotations

from typing import BinaryIO, cast

from flask import Response, jsonify, request

from app.content.media import MediaError, save_upload
from app.micropub import bp
from app.micropub.auth import current_token, require_scope
from app.micropub.errors import MicropubError, invalid
from app.micropub.urls import media_url


@bp.post("/media", strict_slashes=False)
def media() -> Response:
    """Store the uploaded ``file``: 201 with its public URL in ``Location``."""
    require_scope("media")
    if request.mimetype != "multipart/form-data":
        raise MicropubError(
            "unsupported_media_type", "send the file as multipart/form-data in a 'file' part"
        )
    upload = request.files.get("file")
    if upload is None:
        raise invalid("no 'file' part: send the image as a multipart part named 'file'")
    try:
        stored = save_upload(
            cast(BinaryIO, upload.stream), upload.filename or "upload", current_token().user
        )
    except MediaError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        error = "too_large" if exc.status == 413 else "invalid_request"
        raise MicropubError(error, f"{exc.message}{hint}") from exc
    location = media_url(stored.name)
    response = jsonify({"url": location})
    response.status_code = 201
    response.headers["Location"] = location
    return response

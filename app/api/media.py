"""/media: image uploads into content/media/, published under /media/."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.errors import ApiError
from app.api.openapi import ApiBlueprint, accepts, errors
from app.api.schemas import MediaSchema, MediaUploadSchema
from app.content.media import FORMATS, MediaError, save_upload

blp: ApiBlueprint = Blueprint("media", __name__, description="Images to use in posts.")

IMAGE_TYPES = ", ".join(f"image/{'jpeg' if ext == 'jpg' else ext}" for ext in FORMATS.values())
#: Tells clients (and schemathesis) which kinds of file the ``file`` part may hold.
FILE_ENCODING = {"file": {"contentType": IMAGE_TYPES}}
LOCATION_HEADER = {"description": "Where the image is served.", "schema": {"type": "string"}}


@blp.route("/media", endpoint="media")
class Media(MethodView):
    @accepts("multipart/form-data")
    @errors(blp, 403, 413, 415)
    @blp.doc(requestBody={"content": {"multipart/form-data": {"encoding": FILE_ENCODING}}})
    @blp.arguments(MediaUploadSchema, location="files")
    @blp.response(201, MediaSchema, headers={"Location": LOCATION_HEADER})
    def post(self, data: dict[str, Any]) -> Any:
        """Upload an image

        A multipart form with one `file` field. The image is checked (its real type decides
        the extension, not its name) and stored under a safe, content-addressed name; the
        answer says how to use it in Markdown. Too large: 413; not an image: 422.
        """
        upload = data["file"]
        try:
            stored = save_upload(upload.stream, upload.filename or "upload")
        except MediaError as exc:
            detail = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            field = {"location": "files", "field": "file", "detail": exc.message}
            raise ApiError(exc.status, detail, errors=[field]) from exc
        url = url_for("public.media", filename=stored.name)
        body = {
            "name": stored.name,
            "url": url,
            "markdown": f"![]({stored.markdown_path})",
            "width": stored.width,
            "height": stored.height,
            "size": stored.size,
        }
        return body, {"Location": url}

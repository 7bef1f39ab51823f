"""/media: image uploads into content/media/, published under /media/."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from app.api.auth import current_user
from app.api.errors import ApiError
from app.api.openapi import ApiBlueprint, accepts, errors
from app.api.schemas import MediaSchema, MediaUploadSchema
from app.content.media import FORMATS, MediaError, save_upload
from app.permissions import require


class MultipartParser(FlaskParser):
    """``files`` means the whole multipart form: its files and its text fields, as one."""

    def load_files(self, req: Request, schema: ma.Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


_blueprint = Blueprint("media", __name__, description="Images to use in posts.")
_blueprint.ARGUMENTS_PARSER = MultipartParser()  # this blueprint's only: the others take JSON
blp: ApiBlueprint = _blueprint

IMAGE_TYPES = ", ".join(f"image/{'jpeg' if ext == 'jpg' else ext}" for ext in FORMATS.values())
#: Tells clients (and schemathesis) which kinds of file the ``file`` part may hold, and that
#: ``alt`` is a plain text field.
FILE_ENCODING = {"file": {"contentType": IMAGE_TYPES}, "alt": {"contentType": "text/plain"}}
LOCATION_HEADER = {"description": "Where the image is served.", "schema": {"type": "string"}}


@blp.route("/media", endpoint="media")
class Media(MethodView):
    @accepts("multipart/form-data")
    @errors(blp, 403, 413, 415)
    @blp.doc(requestBody={"content": {"multipart/form-data": {"encoding": FILE_ENCODING}}})
    @blp.arguments(MediaUploadSchema, location="files", unknown=ma.RAISE)
    @blp.response(201, MediaSchema, headers={"Location": LOCATION_HEADER})
    def post(self, data: dict[str, Any]) -> Any:
        """Upload an image

        A multipart form with a `file` and its `alt` text (both required, nothing else).
        The image is checked (its real type decides the extension, not its name), its
        metadata (EXIF, GPS) removed with its orientation applied, and stored under a safe,
        content-addressed name; the answer says how to use it in Markdown. Too large (bytes
        or pixels): 413; not an image, or no alt text: 422.
        """
        require(current_user(), "upload")
        upload = data["file"]
        if not hasattr(upload, "stream"):
            field = {"location": "files", "field": "file", "detail": "send the image as a file"}
            raise ApiError(422, "file: send the image as a file part", errors=[field])
        try:
            stored = save_upload(upload.stream, upload.filename or "upload", current_user())
        except MediaError as exc:
            detail = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            field = {"location": "files", "field": "file", "detail": exc.message}
            raise ApiError(exc.status, detail, errors=[field]) from exc
        url = url_for("public.media", filename=stored.name)
        body = {
            "name": stored.name,
            "url": url,
            "markdown": f"![{markdown_alt(data['alt'])}]({stored.markdown_path})",
            "width": stored.width,
            "height": stored.height,
            "size": stored.size,
        }
        return body, {"Location": url}


def markdown_alt(alt: str) -> str:
    """Alt text that cannot end the image's brackets early, on one line."""
    return " ".join(alt.split()).replace("[", "(").replace("]", ")")

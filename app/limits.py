"""How large a request body may be: small for strangers, a post for authors, an image for uploads.

Flask refuses a body over the limit with 413 before reading it (when it declares its length)
or as soon as it passes the limit (chunked), so nothing large is spooled to disk first.
Registered before CSRF protection, which is the first to read a form.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

#: Room for multipart framing and the form's other fields around a file or a post's body.
OVERHEAD = 64 * 1024
#: Endpoints that take an image (the admin editor's upload, the dashboard's compose box and
#: the API's ``POST /media``).
UPLOAD_ENDPOINTS = frozenset({"admin.upload", "admin.compose", "media.media"})


def init_limits(app: Flask) -> None:
    """Set each request's body limits before anything reads the body."""
    app.before_request(request_limits)


def request_limits() -> None:
    """Uploads: ``MAX_UPLOAD_BYTES``; a signed-in author: a post; anyone else: the global limit."""
    config = current_app.config
    endpoint = request.endpoint or ""
    if endpoint.startswith("admin.") and not _signed_in():
        return  # CSRF protection reads a form before the login guard runs: keep it small
    if endpoint in UPLOAD_ENDPOINTS:  # the API reads its body only after the token check
        request.max_content_length = config["MAX_UPLOAD_BYTES"] + OVERHEAD
        # Werkzeug holds a file part in memory up to this size too: a phone photo is larger
        # than a form's MAX_FORM_MEMORY_SIZE.
        request.max_form_memory_size = config["MAX_UPLOAD_BYTES"] + OVERHEAD
    elif endpoint.startswith("admin."):
        # A post's body, form-encoded: each byte of a non-ASCII character becomes %XX.
        post = 3 * config["MAX_CONTENT_FILE_BYTES"] + OVERHEAD
        request.max_content_length = post
        request.max_form_memory_size = post


def _signed_in() -> bool:
    return bool(current_user.is_authenticated)

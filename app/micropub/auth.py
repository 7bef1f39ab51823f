"""The bearer token of a Micropub request: the ``Authorization`` header or, in a form body,
``access_token`` (both only when they are the same token); each action needs its scope."""

from __future__ import annotations

import hmac

from flask import current_app, g, request

from app.accounts import check_token, has_scope
from app.micropub.errors import MicropubError, invalid
from app.models import ApiToken

#: Room for multipart framing and the other fields around the largest accepted image.
OVERHEAD = 64 * 1024
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_form() -> bool:
    return request.mimetype in FORM_TYPES


def authenticate() -> None:
    """Runs before every Micropub view: sets ``g.micropub_token`` or raises a 401.

    A token in the header raises the body limit to an upload's before anything reads the
    body; a token in the body is read under the limit for strangers.
    """
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise MicropubError(
                "unauthorized", "use 'Authorization: Bearer <token>'", bearer="invalid_request"
            )
        token = _verified(raw)
        config = current_app.config
        limit = max(config["MAX_UPLOAD_BYTES"], 3 * config["MAX_CONTENT_FILE_BYTES"])
        request.max_content_length = limit + OVERHEAD
        request.max_form_memory_size = limit + OVERHEAD  # a post's text in a form field
        body = _body_token()
        # Quill sends both, the same token (micropub.rocks 802 too): two tokens are refused.
        if body is not None and not hmac.compare_digest(
            body.strip().encode(), raw.strip().encode()
        ):
            raise invalid(
                "the Authorization header and access_token name different tokens: send one"
            )
    else:
        raw = _body_token() or ""
        if not raw:
            raise MicropubError(
                "unauthorized",
                "no access token: send it as 'Authorization: Bearer <token>' (or access_token)",
            )
        token = _verified(raw)
    g.micropub_token = token


def _body_token() -> str | None:
    """``access_token`` of a form-encoded or multipart body, if it has one."""
    if request.method != "POST" or not _is_form():
        return None
    return request.form.get("access_token")


def _verified(raw: str) -> ApiToken:
    token = check_token(raw.strip())
    if not isinstance(token, ApiToken):
        error = "invalid_token" if token.expired else "unauthorized"
        raise MicropubError(error, token.description, bearer="invalid_token")
    return token


def current_token() -> ApiToken:
    token: ApiToken = g.micropub_token  # set by ``authenticate``
    return token


def require_scope(scope: str) -> None:
    """Refuse (401 ``insufficient_scope``, as Micropub 3.8 says) unless the token has ``scope``."""
    token = current_token()
    if not has_scope(token, scope):
        raise MicropubError(
            "insufficient_scope",
            f"the token {token.prefix}… lacks the {scope!r} scope: sign in again and "
            f"allow {scope!r} (it has: {token.scopes or 'none'})",
            scope=scope,
        )

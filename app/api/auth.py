"""Bearer-token authentication for every API request: each write needs its scope (a
read-only token has none)."""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.wrappers import Response

from app.accounts import check_token, has_scope
from app.api.errors import problem
from app.models import ApiToken, User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Room for multipart framing around the largest accepted image.
BODY_OVERHEAD = 64 * 1024


def _challenge(error: str, detail: str) -> Response:
    header = f'Bearer realm="microblog", error="{error}"' if error else 'Bearer realm="microblog"'
    return problem(401, detail, headers={"WWW-Authenticate": header})


def authenticate() -> Response | None:
    """Runs before every API view: a valid token or a 401/403 problem, and nothing happens."""
    config = current_app.config
    limit = max(config["MAX_UPLOAD_BYTES"], config["MAX_CONTENT_FILE_BYTES"])
    request.max_content_length = limit + BODY_OVERHEAD
    if request.method == "OPTIONS":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if not header:
        return _challenge("", "send your API token as 'Authorization: Bearer <token>'")
    if scheme.lower() != "bearer" or not raw.strip():
        return _challenge("invalid_request", "use 'Authorization: Bearer <token>'")
    token = check_token(raw.strip())
    if not isinstance(token, ApiToken):
        return _challenge("invalid_token", token.description)
    if token.read_only and request.method not in SAFE_METHODS:
        return problem(403, f"the token {token.prefix}… is read-only and cannot change anything")
    scope = required_scope(request.method, request.endpoint)
    if scope and not has_scope(token, scope):
        return problem(
            403,
            f"the token {token.prefix}… may not do this: it lacks the {scope!r} scope "
            f"(it has: {token.scopes})",
        )
    g.api_token = token
    return None


#: The scope each writing method needs (``app.accounts.SCOPES``); uploads need ``media``.
METHOD_SCOPES = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


def required_scope(method: str, endpoint: str | None) -> str | None:
    """The scope a request needs, or None for a read."""
    if method in SAFE_METHODS:
        return None
    if endpoint == "media.media":
        return "media"
    return METHOD_SCOPES.get(method, "update")


def current_token() -> ApiToken:
    token: ApiToken = g.api_token  # set by ``authenticate``
    return token


def current_user() -> User:
    return current_token().user

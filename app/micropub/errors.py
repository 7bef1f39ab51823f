"""Micropub's errors: ``{"error": ..., "error_description": ...}`` with the spec's statuses."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

#: The error codes of Micropub (section 3.8) and OAuth bearer tokens (RFC 6750), by status.
STATUS = {
    "invalid_request": 400,
    "unauthorized": 401,
    "invalid_token": 401,
    "forbidden": 403,
    "insufficient_scope": 401,  # Micropub 3.8 says 401 (RFC 6750 would say 403)
    "not_found": 404,
    "too_large": 413,
    "unsupported_media_type": 415,
}


class MicropubError(Exception):
    """A refused request: ``error`` is one of ``STATUS``; ``description`` says what to do."""

    def __init__(self, error: str, description: str, scope: str = "", bearer: str = "") -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.scope = scope
        #: The RFC 6750 error of the challenge (``invalid_token``); none when no token came.
        self.bearer = bearer

    @property
    def status(self) -> int:
        return STATUS[self.error]


def invalid(description: str) -> MicropubError:
    return MicropubError("invalid_request", description)


def error_response(exc: MicropubError) -> Response:
    body = {"error": exc.error, "error_description": exc.description}
    if exc.scope:
        body["scope"] = exc.scope
    response = jsonify(body)
    response.status_code = exc.status
    if exc.status == 401:
        challenge = 'Bearer realm="micropub"'
        bearer = exc.bearer or (exc.error if exc.scope else "")
        if bearer:
            challenge += f', error="{bearer}"'
        if exc.scope:
            challenge += f', scope="{exc.scope}"'
        response.headers["WWW-Authenticate"] = challenge
    return response


def http_error(exc: HTTPException) -> Response:
    """Werkzeug's errors (a body too large, a role that may not do this) in Micropub's words."""
    code = exc.code or 500
    error = {403: "forbidden", 404: "not_found", 413: "too_large", 415: "unsupported_media_type"}
    name = error.get(code, "invalid_request" if code < 500 else "server_error")
    response = jsonify({"error": name, "error_description": exc.description or exc.name})
    response.status_code = code
    return response


def register_errors(blueprint: Blueprint) -> None:
    """Every error of the blueprint's views answered in Micropub's JSON."""
    blueprint.register_error_handler(MicropubError, error_response)
    blueprint.register_error_handler(HTTPException, http_error)

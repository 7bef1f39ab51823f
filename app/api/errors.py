"""The API's one error format: RFC 9457 ``application/problem+json``, built in one place."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response

PROBLEM_MIMETYPE = "application/problem+json"


class ApiError(Exception):
    """Raised by API views; turned into a problem response by ``handle_api_error``."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A problem+json response: type, title, status, detail and, for bad input, ``errors``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False) + "\n", status=status, mimetype=PROBLEM_MIMETYPE
    )
    response.headers.update(dict(headers or {}))
    return response


def field_errors(messages: Any, location: str | None = None) -> list[dict[str, str]]:
    """Flatten marshmallow/webargs messages (``{"json": {"title": [...]}}``) to one per field."""
    found: list[dict[str, str]] = []

    def walk(node: Any, path: list[str]) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, [*path, str(key)])
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item, path)
        else:
            where, *field = path if location is None else [location, *path]
            entry = {"location": where, "field": ".".join(field) or where, "detail": str(node)}
            found.append(entry)

    walk(messages, [])
    return found


def _detail(exc: HTTPException, errors: list[dict[str, str]]) -> str:
    if errors:
        first = errors[0]
        what = first["detail"]
        if first["field"] != first["location"]:
            what = f"{first['field']}: {what}"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"invalid input: {what}{more}"
    return exc.description or HTTPStatus(exc.code or 500).description


def handle_http_exception(exc: HTTPException) -> Response:
    """Any HTTP error raised while serving the API, validation errors included."""
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = field_errors(data["messages"]) if "messages" in data else []
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    detail = data.get("message") or _detail(exc, errors)
    return problem(code, detail, errors=errors, headers=headers)


def handle_api_error(exc: ApiError) -> Response:
    return problem(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)


def handle_too_deep(exc: RecursionError) -> Response:
    """JSON nested deeper than the parser can follow: the client's fault, not a crash."""
    if not request.is_json:
        raise exc
    return problem(400, "the JSON body is nested too deeply: send a flat object of fields")


def is_api_request(prefix: str) -> bool:
    return request.path == prefix or request.path.startswith(prefix + "/")


def register_error_handlers(blueprints: list[Any]) -> None:
    """Problem responses for errors inside API views, whatever error pages the app has."""
    for bp in blueprints:
        # Per status code, so app-wide handlers for one code (the site's 404 page) don't win.
        for code in default_exceptions:
            bp.register_error_handler(code, handle_http_exception)
        bp.register_error_handler(HTTPException, handle_http_exception)
        bp.register_error_handler(ApiError, handle_api_error)
        bp.register_error_handler(RecursionError, handle_too_deep)


def register_routing_errors(app: Flask, prefix: str) -> None:
    """Unknown API paths and methods never reach a blueprint: answer them as problems too."""

    @app.before_request
    def api_routing_errors() -> Response | None:
        exc = request.routing_exception
        if exc is None or isinstance(exc, RequestRedirect) or not is_api_request(prefix):
            return None
        return handle_http_exception(exc)

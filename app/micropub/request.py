"""A Micropub request as one shape, whatever its encoding: form, multipart or JSON.

Form fields ``name[]`` are lists, ``h=entry`` is ``type: ["h-entry"]``, and ``mp-*`` fields
are commands; JSON is taken as it is. Uploaded files (multipart) stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import request
from werkzeug.datastructures import FileStorage

from app.micropub.errors import MicropubError, invalid

#: Fields of a form that are not properties of the post.
RESERVED = frozenset({"h", "action", "url", "access_token"})
ACTIONS = ("create", "update", "delete", "undelete")


@dataclass
class MicropubRequest:
    """What a POST to the endpoint asks for."""

    action: str
    url: str = ""
    #: ``h-entry``'s properties, each a list of values (text or objects).
    properties: dict[str, list[Any]] = field(default_factory=dict)
    #: ``mp-*`` commands (``mp-slug``...), each a list of values.
    commands: dict[str, list[Any]] = field(default_factory=dict)
    #: Uploaded files by property (multipart ``photo`` or ``photo[]``).
    files: dict[str, list[FileStorage]] = field(default_factory=dict)
    #: An update's operations: ``replace``/``add`` (property -> values), ``delete``.
    replace: dict[str, list[Any]] = field(default_factory=dict)
    add: dict[str, list[Any]] = field(default_factory=dict)
    delete: list[str] | dict[str, list[Any]] = field(default_factory=list)


def read_request() -> MicropubRequest:
    """The POST body as a ``MicropubRequest``; 400 ``invalid_request`` when it is not one."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise invalid("the body is not a JSON object")
        return _from_json(body)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _from_form()
    raise MicropubError(
        "unsupported_media_type",
        f"send application/x-www-form-urlencoded, multipart/form-data or JSON, "
        f"not {request.mimetype or 'a body without a type'}",
    )


def _action(value: Any) -> str:
    action = value if isinstance(value, str) else "create"
    if action not in ACTIONS:
        raise invalid(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    return action


def _from_form() -> MicropubRequest:
    form = request.form
    action = _action(form.get("action", "create"))
    if action == "create":
        kind = form.get("h", "entry")
        if kind != "entry":
            raise invalid(f"h={kind} is not supported: only h=entry")
    elif action == "update":
        raise invalid("send updates as JSON (the spec has no form encoding for them)")
    values: dict[str, list[Any]] = {}
    for key in form:
        name = key.removesuffix("[]")
        if name in RESERVED or not name:
            continue
        values.setdefault(name, []).extend(v for v in form.getlist(key))
    files: dict[str, list[FileStorage]] = {}
    for key in request.files:
        stored = [f for f in request.files.getlist(key) if f.filename or f.content_length]
        if stored:
            files.setdefault(key.removesuffix("[]"), []).extend(stored)
    return _split(action, form.get("url", ""), values, files)


def _from_json(body: dict[str, Any]) -> MicropubRequest:
    action = _action(body.get("action", "create"))
    url = body.get("url", "")
    if not isinstance(url, str):
        raise invalid("'url' must be the post's URL as text")
    if action == "create":
        kinds = body.get("type")
        if kinds != ["h-entry"]:
            raise invalid(f"'type' must be [\"h-entry\"], not {kinds!r}")
        properties = body.get("properties")
        if not isinstance(properties, dict) or not all(
            isinstance(v, list) for v in properties.values()
        ):
            raise invalid("'properties' must map each property to a list of values")
        return _split(action, url, dict(properties), {})
    request_ = MicropubRequest(action=action, url=url)
    if action == "update":
        for op in ("replace", "add"):
            ops = body.get(op, {})
            if not isinstance(ops, dict) or not all(isinstance(v, list) for v in ops.values()):
                raise invalid(f"'{op}' must map each property to a list of values")
            setattr(request_, op, dict(ops))
        deleted = body.get("delete", [])
        if isinstance(deleted, dict):
            if not all(isinstance(v, list) for v in deleted.values()):
                raise invalid("'delete' must list properties, or map properties to values")
        elif not isinstance(deleted, list) or not all(isinstance(v, str) for v in deleted):
            raise invalid("'delete' must list properties, or map properties to values")
        request_.delete = deleted
        if not (request_.replace or request_.add or request_.delete):
            raise invalid("an update needs 'replace', 'add' or 'delete'")
    return request_


def _split(
    action: str, url: str, values: dict[str, list[Any]], files: dict[str, list[FileStorage]]
) -> MicropubRequest:
    properties = {k: v for k, v in values.items() if not k.startswith("mp-")}
    commands = {k: v for k, v in values.items() if k.startswith("mp-")}
    return MicropubRequest(
        action=action, url=url, properties=properties, commands=commands, files=files
    )

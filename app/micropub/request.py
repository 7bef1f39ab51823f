"""A Micropub request as one shape, whatever its encoding: form, multipart or JSON.

Form fields ``name[]`` are lists, ``name[key]`` and ``name[][key]`` objects (as JSON's
``{"key": ...}``), ``h=entry`` is ``type: ["h-entry"]``, and ``mp-*`` fields are commands;
JSON is taken as it is. Uploaded files (multipart) stay apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import request
from werkzeug.datastructures import FileStorage, MultiDict

from app.micropub.errors import MicropubError, invalid

#: Fields of a form that are not properties of the post.
RESERVED = frozenset({"h", "action", "url", "access_token"})
ACTIONS = ("create", "update", "delete", "undelete")
#: A form field's name: a property, then brackets (``photo[]``, ``photo[alt]``...).
FIELD = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
BRACKET = re.compile(r"\[([^\[\]]*)\]")


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
    values = _form_values(form)
    categories = values.get("category", [])
    if len(categories) == 1 and isinstance(categories[0], str):
        # Older clients send ``category=a,b``: one form value is a comma-separated list (a
        # JSON array's items are tags as they are, commas and all).
        values["category"] = categories[0].split(",")
    files: dict[str, list[FileStorage]] = {}
    for key in request.files:
        stored = [f for f in request.files.getlist(key) if f.filename or f.content_length]
        if stored:
            files.setdefault(key.removesuffix("[]"), []).extend(stored)
    return _split(action, form.get("url", ""), values, files)


def _form_values(form: MultiDict[str, str]) -> dict[str, list[Any]]:
    """The form's fields as properties: ``name`` and ``name[]`` values, then the objects
    that ``name[key]``, ``name[][key]`` or ``name[0][key]`` fields make (Quill sends a photo
    with its alt text as ``photo[value]`` and ``photo[alt]``)."""
    values: dict[str, list[Any]] = {}
    #: property -> object (``None``: the unnumbered ones) -> key -> values
    objects: dict[str, dict[int | None, dict[str, list[str]]]] = {}
    for key in form:
        if not key.removesuffix("[]"):
            continue
        match = FIELD.match(key)
        if match is None:
            raise invalid(f"the form field {key!r} is not understood: {_FIELD_FORMS}")
        name, path = match[1], BRACKET.findall(match[2])
        if name in RESERVED:
            continue
        if path in ([], [""]):
            given = form.getlist(key)
            if not name.startswith("mp-"):  # an empty field is no value (``in-reply-to=``);
                given = [v for v in given if v.strip()]  # mp-photo-alt[] pairs by position
            if given:
                values.setdefault(name, []).extend(given)
            continue
        number, member = _object_path(key, path)
        objects.setdefault(name, {}).setdefault(number, {})[member] = form.getlist(key)
    for name, found in objects.items():
        values.setdefault(name, []).extend(_objects(name, found))
    return values


_FIELD_FORMS = "send name, name[], name[key], name[][key] or name[0][key]"


def _object_path(key: str, path: list[str]) -> tuple[int | None, str]:
    """Which object (numbered, or ``None``) and which of its keys a bracketed field sets."""
    if len(path) == 1:
        path = ["", *path]
    if len(path) == 2 and path[1] and not path[1].isdigit():
        if not path[0]:
            return None, path[1]
        if path[0].isdigit():
            return int(path[0]), path[1]
    raise invalid(f"the form field {key!r} is not understood: {_FIELD_FORMS}")


def _objects(name: str, found: dict[int | None, dict[str, list[str]]]) -> list[dict[str, str]]:
    """The objects of one property: unnumbered ones paired by position (the first
    ``photo[][value]`` with the first ``photo[][alt]``), then numbered ones in order."""
    made: list[dict[str, str]] = []
    unnumbered = found.pop(None, {})
    counts = {len(v) for v in unnumbered.values()}
    if len(counts) > 1:
        raise invalid(
            f"'{name}' has {' and '.join(f'{len(v)} {name}[{k}]' for k, v in unnumbered.items())}: "
            f"send each key once per object, or number them ({name}[0][value], {name}[0][alt])"
        )
    for position in range(max(counts, default=0)):
        made.append({member: values[position] for member, values in unnumbered.items()})
    for number in sorted(n for n in found if n is not None):
        for member, values in found[number].items():
            if len(values) > 1:
                raise invalid(f"'{name}[{number}][{member}]' is sent {len(values)} times: once")
        made.append({member: values[0] for member, values in found[number].items()})
    return made


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

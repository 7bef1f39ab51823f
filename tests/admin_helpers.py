"""Small helpers shared by the admin tests (fixtures live in conftest.py)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token a rendered admin page carries."""
    match = _TOKEN.search(html) or _META_TOKEN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def post_form(**changes: Any) -> dict[str, Any]:
    """The editor's fields as a browser would send them."""
    fields = {
        "kind": "post",
        "title": "A fresh post",
        "slug": "",
        "status": "published",
        "date": "2026-11-01T09:30",
        "tags": "news, Python",
        "summary": "",
        "body": "Hello *there*.\r\n\r\nSecond paragraph.\r\n",
        "source_hash": "",
    }
    return {**fields, **changes}


def admin_rules(app: Flask) -> list[Any]:
    """Every URL rule of the admin blueprint."""
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]


def example_url(app: Flask, rule: Any) -> str:
    """A concrete URL for this very rule, with placeholder values for its arguments."""
    values: dict[str, Any] = dict(rule.defaults or {})
    for name in rule.arguments - set(values):
        converter = type(rule._converters[name]).__name__
        values[name] = 1 if converter == "IntegerConverter" else "example"
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule
    return built[1]

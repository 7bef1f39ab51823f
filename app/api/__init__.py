"""The headless JSON API under /api/v1: token auth, problem+json errors, an OpenAPI contract.

Registered only in the authoring app (never frozen) and exempt from CSRF: it authenticates
with bearer tokens, not cookies.
"""

from __future__ import annotations

from flask import Flask

from app.api import auth, builds, docs, me, media, notes, posts, tags
from app.api.errors import register_error_handlers, register_routing_errors
from app.api.openapi import API_PREFIX, make_api
from app.csrf import csrf

RESOURCES = (posts.blp, notes.blp, tags.blp, media.blp, builds.blp, me.blp)

for _blp in RESOURCES:
    _blp.before_request(auth.authenticate)
register_error_handlers(list(RESOURCES))


def init_api(app: Flask) -> None:
    """Mount the API, its OpenAPI document and its docs page on the authoring app."""
    api = make_api(app)
    for blp in RESOURCES:
        api.register_blueprint(blp, url_prefix=API_PREFIX)
        csrf.exempt(blp)
    app.register_blueprint(docs.bp)
    register_routing_errors(app, API_PREFIX)

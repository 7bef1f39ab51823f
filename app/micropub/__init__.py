"""Micropub (W3C Recommendation 2017): posting apps create, update, delete and undelete posts,
ask for the endpoint's configuration and a post's source, and upload media.

Registered only in the authoring app and exempt from CSRF: requests carry a bearer token
(``app.accounts``, with scopes), never cookies. Every write goes through ``app.content``.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from app.micropub.errors import register_errors

bp = Blueprint("micropub", __name__, url_prefix="/micropub")
register_errors(bp)

from app.micropub import endpoint, media  # noqa: E402, F401  (register on bp)


def init_micropub(app: Flask) -> None:
    """Mount ``/micropub`` and ``/micropub/media`` on the authoring app."""
    from app.csrf import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)

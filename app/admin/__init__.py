"""The local admin: login, dashboard, editor, preview, uploads and publish (authoring app only)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder="static")

from app.admin import (  # noqa: E402, F401  (register on bp)
    auth,
    compose,
    dashboard,
    editor,
    history,
    preview,
    publish,
    security,
    tokens,
    users,
)

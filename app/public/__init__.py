"""Everything readers see; the only blueprint the freezer publishes."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import (  # noqa: E402, F401  (on bp)
    discovery,
    listbody,
    partials,
    permalinks,
    pictures,
    routes,
)

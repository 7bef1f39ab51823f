"""The request a build makes for each page: its WSGI environ and its request context.

Frozen-Flask's test client builds an environ, a cookie jar and a WSGI round trip per URL; a
build of 10 000 posts renders 14 000 pages, so what is the same on every page of a site is
worked out once per site here.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from io import BytesIO
from typing import Any

from flask import Flask
from flask.ctx import RequestContext
from werkzeug.sansio.utils import get_current_url
from werkzeug.test import EnvironBuilder

from app import tricks

#: A path that ``get_current_url`` (``request.base_url``) neither quotes nor unquotes:
#: unreserved characters, the sub-delimiters, ':', '@' and '/'; no '%', no '?', no '#'.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/-]*")


@lru_cache(maxsize=8)
def _base_environ(base_url: str) -> dict[str, Any]:
    environ = EnvironBuilder(path="/", base_url=base_url).get_environ()
    del environ["wsgi.input"], environ["wsgi.errors"]
    return environ


def environ_for(base_url: str, url: str) -> dict[str, Any]:
    """The WSGI environ of a GET of ``url`` (a path below the site root) on the site at
    ``base_url``, as werkzeug's EnvironBuilder makes it: made once per site, then given the
    path (building one per page cost as much as a tenth of rendering a post)."""
    environ = _base_environ(base_url).copy()
    path = url.encode().decode("latin-1")  # WSGI's bytes-in-str
    environ["PATH_INFO"] = environ["REQUEST_URI"] = environ["RAW_URI"] = path
    environ["wsgi.input"], environ["wsgi.errors"] = BytesIO(), sys.stderr
    return environ


@lru_cache(maxsize=8)
def _url_root(request_class: type, base_url: str) -> str | None:
    """``request.base_url`` of the site's root, or None where werkzeug would rewrite what
    follows it (an IDNA host, an escaped sub-path): then each page asks werkzeug."""
    request = request_class(_base_environ(base_url) | {"wsgi.input": BytesIO()})
    scheme, host, root_path = request.scheme, request.host, request.root_path
    root = get_current_url(scheme, host, root_path, "")
    return root if root == f"{scheme}://{host}{root_path.rstrip('/')}/" else None


def request_context(app: Flask, url: str) -> RequestContext:
    """The context of a GET of ``url`` on the site being built (``FREEZER_BASE_URL``).

    ``request.base_url`` (the default theme's canonical link) is werkzeug's for every path
    that quoting leaves alone, without quoting, splitting and joining the URL again for
    each page (3 % of a page's time).
    """
    base_url = app.config["FREEZER_BASE_URL"]
    if not tricks.enabled("fast-requests", app.config):  # the plain path: werkzeug's own, per page
        return app.request_context(EnvironBuilder(path=url, base_url=base_url).get_environ())
    context = app.request_context(environ_for(base_url, url))
    request = context.request
    root = _url_root(app.request_class, base_url)  # type: ignore[arg-type]  # a class hashes
    path = request.path
    if root is not None and _PLAIN_PATH.fullmatch(path):
        request.__dict__["base_url"] = root + path.lstrip("/")  # werkzeug's cached_property
    return context

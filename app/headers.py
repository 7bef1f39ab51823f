"""Security headers on every response of the authoring app (never the freezer's app).

Blueprints may send a stricter policy of their own (the admin does); a header already set is
kept. Media files are served as inert downloads unless they are raster images: an SVG or HTML
file in ``content/media/`` must never run script on the admin's origin.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import Flask, request
from werkzeug.wrappers import Response

#: The public pages (the preview of the site) run no inline script and load nothing foreign.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: https:",
        "style-src 'self' 'unsafe-inline'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
#: A media file is a document of its own that may do nothing: no script, no plugin, no form.
MEDIA_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
#: Images a browser only ever decodes as pixels: shown inline. Anything else is downloaded.
RASTER_IMAGES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
MEDIA_ENDPOINT = "public.media"
HSTS = "max-age=31536000; includeSubDomains"


def init_headers(app: Flask) -> None:
    """Send the security headers on every response of ``app``."""
    hsts = bool(app.config.get("SEND_HSTS"))

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.endpoint == MEDIA_ENDPOINT:
            headers["Content-Security-Policy"] = MEDIA_POLICY
            name = PurePath(str((request.view_args or {}).get("filename", ""))).name
            if PurePath(name).suffix.lower() not in RASTER_IMAGES:
                headers.set("Content-Disposition", "attachment", filename=name or "download")
        else:
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if hsts:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response

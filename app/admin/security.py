"""Every admin page needs a logged-in author and is sent with strict security headers."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from app.admin import bp
from app.extensions import login

#: The only admin endpoints an anonymous visitor may reach.
OPEN_ENDPOINTS = frozenset({"admin.login", "admin.setup", "admin.static"})

#: No inline scripts: all admin JS is in static files. Inline style attributes stay allowed
#: because sanitized Markdown (table alignment) uses them in the preview.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src-elem 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


@bp.before_request
def require_login() -> Response | None:
    """Guard the whole blueprint, so a new route cannot forget its decorator."""
    if request.endpoint in OPEN_ENDPOINTS or current_user.is_authenticated:
        return None
    to_login: Response = login.unauthorized()  # a redirect (flask_login is untyped)
    return to_login


@bp.after_request
def security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "admin.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_template("admin/error.html", title="Form expired", message=error.description), 400

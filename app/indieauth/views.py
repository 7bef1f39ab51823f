"""The IndieAuth endpoints: metadata, authorization (consent), token, introspection, revocation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.accounts import SCOPES, parse_scopes, revoke_token, verify_token
from app.extensions import login
from app.indieauth import bp
from app.indieauth.clients import ClientError, check_client_id, check_redirect_uri
from app.indieauth.codes import GrantError, issue_code, redeem
from app.indieauth.tokens import (
    Issued,
    RefreshError,
    find_issued,
    find_refreshable,
    issue,
    refresh,
    refresh_active,
)

#: What each scope lets a client do, as the consent page says it.
SCOPE_TEXT = {
    "create": "create posts and notes",
    "update": "change posts",
    "delete": "delete and undelete posts",
    "media": "upload images",
}
AUTHORIZE_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
    "scope",
    "me",
)


def authoring_url(endpoint: str, **values: Any) -> str:
    """An endpoint's URL as clients reach it: under ``AUTHORING_URL`` when set."""
    base = current_app.config.get("AUTHORING_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def issuer() -> str:
    """The issuer identifier: the authoring app's root URL (a prefix of the metadata URL)."""
    return authoring_url("indieauth.metadata").removesuffix(
        ".well-known/oauth-authorization-server"
    )


def me() -> str:
    """The profile URL every token speaks for: the site's own."""
    return str(current_app.config["SITE_URL"]).rstrip("/") + "/"


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:  # RFC 6750 section 3: how to authenticate; the error if a token came
        told = f' error="{error}"' if request.headers.get("Authorization") else ""
        response.headers["WWW-Authenticate"] = f"Bearer{told}"
    return response


@bp.get("/.well-known/oauth-authorization-server")
def metadata() -> Response:
    """The authorization server's metadata (RFC 8414, as IndieAuth uses it)."""
    return jsonify(
        {
            "issuer": issuer(),
            "authorization_endpoint": authoring_url("indieauth.authorize"),
            "token_endpoint": authoring_url("indieauth.token"),
            "introspection_endpoint": authoring_url("indieauth.introspect"),
            "introspection_endpoint_auth_methods_supported": ["Bearer"],
            "revocation_endpoint": authoring_url("indieauth.revoke"),
            "revocation_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
            "service_documentation": "https://indieauth.spec.indieweb.org/",
        }
    )


class ConsentForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    """The consent page's POST: a CSRF token; the request's fields ride along as hidden."""


def _request_fields(source: Any) -> dict[str, str]:
    return {name: str(source.get(name, "")) for name in AUTHORIZE_FIELDS}


def _checked(fields: dict[str, str]) -> tuple[str, str]:
    """The request's client_id and redirect_uri, or a 400 page (never a redirect to a URL we
    could not check)."""
    try:
        client_id = check_client_id(fields["client_id"])
        return client_id, check_redirect_uri(client_id, fields["redirect_uri"])
    except ClientError as exc:
        abort(_page_error(str(exc)))


def _page_error(message: str) -> Response:
    page = render_template("indieauth/error.html", message=message)
    return Response(page, status=400)


def _back(redirect_uri: str, **params: str) -> BaseResponse:
    """Back to the client with ``params`` (and ``iss``) added to its redirect URL's query."""
    separator = "&" if urlsplit(redirect_uri).query else "?"
    query = urlencode({**params, "iss": issuer()})
    return redirect(f"{redirect_uri}{separator}{query}", code=302)


def _request_problem(fields: dict[str, str]) -> str | None:
    """What is wrong with an authorization request the client can be told of, if anything."""
    if fields["response_type"] not in ("code", "id"):
        return "response_type must be 'code'"
    if fields["code_challenge_method"] != "S256" or not fields["code_challenge"]:
        return "PKCE is required: send code_challenge with code_challenge_method=S256"
    if not fields["state"]:
        return "state is required"
    return None


@bp.before_request
def require_login() -> BaseResponse | None:
    """The consent page and its answer need a signed-in author (a guard on the blueprint,
    as the admin has); introspection a bearer token; the rest of the back channel (codes,
    tokens) neither."""
    if request.endpoint == "indieauth.introspect":
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or verify_token(raw.strip()) is None:
            return oauth_error(
                "invalid_token", "introspection needs a bearer token of this site", 401
            )
        return None
    if current_user.is_authenticated:
        return None
    if request.endpoint == "indieauth.consent" or (
        request.endpoint == "indieauth.authorize" and request.method != "POST"
    ):
        to_login: BaseResponse = login.unauthorized()  # a redirect (flask_login is untyped)
        return to_login
    return None


@bp.route("/indieauth/auth", methods=["GET", "POST"])
def authorize() -> BaseResponse | str:
    """GET: the consent page (which client, where it goes back to, what it may do). POST: a
    code redeemed for the profile URL only (``me``), no token."""
    if request.method == "POST":
        return profile()
    fields = _request_fields(request.args)
    client_id, redirect_uri = _checked(fields)
    problem = _request_problem(fields)
    if problem:
        return _back(
            redirect_uri, error="invalid_request", error_description=problem, state=fields["state"]
        )
    asked = parse_scopes(fields["scope"])
    page = render_template(
        "indieauth/consent.html",
        form=ConsentForm(),
        fields=fields,
        client_id=client_id,
        client_host=urlsplit(client_id).hostname,
        redirect_uri=redirect_uri,
        scopes=[(scope, SCOPE_TEXT[scope], scope in asked) for scope in SCOPES],
        unknown=sorted(set(fields["scope"].split()) - set(SCOPES)),
        me=me(),
    )
    response = Response(page)
    response.headers["Content-Security-Policy"] = _consent_policy(redirect_uri)
    response.headers["Cache-Control"] = "no-store"
    return response


def _consent_policy(redirect_uri: str) -> str:
    """The admin's policy, letting the consent form's answer go on to the client."""
    parts = urlsplit(redirect_uri)
    web = parts.scheme in ("http", "https")  # else a native app's own scheme: all of it
    target = f"{parts.scheme}://{parts.netloc}" if web else f"{parts.scheme}:"
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; "
        f"base-uri 'self'; frame-ancestors 'none'; form-action 'self' {target}"
    )


@bp.post("/indieauth/consent")
def consent() -> BaseResponse:
    """The author's answer: a code back to the client, or ``access_denied``."""
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(_page_error("the form expired: go back to the app and sign in again"))
    fields = _request_fields(request.form)
    client_id, redirect_uri = _checked(fields)
    problem = _request_problem(fields)
    if problem:
        abort(_page_error(problem))
    if request.form.get("decision") != "approve":
        return _back(redirect_uri, error="access_denied", state=fields["state"])
    scopes = parse_scopes(" ".join(request.form.getlist("scopes")))
    code = issue_code(
        current_user._get_current_object(),
        client_id,
        redirect_uri,
        scopes,
        fields["code_challenge"],
    )
    return _back(redirect_uri, code=code, state=fields["state"])


def _redeem_form(for_token: bool = False) -> Any:
    form = request.form
    if form.get("grant_type", "authorization_code") != "authorization_code":
        return oauth_error(
            "unsupported_grant_type", "use grant_type=authorization_code (or refresh_token)"
        )
    missing = [k for k in ("code", "client_id", "redirect_uri", "code_verifier") if not form.get(k)]
    if missing:
        return oauth_error("invalid_request", f"missing {', '.join(missing)}")
    try:
        return redeem(
            form["code"],
            form["client_id"],
            form["redirect_uri"],
            form["code_verifier"],
            for_token=for_token,
        )
    except GrantError as exc:
        return oauth_error("invalid_grant", str(exc))


def profile() -> Response:
    """A code redeemed at the authorization endpoint: who signed in (``me``), no token."""
    grant = _redeem_form()
    if isinstance(grant, Response):
        return grant
    return jsonify({"me": me()})


@bp.route("/indieauth/token", methods=["POST", "GET"])
def token() -> Response:
    """POST: a code (or a refresh token) for an access token with the approved scopes, that
    expires, and a refresh token. GET: the older token verification."""
    if request.method != "POST":  # GET and HEAD
        return verify()
    if request.form.get("action") == "revoke":  # the older revocation request
        return revoke()
    if request.form.get("grant_type") == "refresh_token":
        return refreshed()
    grant = _redeem_form(for_token=True)  # a code without scopes is refused, not used up
    if isinstance(grant, Response):
        return grant
    host = urlsplit(grant.client_id).hostname or grant.client_id
    return _token_response(issue(grant.user, grant.client_id, host, grant.scopes))


def refreshed() -> Response:
    """``grant_type=refresh_token``: a new pair for a refresh token, its scopes or fewer."""
    form = request.form
    missing = [k for k in ("refresh_token", "client_id") if not form.get(k)]
    if missing:
        return oauth_error("invalid_request", f"missing {', '.join(missing)}")
    try:
        issued = refresh(form["refresh_token"], form["client_id"], form.get("scope"))
    except RefreshError as exc:
        return oauth_error(exc.error, str(exc))
    return _token_response(issued)


def _token_response(issued: Issued) -> Response:
    response = jsonify(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "scope": issued.token.scopes,
            "me": me(),
            "expires_in": issued.expires_in,
            "refresh_token": issued.refresh_token,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def verify() -> Response:
    """The older token verification: the bearer token's ``me``, ``client_id`` and ``scope``."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    found = verify_token(raw.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        return oauth_error("invalid_token", "send an active token as 'Authorization: Bearer'", 401)
    return jsonify({"me": me(), "client_id": found.client_id, "scope": found.scopes})


@bp.post("/indieauth/introspect")
def introspect() -> Response:
    """Token introspection (RFC 7662) of an access or refresh token, for a caller holding a
    token of this site (checked by ``require_login``, before Flask answers OPTIONS too)."""
    raw = request.form.get("token", "")
    found = verify_token(raw)
    expires = found.expires_at if found is not None else None
    if found is None:
        found = find_refreshable(raw)
        if found is None or not refresh_active(found):
            return jsonify({"active": False})
        expires = found.refresh_expires_at
    answer: dict[str, Any] = {
        "active": True,
        "me": me(),
        "client_id": found.client_id,
        "scope": found.scopes,
        "iat": _epoch(found.created_at),
    }
    if expires is not None:
        answer["exp"] = _epoch(expires)
    return jsonify(answer)


def _epoch(naive_utc: datetime) -> int:
    """Seconds since the epoch of a UTC time stored without its zone."""
    return int(naive_utc.replace(tzinfo=UTC).timestamp())


@bp.post("/indieauth/revoke")
def revoke() -> Response:
    """Revoke a token (RFC 7009), access or refresh (either revokes both): 200 whether or not
    it was known."""
    found = find_issued(request.form.get("token", ""))
    if found is not None:
        revoke_token(found)
    return Response(status=200)


#: Views called by clients with codes and tokens: exempt from the forms' CSRF protection.
BACK_CHANNEL: tuple[Callable[..., Any], ...] = (authorize, token, introspect, revoke)

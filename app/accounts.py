"""Accounts: password logins, sessions, and API tokens (shared by the CLI, the API and the admin).

A token is ``mb_`` plus 43 URL-safe characters (256 random bits). Only its SHA-256 hash is
stored: with that much entropy a plain hash cannot be reversed, and unlike an HMAC keyed with
``SECRET_KEY`` it keeps working when the secret key is rotated. The first characters are kept
as a ``prefix`` so people can tell their tokens apart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import WRITE_SCOPES, ApiToken, User
from app.permissions import OWNER, ROLES

TOKEN_PREFIX = "mb_"
#: How much of the token is kept in clear for display.
DISPLAY_LENGTH = 11


_dummy_hash: list[str] = []


def _dummy_password_hash() -> str:
    """A hash of a random password, made once: checked when the username is unknown."""
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash(secrets.token_urlsafe(16)))
    return _dummy_hash[0]


def verify_login(username: str, password: str) -> User | None:
    """The user with this username and password, or None.

    An unknown username costs one password check too, so timing does not tell which
    usernames exist.
    """
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_password_hash(), password)
        return None
    return user if user.check_password(password) else None


def sign_out_everywhere(user: User) -> None:
    """End every session and remember-me cookie of ``user`` (API tokens are separate)."""
    user.rotate_session_token()
    db.session.commit()


def set_role(user: User, role: str) -> None:
    """Give ``user`` a role; the last owner keeps theirs (someone must manage the others)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    if user.role == OWNER and role != OWNER:
        owners = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == OWNER))
        if (owners or 0) <= 1:
            raise ValueError(f"{user.username!r} is the only owner: make someone else owner first")
    user.role = role
    db.session.commit()


def hash_token(raw: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


#: Every write scope, in the order they are shown and stored.
SCOPES = ("create", "update", "delete", "media")


def parse_scopes(text: str) -> tuple[str, ...]:
    """The scopes we know among a space-separated list (OAuth's ``scope``), in our order.

    Micropub's ``draft`` scope (create drafts only) is not offered: ``create`` is asked for.
    """
    asked = set(text.split())
    return tuple(scope for scope in SCOPES if scope in asked)


def create_token(
    user: User,
    name: str,
    *,
    read_only: bool = False,
    scopes: tuple[str, ...] | None = None,
    client_id: str | None = None,
    lifetime: timedelta | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user``; the clear token is returned once and never stored.

    ``scopes`` (``SCOPES``) says what it may change; without it a read-write token gets them
    all and a ``read_only`` one none. ``client_id`` names the IndieAuth client it was issued to;
    ``lifetime`` how long it works (None: until revoked).
    """
    name = " ".join(name.split())
    if not name:
        raise ValueError("a token needs a name, e.g. 'laptop' or 'ci'")
    if scopes is None:
        scopes = () if read_only else SCOPES
    unknown = sorted(set(scopes) - WRITE_SCOPES)
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}: use {', '.join(SCOPES)}")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name[:100],
        prefix=raw[:DISPLAY_LENGTH],
        token_hash=hash_token(raw),
        scopes=" ".join(s for s in SCOPES if s in scopes),
        client_id=client_id,
        expires_at=None if lifetime is None else _now() + lifetime,
    )
    db.session.add(token)
    db.session.commit()
    return token, raw


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Refusal:
    """Why a bearer token is not accepted, in words for the client (OAuth's ``invalid_token``)."""

    description: str
    expired: bool = False


UNKNOWN = Refusal("the token is unknown or has been revoked")


def check_token(raw: str) -> ApiToken | Refusal:
    """The one check of a bearer token (the API, Micropub, IndieAuth's introspection): the
    active token matching ``raw``, or why not (unknown, revoked, expired)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return UNKNOWN
    digest = hash_token(raw)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return UNKNOWN
    if token.revoked_at is not None:
        return UNKNOWN
    if token.expired:
        return Refusal(_expired_text(token), expired=True)
    return token


def _expired_text(token: ApiToken) -> str:
    when = f"{token.expires_at:%Y-%m-%d %H:%M} UTC"
    if token.refresh_hash is not None and token.replaced_by_id is None:
        then = "get a new one with your refresh token (grant_type=refresh_token at the token "
        return f"the token expired at {when}: {then}endpoint) or sign in again"
    if token.client_id:
        return f"the token expired at {when}: sign in to the site again from your app"
    return f"the token expired at {when}: create a new one (admin, API tokens)"


def verify_token(raw: str) -> ApiToken | None:
    """The active token matching ``raw``, or None (unknown, revoked or expired)."""
    found = check_token(raw)
    return found if isinstance(found, ApiToken) else None


def has_scope(token: ApiToken, scope: str) -> bool:
    """Whether ``token`` may do what ``scope`` names (``SCOPES``)."""
    return scope in token.scope_set


def revoke_token(token: ApiToken) -> None:
    """Revoke a token for good, and its refresh token (kept for the record, never accepted
    again)."""
    if token.revoked_at is None:
        token.revoked_at = _now()
        db.session.commit()


def tokens_for(user: User | None = None) -> list[ApiToken]:
    """Tokens, newest first; all users' when ``user`` is None."""
    query = sa.select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query))


def find_token(ref: str) -> ApiToken | None:
    """A token by its id or its display prefix (as ``flask token list`` shows them)."""
    if ref.isdigit():
        return db.session.get(ApiToken, int(ref))
    matches = list(db.session.scalars(sa.select(ApiToken).where(ApiToken.prefix == ref)))
    return matches[0] if len(matches) == 1 else None


#: One first-author setup at a time in this process (``flask run`` serves requests in threads).
_SETUP_LOCK = threading.Lock()
#: PostgreSQL advisory lock key of the first-author setup (any constant; "mb-setup").
_SETUP_KEY = 0x6D622D7365747570


def create_first_author(username: str, email: str, password: str) -> User | None:
    """The first author, made only while there is none: one winner however many ask at once
    (None for the others). Threads of this process wait for each other; on PostgreSQL other
    processes do too (an advisory lock held until the commit)."""
    with _SETUP_LOCK:
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SETUP_KEY})
        if db.session.scalar(sa.select(sa.func.count(User.id))):
            db.session.rollback()
            return None
        user = User(username=username, email=email, role=OWNER)  # the one who set it up
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

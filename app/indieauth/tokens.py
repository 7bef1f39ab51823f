"""IndieAuth's tokens: access tokens that expire, with a refresh token that gets a new pair.

A refresh token is ``mb_`` plus 43 random characters like an access token, and only its
hash is kept, on the access token's row (``ApiToken.refresh_hash``). Using it rotates: the
old row is revoked and points at the new one (``replaced_by_id``), so the refresh token is
good once. One that comes back after it was used was copied: the tokens issued from it are
revoked too, and the app signs in again (OAuth 2.0 Security BCP, refresh token rotation).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app

from app.accounts import TOKEN_PREFIX, create_token, hash_token, parse_scopes
from app.extensions import db
from app.indieauth.clients import canonical_url
from app.models import ApiToken, User

#: The defaults of ``INDIEAUTH_TOKEN_DAYS``: access tokens, refresh tokens.
DEFAULT_DAYS = (14.0, 90.0)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def lifetimes() -> tuple[timedelta, timedelta]:
    """How long access and refresh tokens last (``INDIEAUTH_TOKEN_DAYS``: '14,90' or '14')."""
    text = str(current_app.config.get("INDIEAUTH_TOKEN_DAYS", "") or "").strip()
    if not text:
        return timedelta(days=DEFAULT_DAYS[0]), timedelta(days=DEFAULT_DAYS[1])
    try:
        days = [float(part) for part in text.split(",")]
    except ValueError:
        days = []
    if not 1 <= len(days) <= 2 or any(not d > 0 for d in days):
        raise ValueError(
            f"INDIEAUTH_TOKEN_DAYS={text!r}: write the days an access token lasts and, after a "
            "comma, the days its refresh token does (e.g. '14,90'; both above 0)"
        )
    access = days[0]
    refresh = days[1] if len(days) == 2 else max(access, DEFAULT_DAYS[1])
    return timedelta(days=access), timedelta(days=refresh)


@dataclass(frozen=True)
class Issued:
    """A token response's tokens, in clear this once."""

    token: ApiToken
    access_token: str
    refresh_token: str
    expires_in: int


def issue(user: User, client_id: str, name: str, scopes: tuple[str, ...]) -> Issued:
    """A new access token and its refresh token for an approved client."""
    access, refresh = lifetimes()
    token, raw = create_token(user, name, scopes=scopes, client_id=client_id, lifetime=access)
    refresh_raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token.refresh_hash = hash_token(refresh_raw)
    token.refresh_expires_at = _now() + refresh
    db.session.commit()
    return Issued(token, raw, refresh_raw, int(access.total_seconds()))


class RefreshError(ValueError):
    """A refresh token we refuse (``error`` is OAuth's code); the message says why and what
    to do."""

    def __init__(self, description: str, error: str = "invalid_grant") -> None:
        super().__init__(description)
        self.error = error


def find_refreshable(raw: str) -> ApiToken | None:
    """The token row whose refresh token is ``raw`` (used, revoked or not), or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.refresh_hash == hash_token(raw)))


def find_issued(raw: str) -> ApiToken | None:
    """The row of an access or refresh token, whatever its state (for revocation)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    digest = hash_token(raw)
    return db.session.scalar(
        sa.select(ApiToken).where(
            sa.or_(ApiToken.token_hash == digest, ApiToken.refresh_hash == digest)
        )
    )


def refresh_active(token: ApiToken) -> bool:
    """Whether ``token``'s refresh token would get a new pair now."""
    return (
        token.refresh_expires_at is not None
        and token.refresh_expires_at > _now()
        and token.revoked_at is None
        and token.replaced_by_id is None
    )


def refresh(raw: str, client_id: str, scope: str | None) -> Issued:
    """A new token pair for a refresh token (``grant_type=refresh_token``), with its scopes
    or fewer (``scope`` narrows, never widens); the refresh token is used up."""
    old = find_refreshable(raw)
    again = "sign in again from the app"
    if old is None:
        raise RefreshError(f"the refresh token is unknown: {again}")
    if old.client_id != canonical_url(client_id):
        raise RefreshError("the refresh token was issued to another client_id")
    if old.replaced_by_id is not None:
        revoke_successors(old)
        raise RefreshError(
            f"the refresh token was already used (a refresh token is good once; the tokens "
            f"issued from it are revoked now): {again}"
        )
    if old.revoked_at is not None:
        raise RefreshError(f"the app's access was revoked by the author: {again}")
    if not refresh_active(old):
        raise RefreshError(f"the refresh token expired: {again}")
    scopes = old.scope_set
    if scope is not None and scope.strip():
        asked = set(scope.split())
        wider = sorted(asked - scopes)
        if wider:
            raise RefreshError(
                f"a refresh may not add scopes ({', '.join(wider)}): ask for {old.scopes!r} or "
                f"fewer, or sign in again to be allowed more",
                error="invalid_scope",
            )
        scopes = frozenset(asked)
    claimed = db.session.execute(  # one winner, however many use the refresh token at once
        sa.update(ApiToken)
        .where(
            ApiToken.id == old.id, ApiToken.replaced_by_id.is_(None), ApiToken.revoked_at.is_(None)
        )
        .values(revoked_at=_now())
    )
    db.session.commit()
    if cast("sa.CursorResult[()]", claimed).rowcount != 1:
        raise RefreshError(f"the refresh token was already used: {again}")
    db.session.refresh(old)
    issued = issue(old.user, old.client_id, old.name, parse_scopes(" ".join(scopes)))
    old.replaced_by_id = issued.token.id
    db.session.commit()
    return issued


def revoke_successors(token: ApiToken) -> None:
    """Revoke every token issued along a chain of refreshes after ``token``."""
    seen: set[int] = set()
    while token.replaced_by_id is not None and token.replaced_by_id not in seen:
        seen.add(token.replaced_by_id)
        following = db.session.get(ApiToken, token.replaced_by_id)
        if following is None:
            break
        if following.revoked_at is None:
            following.revoked_at = _now()
        token = following
    db.session.commit()

"""Authorization codes: made when the author approves a client, redeemed once within ten
minutes by the same client, redirect URL and PKCE verifier. Only their hash is stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import sqlalchemy as sa

from app.accounts import hash_token
from app.extensions import db
from app.indieauth.clients import canonical_url, verifier_matches
from app.models import AuthCode, User

#: How long a code may wait for its client (the spec: at most ten minutes).
CODE_LIFETIME = timedelta(minutes=10)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def issue_code(
    user: User, client_id: str, redirect_uri: str, scopes: tuple[str, ...], challenge: str
) -> str:
    """A new code; the clear code is returned once."""
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AuthCode(
            user=user,
            code_hash=hash_token(raw),
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=" ".join(scopes),
            code_challenge=challenge,
        )
    )
    # Codes past their time are of no use to anyone: clear them away as new ones come.
    db.session.execute(sa.delete(AuthCode).where(AuthCode.created_at < _now() - CODE_LIFETIME))
    db.session.commit()
    return raw


@dataclass(frozen=True)
class Grant:
    """What a redeemed code gave: the author and the scopes they approved."""

    user: User
    client_id: str
    scopes: tuple[str, ...]


class GrantError(ValueError):
    """A code that cannot be redeemed (OAuth's ``invalid_grant``); the message says why."""


def redeem(
    code: str, client_id: str, redirect_uri: str, verifier: str, *, for_token: bool = False
) -> Grant:
    """Use a code up, or ``GrantError``. A code is good once: a second try finds it used.
    ``for_token``: a code approved with no scope is refused and left unused, so the client
    can still redeem it for the profile at the authorization endpoint."""
    row = db.session.scalar(sa.select(AuthCode).where(AuthCode.code_hash == hash_token(code)))
    if row is None:
        raise GrantError("the code is unknown")
    if row.used_at is not None:
        raise GrantError("the code was already used")
    if row.created_at < _now() - CODE_LIFETIME:
        raise GrantError("the code expired: codes last ten minutes")
    # The client_id as the authorization request had it, canonical: clients send
    # ``https://app.example`` (no path) again here.
    if row.client_id != canonical_url(client_id) or row.redirect_uri != redirect_uri:
        raise GrantError("client_id and redirect_uri must be those of the authorization request")
    if not verifier_matches(verifier, row.code_challenge):
        raise GrantError("the code_verifier does not match the code_challenge (PKCE S256)")
    if for_token and not row.scopes.split():
        raise GrantError(
            "no scope was approved: this code is for signing in only (redeem it at the "
            "authorization endpoint)"
        )
    used = db.session.execute(  # one winner, however many redeem the code at once
        sa.update(AuthCode)
        .where(AuthCode.id == row.id, AuthCode.used_at.is_(None))
        .values(used_at=_now())
    )
    db.session.commit()
    if cast("sa.CursorResult[()]", used).rowcount != 1:
        raise GrantError("the code was already used")
    return Grant(user=row.user, client_id=row.client_id, scopes=tuple(row.scopes.split()))

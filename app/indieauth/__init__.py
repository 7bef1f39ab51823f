"""IndieAuth (https://indieauth.spec.indieweb.org/): the authoring app is the authorization
and token endpoint for the site's URL, so posting apps can sign in and get a Micropub token.

Authorization code flow with PKCE (S256 only); the signed-in author approves the client and
its scopes on a consent page (with CSRF). Codes and tokens are stored hashed
(``app.indieauth.codes``, ``app.accounts``). Registered only in the authoring app.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("indieauth", __name__)

from app.indieauth import views  # noqa: E402, F401  (register on bp)


def init_indieauth(app: Flask) -> None:
    """Mount the metadata, authorization, token, introspection and revocation endpoints
    (a wrong ``INDIEAUTH_TOKEN_DAYS`` stops the app here, not at a posting app's sign-in)."""
    from app.csrf import csrf
    from app.indieauth.tokens import lifetimes
    from app.indieauth.views import BACK_CHANNEL

    with app.app_context():
        lifetimes()

    app.register_blueprint(bp)
    for view in BACK_CHANNEL:  # clients call these with codes and tokens, not cookies
        csrf.exempt(view)

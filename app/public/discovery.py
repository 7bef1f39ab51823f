"""IndieWeb discovery of the built site: its Webmention endpoint and its ``rel=me`` profiles
(``WEBMENTION_ENDPOINT``, ``SITE_REL_ME``), checked when the app starts."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask.blueprints import BlueprintSetupState

from app.public import bp


def urls(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """A setting's URLs: a list, or text with commas between them."""
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip() for item in items if item.strip()]


@bp.record_once
def _check(state: BlueprintSetupState) -> None:
    """Refuse to start with an address that is not an absolute http(s) URL: a static site
    cannot answer for a relative one, and a reader's tool would follow it to nowhere."""
    for name in ("WEBMENTION_ENDPOINT", "SITE_REL_ME"):
        for url in urls(state.app.config.get(name) or ""):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    f"{name}: {url!r} is not an absolute http(s) URL: write it in full, "
                    f"as https://{url.split('://')[-1].lstrip('/')}"
                )

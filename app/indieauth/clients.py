"""IndieAuth clients: their ``client_id`` and ``redirect_uri`` checked as the spec says, and
PKCE's S256."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
from html.parser import HTMLParser
from urllib.error import URLError
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.request import Request, urlopen

#: Schemes a redirect_uri may never have, even published: the browser would run or read
#: what follows instead of handing the code to an app.
NEVER_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob", "about"})
#: How long fetching a client's page may take, and how much of it is read.
FETCH_TIMEOUT = 5
FETCH_BYTES = 256 * 1024


class ClientError(ValueError):
    """A client_id or redirect_uri we refuse; the message says which and why."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def canonical_url(url: str) -> str:
    """``url`` as IndieAuth compares URLs (section 3.4): scheme and host in lower case, and
    the path ``/`` when it has none (``https://app.example`` is ``https://app.example/``)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return url
    return urlunsplit(
        (parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, parts.fragment)
    )


def check_client_id(client_id: str) -> str:
    """A client_id as the spec allows it, canonical (``canonical_url``): an http(s) URL, no
    fragment, no user or password, no '.' or '..' in its path, a host name (an IP address
    only for loopback)."""
    parts = urlsplit(client_id)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ClientError(f"client_id {client_id!r} must be an https URL")
    if parts.fragment or parts.username or parts.password:
        raise ClientError(f"client_id {client_id!r} may not have a fragment, user or password")
    if any(seg in (".", "..") for seg in parts.path.split("/")):
        raise ClientError(f"client_id {client_id!r} may not have '.' or '..' in its path")
    client_id = canonical_url(client_id)
    host = parts.hostname
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return client_id
    if not _is_loopback(host):
        raise ClientError(f"client_id {client_id!r} may not be an IP address")
    return client_id


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or ""), parts.port


class _RedirectLinks(HTMLParser):
    """``<link rel="redirect_uri" href>`` (and ``<a rel>``) of a client's page."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        rels = (values.get("rel") or "").split()
        if tag in ("link", "a") and "redirect_uri" in rels and values.get("href"):
            self.found.append(urljoin(self.base, values["href"] or ""))


def published_redirect_uris(client_id: str) -> list[str]:
    """The redirect URLs a client publishes: its JSON metadata's ``redirect_uris``, its
    ``Link: <...>; rel="redirect_uri"`` headers and ``rel="redirect_uri"`` links."""
    request = Request(client_id, headers={"Accept": "application/json, text/html;q=0.9"})
    try:
        with urlopen(request, timeout=FETCH_TIMEOUT) as response:
            data = response.read(FETCH_BYTES)
            links = response.headers.get_all("Link") or []
            kind = response.headers.get_content_type()
            final = response.geturl()
    except (URLError, OSError, ValueError):
        return []
    found = [
        urljoin(final, part.split(">", 1)[0].strip().lstrip("<"))
        for header in links
        for part in header.split(",")
        if "redirect_uri" in part.split(">", 1)[-1]
    ]
    text = data.decode("utf-8", errors="replace")
    if kind == "application/json":
        try:
            metadata = json.loads(text)
        except ValueError:
            metadata = {}
        uris = metadata.get("redirect_uris") if isinstance(metadata, dict) else None
        found += [u for u in uris or [] if isinstance(u, str)]
    else:
        parser = _RedirectLinks(final)
        parser.feed(text)
        found += parser.found
    return found


def check_redirect_uri(client_id: str, redirect_uri: str) -> str:
    """``redirect_uri`` if it is on the client's scheme, host and port, or one the client
    publishes (fetched from ``client_id``); else ``ClientError``. A native app's own scheme
    (``myapp://callback``) must be published, exactly; scripts and files never are."""
    parts = urlsplit(redirect_uri)
    if parts.fragment or not parts.scheme or parts.scheme in NEVER_SCHEMES:
        raise ClientError(f"redirect_uri {redirect_uri!r} must be an http(s) URL or an app's")
    if parts.scheme not in ("https", "http"):
        if redirect_uri in published_redirect_uris(client_id):
            return redirect_uri
        raise ClientError(
            f"redirect_uri {redirect_uri!r} is not an http(s) URL and {client_id} does not "
            "publish it (rel=redirect_uri or redirect_uris in its metadata)"
        )
    if not parts.hostname:
        raise ClientError(f"redirect_uri {redirect_uri!r} must be an http(s) URL")
    if _origin(redirect_uri) == _origin(client_id):
        return redirect_uri
    if redirect_uri in published_redirect_uris(client_id):
        return redirect_uri
    raise ClientError(
        f"redirect_uri {redirect_uri!r} is not on {client_id}'s host and the client does not "
        "publish it (rel=redirect_uri or redirect_uris in its metadata)"
    )


def s256(verifier: str) -> str:
    """PKCE's S256 challenge of ``verifier``: base64url(SHA-256), no padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(verifier: str, challenge: str) -> bool:
    """Whether a code_verifier (43-128 characters, RFC 7636) answers the challenge."""
    if not 43 <= len(verifier) <= 128 or not verifier.isascii():
        return False
    return hmac.compare_digest(s256(verifier), challenge)

"""Short, bounded HTTP for Webmentions (urllib: no dependency the built site does not have)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

#: Most of a page read to find its endpoint (it is usually in the head).
PAGE_BYTES = 1024 * 1024
USER_AGENT = "microblog-webmention/1 (+https://www.w3.org/TR/webmention/)"


class SendError(Exception):
    """A page that could not be read, or an endpoint that did not take the mention."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    links: list[str]  # Link headers
    is_html: bool
    text: str


def fetch(url: str, timeout: float) -> Fetched:
    """GET a page (following redirects); ``SendError`` when it cannot be read."""
    request = Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, */*;q=0.5"})
    try:
        with urlopen(request, timeout=timeout) as response:  # http(s) only: see the caller
            body = response.read(PAGE_BYTES)
            charset = response.headers.get_content_charset() or "utf-8"
            return Fetched(
                url=response.geturl(),
                links=response.headers.get_all("Link") or [],
                is_html=response.headers.get_content_type()
                in ("text/html", "application/xhtml+xml"),
                text=body.decode(charset, errors="replace"),
            )
    except HTTPError as exc:
        raise SendError(f"{url} answered {exc.code}") from exc
    except (URLError, OSError, ValueError) as exc:
        raise SendError(f"{url} could not be read: {getattr(exc, 'reason', exc)}") from exc


def post_mention(endpoint: str, source: str, target: str, timeout: float) -> int:
    """POST ``source`` and ``target`` to the endpoint; its status, or ``SendError``."""
    data = urlencode({"source": source, "target": target}).encode()
    request = Request(
        endpoint,
        data=data,
        headers={"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except HTTPError as exc:
        raise SendError(f"{endpoint} refused the mention of {target}: {exc.code}") from exc
    except (URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"{endpoint} could not be reached for {target}: {reason}") from exc

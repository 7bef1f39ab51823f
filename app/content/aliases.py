"""``aliases:``: the old site paths of a post or page, each checked and given the file of the
build its redirect page is written to."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from app.content.notes import NOTE_SLUG

#: Longest alias taken (a path, not a document).
MAX_ALIAS_LENGTH = 500
HINT = "write site paths such as '/2015/01/old-title/' or '/old.html', one list item each"
#: What a path may not hold: spaces and control characters, a backslash, quotes and angle
#: brackets, a query or fragment.
_REFUSED = re.compile(r"[\s\x00-\x1f\x7f\\?#\"<>]")
#: What it may not hold once its escapes are read: the same, but for a space (``%20``, as a
#: category with a space is in Jekyll's URLs), and '%' is then a '%' of the name.
_REFUSED_UNQUOTED = re.compile(r"[^\S ]|[\x00-\x1f\x7f\\?#\"<>]")
#: A '%' that does not begin an escape ('%2', '100%', '%zz').
_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def check_alias(value: Any) -> str:
    """One alias as written (escapes kept), or ``ValueError`` saying what is wrong with it."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"an alias must be a path as text, got {value!r}")
    path = value.strip()
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path) or path.startswith("//"):
        raise ValueError(f"{path!r} names a scheme or host: write only the path")
    if not path.startswith("/"):
        raise ValueError(f"{path!r} must start with '/'")
    if path == "/":
        raise ValueError("'/' is the home page, not an old address")
    if len(path) > MAX_ALIAS_LENGTH:
        raise ValueError(f"{path[:40]!r}… is longer than {MAX_ALIAS_LENGTH} characters")
    if " " in path:
        raise ValueError(f"{path!r} has the character ' ': write a space as %20")
    if _BARE_PERCENT.search(path):
        raise ValueError(f"{path!r} has a '%' that is not an escape such as %20: write '%' as %25")
    if re.search("%2f", path, re.IGNORECASE):  # hosts differ: one folder, or two?
        raise ValueError(f"{path!r} has an escaped '/' (%2F): write the path with '/'")
    try:
        unquoted = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise ValueError(f"{path!r} has escapes that are not UTF-8 text") from None
    found = _REFUSED.search(path) or _REFUSED_UNQUOTED.search(unquoted)  # %3F is a '?' too
    if found:
        what = {"?": "a query", "#": "a fragment"}.get(found[0], f"the character {found[0]!r}")
        raise ValueError(f"{path!r} has {what}: write the path alone")
    segments = unquoted.strip("/").split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise ValueError(f"{path!r} has an empty, '.' or '..' part")
    return path


def check_aliases(value: Any) -> list[str]:
    """The ``aliases:`` value (a list, or one path) as a list of distinct paths, in order."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError("expected a list of paths")
    aliases: list[str] = []
    for item in items:
        path = check_alias(item)
        if path not in aliases:
            aliases.append(path)
    return aliases


def alias_file(path: str) -> str:
    """The build's file for an alias as written, its escapes read (a host serving
    ``/a%20b/`` reads ``a b/index.html``): ``/old/`` and ``/old`` -> ``old/index.html``; a
    name with an extension (``/old.html``, ``/feed.xml``) is that file."""
    return url_file(alias_url(path))


def alias_url(path: str) -> str:
    """The path an alias is served at, percent-escapes read (as a request's path is): with
    the ``/`` of its folder when it is one (``/old`` is ``old/index.html``, at ``/old/``)."""
    unquoted = unquote(path)
    last = unquoted.rstrip("/").rsplit("/", 1)[-1]
    if unquoted.endswith("/") or "." not in last:
        return unquoted.rstrip("/") + "/"
    return unquoted


def url_file(url: str) -> str:
    """The build's file for an alias URL (as ``alias_url`` gives it, escapes read already:
    never read twice, so ``/a%2541/``'s page is ``a%41/index.html``)."""
    return url.lstrip("/") + ("index.html" if url.endswith("/") else "")


def is_page(url: str) -> bool:
    """Whether a redirect page (HTML) can be written at ``url``: a folder or an ``.html``
    (``.htm``) file; other names (``/feed.xml``) get only the hosts' redirects."""
    return url.endswith(("/", ".html", ".htm"))


#: The path of each kind's own page, as the public routes make it (``app/public/routes.py``).
PAGE_PATHS = {"post": "/posts/{}/", "page": "/{}/"}


def own_url(kind: str, slug: str) -> str:
    """The URL of the page of a post, page or note (a note's from its date-shaped slug)."""
    if kind == "note":
        match = NOTE_SLUG.match(slug)
        return "/notes/{}/{}/{}/{}/".format(*match.groups()) if match else f"/notes/{slug}/"
    return PAGE_PATHS.get(kind, PAGE_PATHS["post"]).format(slug)


def renamed(aliases: list[str], kind: str, old_slug: str, new_slug: str) -> list[str]:
    """The ``aliases`` of a published post or page whose slug changes from ``old_slug``:
    with its old URL, so links to it never die, and without its new one (a slug renamed
    back to an old one)."""
    pattern = PAGE_PATHS.get(kind)
    if pattern is None or old_slug == new_slug:
        return aliases
    old, new = pattern.format(old_slug), alias_url(pattern.format(new_slug))
    kept = [alias for alias in aliases if alias_url(alias) != new]
    return kept if any(alias_url(alias) == old for alias in kept) else [*kept, old]


@dataclass(frozen=True)
class Clash:
    """An old URL that cannot redirect: the alias ``url`` of ``content/<source>`` is also
    claimed by ``other`` (another file's alias, or a page: its words, from ``page_at``)."""

    source: str
    url: str
    other: str
    as_alias: bool

    def what(self) -> str:
        """What is wrong, in words naming the other side."""
        if self.as_alias:
            return f"the alias {self.url} is also an alias of {self.other}"
        return f"the alias {self.url} is the URL of {self.other}"

    def message(self) -> str:
        """The build's words for it: both sides and what to do."""
        advice = (
            "keep it in one file's 'aliases:'"
            if self.as_alias
            else "remove the alias, or move that page"
        )
        return f"content/{self.source}: {self.what()} ({advice})"


def clashes(
    claimed: Iterable[tuple[str, str]], page_at: Callable[[str], str | None]
) -> list[Clash]:
    """The one rule of old URLs, for the build and for every save: each alias URL (as
    ``alias_url`` gives it) of the ``(url, source)`` pairs is one file's, and no page's
    (``page_at(url)``: who makes the page at ``url``, or None)."""
    owners: dict[str, str] = {}
    found: list[Clash] = []
    for url, source in claimed:
        if url in owners:
            if owners[url] != source:
                found.append(Clash(source, url, f"content/{owners[url]}", as_alias=True))
            continue
        owners[url] = source
        page = page_at(url)
        if page is not None:
            found.append(Clash(source, url, page, as_alias=False))
    return found

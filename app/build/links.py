"""Check every internal link, anchor and asset reference of a built site.

A page's references are read once, when it is rendered (:func:`page_links`), and resolved to
the file they point at; a build keeps them in its manifest, so the pages it did not re-render
are checked from there (:func:`check_references`) without parsing them again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal
from urllib.parse import unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

if TYPE_CHECKING:
    from app.build.manifest import FileRecord

_URL_ATTRS = frozenset(("href", "src", "poster", "data"))


@dataclass(frozen=True)
class BrokenLink:
    page: str
    url: str
    reason: str
    #: Where the link is written ('content/posts/a.md:12'; no line: somewhere in that file or
    #: its template), None: not in a content file (see ``app.build.blame``).
    source: str | None = None

    def __str__(self) -> str:
        if self.source is None:
            where = "it is not in the page's content file: look in site/templates/"
        elif ":" in self.source:
            where = f"written at {self.source}"
        else:
            where = f"the page comes from {self.source} (or its template in site/templates/)"
        return (
            f"{self.page}: broken link {self.url} ({self.reason}); {where}: "
            f"correct the link, or add {_what_is_missing(self.reason)}"
        )


def _what_is_missing(reason: str) -> str:
    return "that id to the page" if reason.startswith("no element with id") else "what it points to"


@dataclass
class PageLinks:
    """One page's internal references as (as written, target file, fragment), and its ids."""

    refs: list[tuple[str, str, str]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    #: References that are wrong whatever the rest of the site holds, with the reason.
    broken: list[tuple[str, str]] = field(default_factory=list)


#: In a page's ids: the page is a redirect (``<meta http-equiv="refresh">``, an alias's), so
#: any fragment of a link to it is fine (it sends readers on). No id has a space.
REFRESH = " refresh"


def _references(html: bytes | str) -> tuple[list[str], set[str]]:
    """Every URL an element refers to, and every id (and ``<a name>``) the page defines."""
    urls: list[str] = []
    ids: set[str] = set()
    # Every element in document order, its attributes read in Python: a third less time
    # than selecting them with css('*'), half that of lexbor matching attribute selectors
    # ('[href],[id],...') on each element.
    root = LexborHTMLParser(html).root
    assert root is not None  # lexbor makes <html> even of an empty text
    for node in root.traverse():
        attributes = node.attributes
        if not attributes:
            continue
        for name, value in attributes.items():
            if not value:
                continue
            if name in _URL_ATTRS:
                urls.append(value)
            elif name == "id" or (name == "name" and node.tag == "a"):
                ids.add(value)
            elif name == "srcset":
                urls.extend(part.split()[0] for part in value.split(",") if part.strip())
            elif name == "http-equiv" and value.lower() == "refresh":
                ids.add(REFRESH)
    return urls, ids


def page_url(rel: str, base_path: str) -> str:
    """The path a file of the build is served at: ``a/index.html`` is ``/base/a/``."""
    index = rel == "index.html" or rel.endswith("/index.html")
    return base_path + (rel.removesuffix("index.html") if index else rel)


def base_path_of(base_url: str) -> str:
    path = urlsplit(base_url).path
    return path if path.endswith("/") else path + "/"


def page_links(rel: str, html: bytes | str, base_url: str) -> PageLinks:
    """The references of the page built at ``rel``, resolved against the site at ``base_url``."""
    urls, ids = _references(html)
    links = PageLinks(ids=ids)
    # Most references are site-rooted ('/tags/x/') or absolute (the canonical URL, the
    # feeds): the same from every page, so each is resolved once per site, then looked up.
    fixed = _fixed_references(base_url)
    here = None
    for raw in urls:
        found = fixed.get(raw, _UNSEEN)
        if found is _UNSEEN:
            found = fixed[raw] = _RELATIVE if _relative(raw) else _site_outcome(base_url, raw)
        if found is _RELATIVE:
            if _PLAIN_FRAGMENT.fullmatch(raw):  # '#main': this page, as urljoin would say
                links.refs.append((raw, rel, raw[1:]))
                continue
            here = here or page_url(rel, base_path_of(base_url))
            found = _outcome(base_url, here, raw)
        if found is None:
            continue
        if isinstance(found, str):
            links.broken.append((raw, found))
        else:  # one object per distinct reference: a build keeps those of every page
            links.refs.append(found)
    return links


#: What a reference comes to (see ``_outcome``).
Outcome = tuple[str, str, str] | str | None


class _Mark(Enum):
    UNSEEN = "unseen"
    RELATIVE = "relative"


_UNSEEN: Final = _Mark.UNSEEN
_RELATIVE: Final = _Mark.RELATIVE


@lru_cache(maxsize=8)
def _fixed_references(base_url: str) -> dict[str, Outcome | Literal[_Mark.RELATIVE]]:
    """Per site: what each reference that reads the same on every page comes to (see
    ``_outcome``), or ``_RELATIVE``. Bounded by the site's distinct references."""
    return {}


#: References whose resolution is the reference itself: no dot segments ('/./', '/../',
#: which need '/.'), no query, fragment, escapes or characters that ``urlsplit`` drops.
_PLAIN_PATH = re.compile(r"/(?!/)(?:[A-Za-z0-9_~!$&'()*+,;=:@-]|\.(?<!/\.)|/)*")
_PLAIN_FRAGMENT = re.compile(r"#[A-Za-z0-9._~:-]*")


def _site_outcome(base_url: str, raw: str) -> Outcome:
    """``_outcome`` of a reference that reads the same on every page (site-rooted, or with
    a scheme), without ``urljoin`` for plain paths of the site (10 000 posts' links are)."""
    origin, base_path = _origin(base_url)
    absolute = raw.startswith(origin)
    path = raw[len(origin) :] if absolute else raw  # else: it must start with '/'
    if not _PLAIN_PATH.fullmatch(path):
        return _outcome(base_url, "/", raw)
    if not path.startswith(base_path):
        # a full URL to another part of the site's host is a link elsewhere, on purpose
        return None if absolute else f"outside the site root {base_path}"
    target = path[len(base_path) :]
    return _reference(raw, target + "index.html" if path.endswith("/") else target, "")


@lru_cache(maxsize=8)
def _origin(base_url: str) -> tuple[str, str]:
    """('http://host:8000', '/base/') of a site's URL."""
    base = urlsplit(base_url)
    return f"{base.scheme}://{base.netloc}", base_path_of(base_url)


def _outcome(base_url: str, here: str, raw: str) -> Outcome:
    """``raw`` on the page at ``here``: (as written, file, fragment); a string: why it is
    broken; None: not a reference into the site."""
    resolved = _resolve(base_url, here, raw.strip())
    if resolved is None:
        return None
    target, fragment, problem = resolved
    return problem if problem else _reference(raw, target, fragment)


@lru_cache(maxsize=65536)
def _reference(raw: str, target: str, fragment: str) -> tuple[str, str, str]:
    return raw, target, fragment


_SCHEME = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.-]*:")


def _relative(raw: str) -> bool:
    """Whether ``raw`` means something else on another page: not site-rooted ('/a/'), not
    with a scheme ('https:', 'mailto:'). A network-path reference ('//host/') is relative
    (to the page's scheme)."""
    stripped = raw.strip()
    if stripped.startswith("/"):
        return stripped.startswith("//")
    return _SCHEME.match(stripped) is None


@lru_cache(maxsize=65536)
def _resolve(base_url: str, here: str, raw: str) -> tuple[str, str, str | None] | None:
    """(file, fragment, problem) that ``raw`` on the page at ``here`` refers to; None: not ours."""
    base = urlsplit(base_url)
    base_path = base_path_of(base_url)
    url = urlsplit(urljoin(here, raw))
    if url.scheme and url.scheme not in ("http", "https"):
        return None  # mailto:, tel:, ...
    scheme = url.scheme or base.scheme  # '//host/a/': the scheme of the page, the site's
    if url.netloc and (scheme, url.netloc) != (base.scheme, base.netloc):
        return None  # another site
    if not url.path.startswith(base_path):
        if url.netloc:  # a full URL to another part of the host (the site is in /blog/)
            return None
        return "", "", f"outside the site root {base_path}"
    target = unquote(url.path[len(base_path) :])
    if url.path.endswith("/"):
        target += "index.html"
    return target, unquote(url.fragment), None


def _ids(pages: Mapping[str, PageLinks], rel: str) -> set[str]:
    found = pages.get(rel)
    return found.ids if found else set()


def _lacks(pages: Mapping[str, PageLinks], rel: str, fragment: str) -> bool:
    """Whether the page ``rel`` has no element with the id ``fragment`` (a redirect page
    has every one: ``REFRESH``)."""
    ids = _ids(pages, rel)
    return fragment not in ids and REFRESH not in ids


def _missing(target: str, files: set[str]) -> str:
    """Why ``target``, which is not among ``files``, is not there, in a reader's words."""
    if target == "index.html" or target.endswith("/index.html"):
        folder = target.removesuffix("index.html")
        if any(f.startswith(folder) for f in files):
            return "a folder without index.html"
    elif f"{target}/index.html" in files:
        return "a folder: end the link with '/'"
    return "no such file"


def check_references(
    pages: Mapping[str, PageLinks], files: set[str], only: Iterable[str] | None = None
) -> list[BrokenLink]:
    """Broken references of ``only`` (default: every page) given the build's ``files``."""
    broken: list[BrokenLink] = []
    for rel in sorted(pages if only is None else only):
        links = pages[rel]
        broken.extend(BrokenLink(rel, raw, reason) for raw, reason in links.broken)
        for raw, target, fragment in links.refs:
            if target not in files:
                broken.append(BrokenLink(rel, raw, _missing(target, files)))
            elif fragment and target.endswith(".html") and _lacks(pages, target, fragment):
                broken.append(BrokenLink(rel, raw, f"no element with id '{fragment}'"))
    return broken


def ignore_prefixes(setting: str) -> tuple[str, ...]:
    """``LINK_CHECK_IGNORE`` ('/docs/, wiki/') as site paths ('/docs/', '/wiki/')."""
    return tuple("/" + part.strip().lstrip("/") for part in setting.split(",") if part.strip())


def exempt_prefix(link: BrokenLink, prefixes: Sequence[str], base_path: str) -> str | None:
    """The prefix of ``prefixes`` (site paths such as ``/docs/``: ``LINK_CHECK_IGNORE``)
    that the broken ``link`` points under, if any."""
    if not prefixes:
        return None
    path = urlsplit(urljoin(page_url(link.page, base_path), link.url.strip())).path
    site = "/" + path[len(base_path) :] if path.startswith(base_path) else path
    return next((prefix for prefix in prefixes if site.startswith(prefix)), None)


def exempt_links(
    broken: list[BrokenLink], prefixes: Sequence[str], base_path: str
) -> tuple[list[BrokenLink], list[str]]:
    """``broken`` without the links under ``prefixes``, and a warning for each of those."""
    errors: list[BrokenLink] = []
    warnings: list[str] = []
    for link in broken:
        prefix = exempt_prefix(link, prefixes, base_path)
        if prefix is None:
            errors.append(link)
        else:
            warnings.append(f"{link} (a warning only: LINK_CHECK_IGNORE exempts {prefix})")
    return errors, warnings


def check_links(root: Path, base_url: str) -> list[BrokenLink]:
    """Broken internal references in every HTML file under ``root``, deployed at ``base_url``."""
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    pages = {
        rel: page_links(rel, (root / rel).read_bytes(), base_url)
        for rel in files
        if rel.endswith(".html")
    }
    return check_references(pages, files)


class RecordedLinks(Mapping[str, PageLinks]):
    """The references of every page of a build, unpacked when a check asks for a page (the
    last few kept: a page's anchors are looked up once per link to them)."""

    def __init__(self, records: dict[str, FileRecord]) -> None:
        self.records = {rel: record for rel, record in records.items() if record.has_links}
        self.unpack = lru_cache(maxsize=256)(self._unpack)

    def _unpack(self, rel: str) -> PageLinks:
        links = self.records[rel].links
        assert links is not None
        return links

    def __getitem__(self, rel: str) -> PageLinks:
        return self.unpack(rel)

    def __contains__(self, rel: object) -> bool:  # Mapping's would unpack the page to tell
        return rel in self.records

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


def lost_anchor(old: FileRecord | None, new: FileRecord) -> bool:
    """Whether a page lost an id that other pages may link to."""
    if old is None or old.packed == new.packed:
        return False
    before, now = old.links, new.links
    return before is None or now is None or not before.ids <= now.ids

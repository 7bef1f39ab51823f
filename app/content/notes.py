"""Notes: the post kind without a title. Their slugs, hashtags, photos and reply links
(and a post's ``image:``, checked as a photo's ``src`` is: ``check_image``).

A note's slug is its date and time (``2026-12-03-181530``, a suffix ``-2`` for a second
note in the same second), given once at its first save and kept in its file name, so its
URL (``/notes/2026/12/03/181530/``) never moves, whatever later happens to its date. A file
named otherwise keeps its name as its slug (``/notes/<slug>/``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from app.content.safeyaml import Lines

#: The front-matter keys of a note's links to other pages (microformats2 names). Each holds
#: one URL or a list of them; a file holds one as text, several as a list (``ref_value``).
REF_KEYS = ("in-reply-to", "bookmark-of", "like-of", "repost-of")
#: A date-shaped note slug: year, month, day, hour-minute-second, and a suffix for a clash.
NOTE_SLUG = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(\d{6}(?:-\d+)?)$")
#: Words of a note's text that name it in lists (it has no title).
NAME_WORDS = 8

#: ``#tag`` in text: a letter first, then letters, digits, ``_`` and inner ``-``; not in a
#: word (``C#``), an entity (``&#38;``) or a path (``/#x``).
_HASHTAG = re.compile(r"(?<![\w&#/])#([^\W\d_][\w]*(?:-[\w]+)*)")
#: Elements whose text holds no hashtags: links, code and preformatted blocks.
_SKIPPED = re.compile(r"<(a|code|pre)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')


def note_slug(local: datetime) -> str:
    """The slug of a note first saved at ``local`` (the site's local date and time)."""
    return local.strftime("%Y-%m-%d-%H%M%S")


def free_note_slug(local: datetime, taken: Callable[[str], bool]) -> str:
    """``note_slug(local)``, with ``-2``, ``-3``... when ``taken`` says another note has it."""
    base = note_slug(local)
    slug, n = base, 1
    while taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def note_url_values(slug: str) -> dict[str, Any]:
    """The ``public.note`` URL values of a note's slug (date-shaped or not)."""
    match = NOTE_SLUG.match(slug)
    if match is None:
        return {"slug": slug}
    year, month, day, stamp = match.groups()
    return {"year": int(year), "month": int(month), "day": int(day), "stamp": stamp}


def _text_chunks(html: str) -> Iterator[str]:
    """The text of ``html`` outside links, code and tags, chunk by chunk."""
    for chunk in _SKIPPED.split(html) if "<" in html else [html]:
        if chunk is None or chunk.lower() in ("a", "code", "pre"):
            continue
        yield from _TAG.split(chunk)


def hashtags(html: str) -> list[str]:
    """The ``#hashtags`` of a rendered body, in order, each once (by case): not those in
    links, code or URLs (a link's text is a link), nor a heading's ``#``."""
    if "#" not in html:
        return []
    found: dict[str, str] = {}
    for chunk in _text_chunks(html):
        if "#" in chunk:
            for name in _HASHTAG.findall(chunk):
                found.setdefault(name.casefold(), name)
    return list(found.values())


def link_hashtags(html: str, url_for_tag: Callable[[str], str | None]) -> str:
    """``html`` with each hashtag outside links and code a link to its tag's page
    (``url_for_tag(name)``; None leaves the hashtag as text)."""
    if "#" not in html:
        return html

    def text(part: str) -> str:
        return _link_text(part, url_for_tag)

    # Outside links and code (``_SKIPPED``), in the text between tags (``_TAG``).
    return _between(html, _SKIPPED, lambda outside: _between(outside, _TAG, text))


def _between(html: str, pattern: re.Pattern[str], change: Callable[[str], str]) -> str:
    """``html`` with ``change`` made to each stretch between matches of ``pattern`` (the
    matches themselves kept as they are)."""
    parts: list[str] = []
    position = 0
    for found in pattern.finditer(html):
        parts.append(change(html[position : found.start()]))
        parts.append(found.group(0))
        position = found.end()
    parts.append(change(html[position:]))
    return "".join(parts)


def _link_text(text: str, url_for_tag: Callable[[str], str | None]) -> str:
    if "#" not in text:
        return text

    def link(match: re.Match[str]) -> str:
        url = url_for_tag(match.group(1))
        if url is None:
            return match.group(0)
        return f'<a class="hashtag" rel="tag" href="{url}">{match.group(0)}</a>'

    return _HASHTAG.sub(link, text)


def check_url(value: Any) -> str:
    """An absolute http(s) URL, or ValueError saying what is wrong."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected an absolute http(s) URL")
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise ValueError(f"{url!r} is not an absolute http(s) URL")
    return url


class BadUrlError(ValueError):
    """A value of a list of URLs that is not one; ``value`` is it as it was written."""

    def __init__(self, message: str, value: Any) -> None:
        super().__init__(message)
        self.value = value


def check_refs(value: Any) -> list[str]:
    """One of a note's ``REF_KEYS``: one absolute http(s) URL or a list of them, as a list
    in order, each once (None and ``[]`` are none); ``BadUrlError`` names a bad one."""
    if value is None:
        return []
    if not isinstance(value, str | list):
        raise BadUrlError("expected an absolute http(s) URL or a list of them", value)
    items = value if isinstance(value, list) else [value]
    urls: list[str] = []
    for number, item in enumerate(items, start=1):
        try:
            url = check_url(item)
        except ValueError as exc:
            raise BadUrlError(
                f"URL {number}: {exc}" if len(items) > 1 else str(exc), item
            ) from None
        if url not in urls:
            urls.append(url)
    return urls


def ref_value(urls: list[str]) -> str | list[str]:
    """How a file (and a row's ``extra``) writes a ``REF_KEYS`` value: one URL as text, as
    files always had it, several as a list, one a line."""
    return urls[0] if len(urls) == 1 else Lines(urls)


def ref_urls(value: Any) -> list[str]:
    """A ``REF_KEYS`` value as a file or row holds it (text or a list) as a list."""
    if not value:
        return []
    return [str(url) for url in value] if isinstance(value, list) else [str(value)]


def check_photo_src(value: Any) -> str:
    """A photo's ``src``: an http(s) URL or a media path (``media/cat.jpg``, ``/media/...``)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a photo needs a 'src': a media path or an http(s) URL")
    src = value.strip()
    if "://" in src:
        return check_url(src)
    path = src.lstrip("/")
    parts = path.split("/")
    if parts[0] != "media" or len(parts) < 2 or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"photo src {src!r} is neither an http(s) URL nor a path in media/")
    return f"/{path}"


def check_photos(value: Any) -> list[dict[str, str]]:
    """A note's ``photos:``: a list of ``{src, alt}`` (a bare string is a src without alt)."""
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    photos: list[dict[str, str]] = []
    for number, item in enumerate(value, start=1):
        raw = {"src": item} if isinstance(item, str) else item
        if not isinstance(raw, dict):
            raise ValueError(f"photo {number} must be 'src: ...' and 'alt: ...' lines")
        unknown = sorted(set(raw) - {"src", "alt"})
        if unknown:
            raise ValueError(f"photo {number} has unknown keys {', '.join(map(str, unknown))}")
        try:
            src = check_photo_src(raw.get("src"))
        except ValueError as exc:
            raise ValueError(f"photo {number}: {exc}") from None
        alt = raw.get("alt")
        if alt is not None and not isinstance(alt, str | int | float):
            raise ValueError(f"photo {number}: 'alt' must be text")
        photo = {"src": src}
        if alt is not None and str(alt).strip():
            photo["alt"] = " ".join(str(alt).split())
        photos.append(photo)
    return photos


def missing_alt(photos: list[dict[str, str]]) -> list[int]:
    """The numbers (from 1) of the photos without alt text."""
    return [number for number, photo in enumerate(photos, start=1) if not photo.get("alt")]


def display_name(text: str, words: int = NAME_WORDS) -> str:
    """What names a note in lists: the first ``words`` words of its text."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


IMAGE_HINT = "write '/media/<file>' for a file in content/media/, or a full https://… URL"


def check_image(value: Any) -> str | None:
    """A post's ``image:`` (its link previews' picture): ``/media/<file>`` (``media/<file>``
    too) or an absolute http(s) URL; ValueError for anything else (``javascript:``...)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected a media path or an http(s) URL, got {value!r}")
    src = value.strip()
    if "://" in src:
        return check_url(src)
    try:
        path = check_photo_src(src)
    except ValueError:
        raise ValueError(f"{src!r} is neither a path in media/ nor an http(s) URL") from None
    if path.count("/") != 2:
        raise ValueError(f"{src!r} is in a folder inside media/, which is not published")
    return path

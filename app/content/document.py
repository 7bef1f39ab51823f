"""Content files: Markdown with YAML front matter, parsed into a validated ``Document`` and back.

YAML itself is read and written by ``safeyaml``; TOML and JSON front matter, and other
generators' ways, by ``frontmatter``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from app.content.aliases import HINT as ALIAS_HINT
from app.content.aliases import check_aliases
from app.content.errors import ContentError
from app.content.frontdates import date_value, front_dates
from app.content.frontmatter import (
    dated_name,
    fold_keys,
    missing_hint,
    split_json,
    split_toml,
    unpublished,
)
from app.content.notes import (
    IMAGE_HINT,
    REF_KEYS,
    BadUrlError,
    check_image,
    check_photos,
    check_refs,
    ref_value,
)
from app.content.safeyaml import TOP_KEY_LINE, AliasRefused, Dumper, DuplicateKey, load_yaml
from app.content.slugs import RESERVED_PAGE_SLUGS, is_valid_slug

#: Front-matter keys we understand, in the order we write them.
KNOWN_KEYS = (
    "title", "slug", "date", "updated", "tags", "draft", "summary", "author", "image",
    "aliases", "photos", *REF_KEYS,
)  # fmt: skip
#: Kinds that are dated and listed on the timeline (a page is neither).
DATED_KINDS = ("post", "note")

_FENCE = re.compile(r"^---[ \t]*$")
_END_FENCE = re.compile(r"^(?:---|\+\+\+)[ \t]*$")
_HANDLER = YAMLHandler()


def _split(text: str, path: Path, kind: str = "post") -> tuple[dict[str, Any], str]:
    """Front matter and body; YAML errors name the line in the file. TOML (``+++``) and
    JSON (``{``) front matter are read too (``frontmatter``)."""
    stripped = text.lstrip()
    offset = text[: len(text) - len(stripped)].count("\n")
    if stripped.startswith("+++"):
        return split_toml(stripped, path, offset)
    if stripped.startswith("{"):
        return split_json(stripped, path, offset)
    if not _HANDLER.detect(stripped):
        hint = missing_hint(stripped)
        if kind == "note":  # a note has no title, but a date
            hint = hint.replace("'title: ...'", "'date: YYYY-MM-DD HH:MM'")
        raise ContentError(path, "no front matter", 1, hint=hint)
    try:
        front, body = _HANDLER.split(stripped)
    except ValueError:
        raise ContentError(
            path, "front matter is not closed", offset + 1, hint="end it with a '---' line"
        ) from None
    try:
        meta = load_yaml(front)
    except DuplicateKey as exc:
        # ``front`` starts with the rest of the opening '---' line: its line 0 is file line 1.
        first, again = exc.first.line + 1 + offset, exc.again.line + 1 + offset
        message = f"{exc.key!r} is given twice (lines {first} and {again}): keep one"
        raise ContentError(path, message, again) from exc
    except yaml.YAMLError as exc:
        # An unclosed bracket or quote is noticed at the end; where it opened helps more.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        # ``front`` starts with the rest of the opening '---' line: its line 0 is file line 1.
        line = mark.line + 1 + offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        if context:
            problem = f"{problem} ({context})"
        if isinstance(exc, AliasRefused):
            raise ContentError(
                path,
                f"front matter: {problem}",
                line,
                hint="write the value out in full where it is used; anchors and aliases are "
                "refused since a few of them can expand to gigabytes",
            ) from exc
        raise ContentError(
            path,
            f"malformed front matter: {problem}",
            line,
            hint="fix the YAML between the two '---' lines",
        ) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError(path, "front matter must be a mapping of key: value lines", offset + 2)
    return meta, body


@dataclass
class Document:
    """One post or page as its file says it, normalised (dates naive UTC, tags a list)."""

    title: str
    slug: str
    body: str
    kind: str = "post"
    date: datetime | None = None
    updated: datetime | None = None
    tags: list[str] = field(default_factory=list)
    draft: bool = False
    summary: str = ""
    author: str | None = None
    #: Unknown front-matter keys, kept as they were so that a round trip loses nothing.
    extra: dict[str, Any] = field(default_factory=dict)
    #: Whether the file spelled out ``slug:`` (otherwise it comes from the file name).
    explicit_slug: bool = False
    #: Whether a date was written without an offset, so read as the site's local time: the
    #: row is read again when SITE_TIMEZONE changes (``store.reader_id``).
    local_dates: bool = field(default=False, compare=False)
    #: ``photos:``, each ``{"src": ..., "alt": ...}`` (alt may be missing: a warning).
    photos: list[dict[str, str]] = field(default_factory=list)
    #: ``in-reply-to``, ``bookmark-of``, ``like-of``, ``repost-of``: absolute http(s) URLs,
    #: each key's in order (a file writes one as text, several as a list: ``ref_value``).
    refs: dict[str, list[str]] = field(default_factory=dict)
    #: ``aliases:``: old site paths that redirect here (``app.content.aliases``).
    aliases: list[str] = field(default_factory=list)
    #: What reading the file noticed (a key in another case...): warnings, by file line.
    notes: list[str] = field(default_factory=list, compare=False)


def _key_line(text: str, key: str, value: Any = None) -> int | None:
    """The 1-based file line of a top-level front-matter key (in any case; YAML, TOML or
    JSON), for error messages; with ``value``, the line of that value of the key (an item of
    a list written one a line), else the key's."""
    pattern = re.compile(rf"""^["']?{re.escape(key)}["']?\s*[:=]""", re.IGNORECASE)
    found = None
    for number, line in enumerate(text.splitlines(), start=1):
        if (number > 1 and _END_FENCE.match(line)) or (found and TOP_KEY_LINE.match(line)):
            break
        found = found or (number if pattern.match(line) else None)
        if found and (value is None or str(value) in line):
            return number
    return found


def clean_name(value: str) -> str:
    """NFC-normalised text without invisible format characters, whitespace folded."""
    visible = "".join(
        c for c in unicodedata.normalize("NFC", value) if unicodedata.category(c) != "Cf"
    )
    return " ".join(visible.split())


def _split_tags(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        raise ValueError("expected a list of tags or a comma-separated string")
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise ValueError(f"a tag must be text, got {item!r}")
        name = clean_name(str(item))
        if name and name not in tags:
            tags.append(name)
    return tags


def read_front_matter(text: str, path: str | Path, kind: str = "post") -> dict[str, Any]:
    """A file's front matter as written (keys and values as YAML, TOML or JSON read them)."""
    return _split(text, Path(path), kind)[0]


def parse_document(text: str, path: str | Path, kind: str = "post", zone: tzinfo = UTC) -> Document:
    """Parse and validate one content file's text; errors name the file and line. Dates
    without an offset are local time in ``zone`` (pass the site's: ``site_zone()``)."""
    path = Path(path)
    if "\x00" in text:
        raise ContentError(path, "looks like a binary file, not Markdown", hint="remove it")
    meta, body = _split(text, path, kind)
    return _every_error(meta, body, text, path, kind, zone)


#: Stand-ins for a required key that is missing or wrong, so the rest of a file is checked.
_STAND_INS = {"title": "untitled", "date": "2000-01-01", "slug": "stand-in"}


def _every_error(
    meta: dict[str, Any], body: str, text: str, path: Path, kind: str, zone: tzinfo
) -> Document:
    """The document, or its first error with every other one of the file in ``others``: a
    key in error is left out (a required one stood in for) and the rest checked again."""
    errors: list[ContentError] = []
    while True:
        try:
            document = _document(dict(meta), body, text, path, kind, zone)
        except ContentError as error:
            key = error.field
            if errors and key == errors[-1].field:
                break  # the stand-in did not do: say what was found so far
            errors.append(error)
            if key is None:
                break
            meta = {k: v for k, v in meta.items() if str(k).lower() != key}
            if key in _STAND_INS and not (key == "title" and kind == "note"):
                meta[key] = _STAND_INS[key]
            continue
        if not errors:
            return document
        break
    first, first.others = errors[0], errors[1:]
    raise first


def _document(
    meta: dict[str, Any], body: str, text: str, path: Path, kind: str, zone: tzinfo
) -> Document:
    """The checks of ``parse_document``, on front matter already read; the first error
    raised (``_every_error`` asks again for the others)."""

    def fail(key: str, message: str, hint: str = "", value: Any = None) -> ContentError:
        return ContentError(path, message, _key_line(text, key, value) or 1, hint, field=key)

    notes = fold_keys(meta, KNOWN_KEYS, lambda key: f"{path}:{_key_line(text, key) or 1}")
    hidden, more = unpublished(meta, lambda key: f"{path}:{_key_line(text, key) or 1}")
    notes += more

    title = _title(meta.get("title"), kind, fail)

    explicit_slug = "slug" in meta
    dated = dated_name(path.stem) if kind == "post" else None  # Jekyll's 2015-01-01-slug.md
    slug = _slug(meta, path, kind, dated, fail)
    dates, local_dates = front_dates(meta, zone, dated, fail)
    if kind in DATED_KINDS and dates["date"] is None:
        raise fail("date", "missing 'date'", "add a line 'date: YYYY-MM-DD HH:MM'")

    try:
        tags = _split_tags(meta.get("tags"))
    except ValueError as exc:
        raise fail("tags", f"invalid 'tags': {exc}") from exc

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise fail("draft", "'draft' must be true or false")
    draft = draft or hidden  # an unpublished post of another generator never goes live

    summary = meta.get("summary") or ""
    author = meta.get("author")
    if not isinstance(summary, str):
        raise fail("summary", "'summary' must be text")
    if author is not None and not isinstance(author, str):
        raise fail("author", "'author' must be text")

    try:
        image = check_image(meta.get("image"))
    except ValueError as exc:
        raise fail("image", f"invalid 'image': {exc}", IMAGE_HINT) from exc

    try:
        photos = check_photos(meta.get("photos"))
    except ValueError as exc:
        raise fail("photos", f"invalid 'photos': {exc}", _PHOTOS_HINT) from exc
    refs: dict[str, list[str]] = {}
    for key in REF_KEYS:
        try:
            if urls := check_refs(meta.get(key)):
                refs[key] = urls
        except BadUrlError as exc:
            hint = "write the full https://… URL, or a list of them"
            raise fail(key, f"invalid '{key}': {exc}", hint, exc.value) from exc
    try:
        aliases = check_aliases(meta.get("aliases"))
    except ValueError as exc:
        raise fail("aliases", f"invalid 'aliases': {exc}", ALIAS_HINT) from exc

    return Document(
        title=title,
        slug=slug,
        body=body.strip("\n") + "\n" if body.strip() else "",
        kind=kind,
        date=dates["date"],
        updated=dates["updated"],
        tags=tags,
        draft=draft,
        summary=summary.strip(),
        author=author,
        # ``image:`` rides with the unknown keys: the row's ``extra`` keeps it for og:image.
        extra={k: v for k, v in meta.items() if k not in KNOWN_KEYS}
        | ({"image": image} if image else {}),
        explicit_slug=explicit_slug,
        local_dates=local_dates,
        aliases=aliases,
        notes=notes,
        photos=photos,
        refs=refs,
    )


def _slug(
    meta: dict[str, Any],
    path: Path,
    kind: str,
    dated: tuple[date, str] | None,
    fail: Callable[..., ContentError],
) -> str:
    """The slug: ``slug:``, else the file's name (without a Jekyll date)."""
    explicit = "slug" in meta
    slug = str(meta["slug"]).strip() if explicit else (dated[1] if dated else path.stem)
    if not is_valid_slug(slug):
        raise fail(
            "slug",
            f"invalid slug {slug!r}",
            "use lowercase letters, digits and single hyphens, e.g. 'my-first-post'"
            + ("" if explicit else ", in the file name or a 'slug:' line"),
        )
    if kind == "page" and slug in RESERVED_PAGE_SLUGS:
        raise fail("slug", f"the page slug {slug!r} is reserved by the site", "rename the page")
    return slug


_PHOTOS_HINT = "write a list of '- src: media/photo.jpg' with an 'alt: what it shows' line each"


def _title(value: Any, kind: str, fail: Callable[..., ContentError]) -> str:
    """The title: required for posts and pages; a note has none."""
    if kind == "note":
        if value is not None and str(value).strip():
            raise fail(
                "title",
                "a note has no title",
                "remove the 'title:' line, or move the file to content/posts/ to make it an "
                "article",
            )
        return ""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail("title", "missing or empty 'title'", "add a line 'title: Your title'")
    if not isinstance(value, str | int | float):
        raise fail("title", "'title' must be text")
    return " ".join(str(value).split())


def serialize_document(doc: Document, filename_stem: str | None = None, zone: tzinfo = UTC) -> str:
    """The file text for a document: front matter in a stable key order, then the body;
    dates in ``zone`` (the site's time zone), with their offset."""
    return dump_document(front_matter(doc, filename_stem, zone), doc.body)


def dump_document(meta: dict[str, Any], body: str) -> str:
    """A file's text: ``meta`` as YAML front matter in its order, then ``body``."""
    front = yaml.dump(
        meta, Dumper=Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    return f"---\n{front}---\n\n{body}"


def front_matter(
    doc: Document, filename_stem: str | None = None, zone: tzinfo = UTC
) -> dict[str, Any]:
    """The front matter ``serialize_document`` writes for ``doc``, by key in its order."""
    meta: dict[str, Any] = {} if doc.kind == "note" else {"title": doc.title}
    if doc.explicit_slug or (filename_stem is not None and filename_stem != doc.slug):
        meta["slug"] = doc.slug
    if doc.date is not None:
        meta["date"] = date_value(doc.date, zone)
    if doc.updated is not None:
        meta["updated"] = date_value(doc.updated, zone)
    if doc.tags:
        meta["tags"] = list(doc.tags)
    if doc.draft:
        meta["draft"] = True
    if doc.summary:
        meta["summary"] = doc.summary
    if doc.author:
        meta["author"] = doc.author
    if doc.aliases:
        meta["aliases"] = list(doc.aliases)
    if doc.photos:
        meta["photos"] = [dict(photo) for photo in doc.photos]
    meta.update({key: ref_value(urls) for key, urls in doc.refs.items()})
    meta.update(doc.extra)
    return meta

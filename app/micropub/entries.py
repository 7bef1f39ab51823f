"""Micropub's h-entry properties and our documents: one mapping each way.

``name`` makes an article (a post with a title), no name a note. ``content`` (text, or
``{"html": ...}`` kept as HTML in the Markdown body, marked ``content-type: html``),
``summary``, ``category`` (tags), ``photo`` (URLs or uploads, with ``alt``), ``published``,
``post-status``, ``in-reply-to``, ``like-of``, ``bookmark-of``, ``repost-of`` (every value
of these four, in order, each once) map to the document's own fields; any other property
(say ``syndication``) is kept in the file under ``micropub:`` so ``q=source`` gives it back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from app.content.document import Document
from app.content.slugs import is_valid_slug, slugify
from app.micropub.errors import invalid

#: Properties a note or an article links to other pages with (and their front-matter keys).
REF_PROPERTIES = ("in-reply-to", "bookmark-of", "like-of", "repost-of")
#: Properties with a field of their own in a document.
MAPPED = frozenset(
    {"name", "content", "summary", "category", "photo", "published", "post-status"}
    | set(REF_PROPERTIES)
)
#: The front-matter key under which other properties are kept.
KEPT = "micropub"
#: The front-matter key (``content-type: html``) of a body sent as ``{"html": ...}``, so
#: that ``q=source`` gives it back as HTML, as Micropub 3.7.2 says it must.
CONTENT_TYPE = "content-type"
STATUSES = ("published", "draft")


def _text(values: list[Any], prop: str) -> str:
    """The first value of a text property."""
    value = values[0] if values else ""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if not isinstance(value, str):
        raise invalid(f"'{prop}' must be text")
    return value


def _content(values: list[Any]) -> str:
    """The body: plain text (Markdown) or ``{"html": ...}`` (kept as HTML)."""
    if not values:
        return ""
    value = values[0]
    if isinstance(value, dict):
        html, text = value.get("html"), value.get("value")
        if isinstance(html, str):
            return html.strip() + "\n" if html.strip() else ""
        value = text
    if not isinstance(value, str):
        raise invalid('\'content\' must be text or {"html": "..."}')
    return value.strip() + "\n" if value.strip() else ""


def _url(value: Any, prop: str) -> str:
    """An absolute http(s) URL: a text value, or an object's ``value`` or ``url`` (h-cite)."""
    if isinstance(value, dict):
        props = value.get("properties")
        if isinstance(props, dict) and isinstance(props.get("url"), list) and props["url"]:
            value = props["url"][0]
        else:
            value = value.get("value", value.get("url"))
    if not isinstance(value, str):
        raise invalid(f"'{prop}' must be a URL")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(f"'{prop}' {value!r} is not an absolute http(s) URL")
    return value.strip()


def _urls(values: list[Any], prop: str) -> list[str]:
    """Every value of a property of URLs (``in-reply-to``...), in order, each once."""
    return list(dict.fromkeys(_url(value, prop) for value in values))


def _published(values: list[Any]) -> datetime:
    text = _text(values, "published")
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise invalid(
            f"'published' {text!r} is not an ISO 8601 date, e.g. 2026-12-03T18:30:00+01:00"
        ) from None
    if parsed.tzinfo is not None:  # without an offset: UTC
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _tags(values: list[Any]) -> list[str]:
    """Categories that are text (a form's ``category=a,b`` is split in ``request``); objects
    (a person tag's h-card) are left out."""
    names = [" ".join(v.split()) for v in values if isinstance(v, str)]
    return list(dict.fromkeys(n for n in names if n))


def photos_of(values: list[Any]) -> list[dict[str, str]]:
    """``photo`` values as ``{"src", "alt"}``: URLs, or ``{"value": url, "alt": text}``."""
    photos = []
    for value in values:
        alt = value.get("alt", "") if isinstance(value, dict) else ""
        if not isinstance(alt, str):
            raise invalid("a photo's 'alt' must be text")
        photo = {"src": _url(value, "photo")}
        if alt.strip():
            photo["alt"] = " ".join(alt.split())
        photos.append(photo)
    return photos


def _draft(values: list[Any]) -> bool:
    status = _text(values, "post-status") if values else "published"
    if status not in STATUSES:
        raise invalid(f"'post-status' {status!r} is not one of {', '.join(STATUSES)}")
    return status == "draft"


def document_for(
    properties: dict[str, list[Any]],
    commands: dict[str, list[Any]],
    photos: list[dict[str, str]],
    now: datetime,
) -> Document:
    """A new document from a create request (``photos``: uploads and URLs, with alt)."""
    name = " ".join(_text(properties["name"], "name").split()) if "name" in properties else ""
    slug = ""
    if commands.get("mp-slug"):
        wanted = _text(commands["mp-slug"], "mp-slug").strip()
        slug = wanted if is_valid_slug(wanted) else slugify(wanted)
    elif name:
        slug = slugify(name)
    doc = Document(
        title=name,
        slug=slug,
        body=_content(properties.get("content", [])),
        kind="post" if name else "note",
        date=_published(properties["published"]) if "published" in properties else now,
    )
    return _with_properties(doc, properties, photos)


def _with_properties(
    doc: Document, properties: dict[str, list[Any]], photos: list[dict[str, str]]
) -> Document:
    """``doc`` with the fields the properties give (all but name, content and dates)."""
    refs = {prop: _urls(properties[prop], prop) for prop in REF_PROPERTIES if properties.get(prop)}
    kept = {k: v for k, v in properties.items() if k not in MAPPED and v}
    extra = {k: v for k, v in doc.extra.items() if k not in (KEPT, CONTENT_TYPE)}
    if kept:
        extra[KEPT] = kept
    content = properties.get("content") or [""]
    if doc.body and isinstance(content[0], dict) and isinstance(content[0].get("html"), str):
        extra[CONTENT_TYPE] = "html"
    summary = (
        " ".join(_text(properties["summary"], "summary").split())
        if properties.get("summary")
        else ""
    )
    return replace(
        doc,
        summary=summary,
        tags=_tags(properties.get("category", [])),
        draft=_draft(properties.get("post-status", [])),
        photos=photos,
        refs=refs,
        extra=extra,
    )


def updated_document(
    doc: Document, properties: dict[str, list[Any]], photos: list[dict[str, str]], now: datetime
) -> Document:
    """``doc`` as the updated properties say; its kind, slug and author stay."""
    name = " ".join(_text(properties["name"], "name").split()) if properties.get("name") else ""
    if doc.kind == "post" and not name:
        raise invalid("an article needs its 'name' (its title): replace it, do not delete it")
    if doc.kind != "post" and name:
        raise invalid("a note has no 'name': post an article to give a title")
    published = properties.get("published")
    changed = replace(
        doc,
        title=name if doc.kind == "post" else doc.title,
        body=_content(properties.get("content", [])),
        date=_published(published) if published else doc.date,
        updated=now,
    )
    return _with_properties(changed, properties, photos)


def photos_into_body(doc: Document) -> Document:
    """An article's photos as images at the end of its body: the theme shows an article's
    body, and a note's photos (an article keeps none of its own)."""
    if doc.kind == "note" or not doc.photos:
        return doc
    images = "\n\n".join(
        f"![{' '.join(p.get('alt', '').split()).replace('[', '(').replace(']', ')')}](<{p['src']}>)"
        for p in doc.photos
    )
    body = f"{doc.body.rstrip()}\n\n{images}\n" if doc.body.strip() else f"{images}\n"
    return replace(doc, body=body, photos=[])


def properties_of(doc: Document, photo_url: Any) -> dict[str, list[Any]]:
    """A document's h-entry properties, as ``q=source`` shows them (``photo_url``: a
    photo's ``src`` as an absolute URL)."""
    props: dict[str, list[Any]] = {}
    if doc.kind == "post":
        props["name"] = [doc.title]
    if doc.body:
        body = doc.body.rstrip("\n")
        props["content"] = [{"html": body} if doc.extra.get(CONTENT_TYPE) == "html" else body]
    if doc.summary:
        props["summary"] = [doc.summary]
    if doc.tags:
        props["category"] = list(doc.tags)
    if doc.photos:
        props["photo"] = [
            {"value": photo_url(p["src"]), "alt": p["alt"]} if p.get("alt") else photo_url(p["src"])
            for p in doc.photos
        ]
    if doc.date is not None:
        props["published"] = [doc.date.replace(tzinfo=UTC).isoformat()]
    if doc.updated is not None:
        props["updated"] = [doc.updated.replace(tzinfo=UTC).isoformat()]
    props["post-status"] = ["draft" if doc.draft else "published"]
    for prop, urls in doc.refs.items():
        props[prop] = list(urls)
    kept = doc.extra.get(KEPT)
    if isinstance(kept, dict):
        props.update({k: list(v) for k, v in kept.items() if isinstance(v, list)})
    return props


def apply_update(
    props: dict[str, list[Any]],
    replace_: dict[str, list[Any]],
    add: dict[str, list[Any]],
    delete: list[str] | dict[str, list[Any]],
) -> dict[str, list[Any]]:
    """Micropub's update operations on a post's properties: replace, then add, then delete."""
    result = {k: list(v) for k, v in props.items()}
    result.pop("updated", None)
    for prop, values in replace_.items():
        result[prop] = list(values)
    for prop, values in add.items():
        result.setdefault(prop, []).extend(values)
    if isinstance(delete, dict):
        for prop, values in delete.items():
            if prop in result:
                result[prop] = [v for v in result[prop] if v not in values]
    else:
        for prop in delete:
            result.pop(prop, None)
    return {k: v for k, v in result.items() if v}

"""Ghost: a JSON export (Settings > Labs > Export), and its ``content/images`` folder.

Posts and pages come from the ``html`` of each post (Ghost's cards are plain HTML there);
a post that was not public (draft, newsletter-only, members-only) is a draft here. The old
URL of every post and page is ``/slug/``, Ghost's default route.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from app.content.document import Document
from app.content.importers.ghosteditor import lexical_html, mobiledoc_parts
from app.content.importers.htmlmd import html_to_markdown
from app.content.importers.model import (
    Export,
    Item,
    guarded,
    line_of,
    make_slug,
    parse_date,
    text_value,
)
from app.content.importers.pipeline import Options
from app.content.importers.report import Report

GHOST_URL = "__GHOST_URL__"
_PORTAL_LINK = re.compile(r"<a\b[^>]*\bhref=[\"']#/portal[^\"']*[\"'][^>]*>(.*?)</a>", re.S | re.I)
MAPPED = {
    "title": "title",
    "slug": "slug",
    "html": "body (Markdown)",
    "status": "draft",
    "visibility": "draft",
    "type": "post or page",
    "page": "post or page",
    "published_at": "date",
    "updated_at": "updated",
    "custom_excerpt": "summary",
    "feature_image": "an image at the top of the body",
    "image": "an image at the top of the body",  # Ghost 0.x's feature image
}
#: Fields every export has that say nothing a reader sees (not reported as dropped).
_QUIET = {
    "id", "uuid", "mobiledoc", "lexical", "plaintext", "markdown", "created_at", "created_by",
    "updated_by", "published_by", "author_id", "comment_id", "locale", "language",
    "featured", "email_recipient_filter", "newsletter_id", "show_title_and_feature_image",
    "custom_template", "codeinjection_head", "codeinjection_foot", "canonical_url",
    "email_subject", "amp", "meta_title", "meta_description", "og_image", "og_title",
    "og_description", "twitter_image", "twitter_title", "twitter_description",
}  # fmt: skip


def _media_as_links(html: str) -> str:
    """Ghost's audio and video cards (and any ``<audio>``/``<video>``) as a link to their
    file, which the media step then copies or lists as missing; an ``<img>`` without a
    source (the audio card's hidden thumbnail) is dropped rather than left an empty image."""
    if not re.search(r"<(?:audio|video|img)\b", html, re.I):
        return html
    soup = BeautifulSoup(html, "html.parser")
    for card in soup.select(".kg-audio-card, .kg-video-card"):
        player = card.find(["audio", "video"])
        title = card.select_one(".kg-audio-title") or card.find("figcaption")
        words = title.get_text(" ", strip=True) if title else ""
        _replace_with_link(soup, card, player if isinstance(player, Tag) else None, words)
    for player in soup.find_all(["audio", "video"]):
        _replace_with_link(soup, player, player, "")
    for img in soup.find_all("img"):
        if not str(img.get("src") or "").strip():
            img.decompose()
    return str(soup)


def _replace_with_link(soup: BeautifulSoup, old: Tag, player: Tag | None, words: str) -> None:
    source = player.find("source", src=True) if player else None
    src = str(player.get("src") or "") if player else ""
    src = src.strip() or (str(source.get("src") or "").strip() if source else "")
    if not src:
        old.decompose()
        return
    link = soup.new_tag("a", href=src)
    link.string = words or unquote(urlsplit(src).path.rstrip("/").rpartition("/")[2]) or src
    paragraph = soup.new_tag("p")
    paragraph.append(link)
    old.replace_with(paragraph)


def _find_export(source: Path, options: Options) -> tuple[Path | None, Path | None]:
    """(the JSON file, the images folder) for a file or a folder holding both."""
    if source.is_file():
        images = options.media
        for candidate in (source.parent / "content" / "images", source.parent / "images"):
            if images is None and candidate.is_dir():
                images = candidate
        return source, images
    files = sorted(source.glob("*.json"))
    images = options.media or next(
        (p for p in (source / "content" / "images", source / "images") if p.is_dir()), None
    )
    return (files[0] if files else None), images


def read(source: Path, options: Options, report: Report) -> Export:
    """Every post and page of a Ghost export."""
    path, images = _find_export(source, options)
    if path is None:
        report.fail(str(source), None, "no .json export here", "give the Ghost export file")
        return Export([])
    display = path.name
    try:
        raw = path.read_text("utf-8")
        export = json.loads(raw)
    except (OSError, UnicodeDecodeError) as exc:
        report.fail(display, None, f"cannot read the export: {exc}")
        return Export([])
    except json.JSONDecodeError as exc:
        report.fail(display, exc.lineno, f"not JSON: {exc.msg}", "export again from Ghost")
        return Export([])
    data = _data(export)
    if data is None:
        report.fail(display, 1, "no 'data' with 'posts' in it", "is this a Ghost export?")
        return Export([])
    tags = _tags_by_post(data, report)
    authors = _authors_by_post(data)
    items = [
        item
        for post in data.get("posts") or []
        if isinstance(post, dict)
        and (item := guarded(report, display, _item, post, display, raw, tags, authors, report))
        is not None
    ]
    if images is None:
        report.warn(
            display,
            None,
            "no images folder: images stay on the old site",
            "pass --media path/to/content/images to copy them",
        )
    roots = [("/content/images/", images)] if images else []
    top = images
    if images is not None and images.name == "images":  # audio, video and files beside it
        for name in ("media", "files"):
            if (images.parent / name).is_dir():
                roots.append((f"/content/{name}/", images.parent / name))
                top = images.parent
    return Export(items, roots, set(), None, top)


def _data(export: Any) -> dict[str, Any] | None:
    if isinstance(export, dict) and isinstance(export.get("db"), list) and export["db"]:
        export = export["db"][0]
    data = export.get("data") if isinstance(export, dict) else None
    return data if isinstance(data, dict) and "posts" in data else None


def _id(value: Any) -> str:
    """An id as text: older exports number them (``"id": 1``), newer ones use strings."""
    return "" if value is None or isinstance(value, bool) else str(value)


def _rows(data: dict[str, Any], table: str) -> list[dict[str, Any]]:
    return [row for row in data.get(table) or [] if isinstance(row, dict)]


def _tags_by_post(data: dict[str, Any], report: Report) -> dict[str, list[str]]:
    names = {_id(t.get("id")): str(t.get("name") or "") for t in _rows(data, "tags")}
    by_post: dict[str, list[str]] = {}
    links = sorted(_rows(data, "posts_tags"), key=lambda link: link.get("sort_order") or 0)
    for link in links:
        name = names.get(_id(link.get("tag_id")), "")
        if name.startswith("#"):
            report.drop(f"internal tag {name}")
        elif name and _id(link.get("post_id")):
            by_post.setdefault(_id(link.get("post_id")), []).append(name)
    return by_post


def _authors_by_post(data: dict[str, Any]) -> dict[str, str]:
    names = {_id(u.get("id")): str(u.get("name") or "") for u in _rows(data, "users")}
    by_post: dict[str, str] = {}
    links = sorted(_rows(data, "posts_authors"), key=lambda link: link.get("sort_order") or 0)
    for link in links:
        if _id(link.get("post_id")):
            by_post.setdefault(_id(link["post_id"]), names.get(_id(link.get("author_id")), ""))
    for post in _rows(data, "posts"):  # Ghost 1.x: one author_id on the post
        if _id(post.get("author_id")) in names:
            by_post.setdefault(_id(post.get("id")), names[_id(post["author_id"])])
    return by_post


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _html_markdown(html: str) -> str:
    html = _media_as_links(html.replace(GHOST_URL, ""))
    # '#/portal/signup' opens Ghost's members window: no such thing here, the words stay
    html = _PORTAL_LINK.sub(r"\1", html)
    return html_to_markdown(html) if html.strip() else ""


def _editor_content(post: dict[str, Any]) -> str | None:
    """The editor field ('lexical', 'mobiledoc') that holds a non-empty document, if any."""
    for key, children in (("lexical", "root"), ("mobiledoc", "sections")):
        try:
            doc = json.loads(post[key]) if _filled(post.get(key)) else None
        except ValueError:
            return key
        found = doc.get(children) if isinstance(doc, dict) else None
        found = found.get("children") if isinstance(found, dict) else found
        if found:
            return key
    return None


def _from_editor(post: dict[str, Any], editor: str, skipped: list[str]) -> str:
    """The body as Markdown from the editor's document ('' when it cannot be read)."""
    try:
        doc = json.loads(post[editor])
        if editor == "mobiledoc":
            parts = mobiledoc_parts(doc, skipped)
        else:  # a Markdown card is Markdown already: not made HTML and back
            parts = [
                ("markdown", str(node.get("markdown") or ""))
                if node.get("type") == "markdown"
                else ("html", lexical_html(node, skipped))
                for node in doc["root"]["children"]
            ]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return ""
    blocks = [
        _html_markdown(text) if kind == "html" else text.replace(GHOST_URL, "")
        for kind, text in parts
    ]
    return (
        "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n"
        if any(b.strip() for b in blocks)
        else ""
    )


def _body(post: dict[str, Any], title: str, display: str, line: int | None, report: Report) -> str:
    """The body as Markdown: the post's ``html``, else its ``markdown`` (Ghost 0.x exports
    carry only that), else its ``plaintext``; a body lost on the way is an error."""
    feature = str(post.get("feature_image") or post.get("image") or "").replace(GHOST_URL, "")
    image = f'<p><img src="{feature}" alt=""></p>' if feature else ""
    if _filled(post.get("html")):
        return _html_markdown(image + str(post["html"]))
    if _filled(post.get("markdown")):
        report.map("markdown", MAPPED["html"])
        markdown = str(post["markdown"]).replace(GHOST_URL, "").strip("\n") + "\n"
        return (f"![]({feature})\n\n" if feature else "") + markdown
    editor = _editor_content(post)
    skipped: list[str] = []
    rendered = _from_editor(post, editor, skipped) if editor else ""
    if editor and rendered:
        report.map(editor, MAPPED["html"])
        if skipped:
            report.warn(
                display,
                line,
                f"{title!r} has no HTML in the export: its body is made from its {editor}, "
                f"without its {', '.join(sorted(set(skipped)))} card(s)",
                "add them by hand, or export from Ghost again with each post's HTML",
            )
        return (f"![]({feature})\n\n" if feature else "") + rendered
    if _filled(post.get("plaintext")):
        report.map("plaintext", MAPPED["html"])
        report.warn(
            display,
            line,
            f"{title!r} has no HTML in the export: its plain text is used "
            "(links, images and formatting are lost)",
            "export from Ghost 2 or later, whose exports carry each post's HTML",
        )
        paragraphs = str(post["plaintext"]).split("\n\n")
        return _html_markdown(image + "".join(f"<p>{escape(p)}</p>" for p in paragraphs))
    if editor:
        report.fail(
            display,
            line,
            f"{title!r} has no HTML, Markdown or plain text in the export, only its {editor}: "
            "its body would be lost",
            "export it from Ghost again (its exports carry each post's HTML), "
            "or remove the post from the export",
        )
    else:
        report.warn(display, line, f"{title!r} has no body in the export: imported empty")
    return _html_markdown(image)


def _date(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC).replace(tzinfo=None, microsecond=0)
    return parse_date(value)


def _item(
    post: dict[str, Any],
    display: str,
    raw: str,
    tags: dict[str, list[str]],
    authors: dict[str, str],
    report: Report,
) -> Item | None:
    post_id = _id(post.get("id"))
    found = re.search(rf'"id"\s*:\s*"?{re.escape(post_id)}"?\s*[,}}]', raw) if post_id else None
    line = line_of(raw, found.start()) if found else None
    for key, value in post.items():
        if key in MAPPED and value not in (None, ""):
            report.map(key, MAPPED[key])
        elif key not in MAPPED and key not in _QUIET and value not in (None, "", 0, False):
            report.drop(key)
    kind = "page" if post.get("type") == "page" or post.get("page") in (True, 1) else "post"
    title = text_value(post.get("title"))
    slug = make_slug(text_value(post.get("slug")), title or f"post-{post_id}")
    status = str(post.get("status") or "draft")
    visibility = str(post.get("visibility") or "public")
    draft = status not in ("published", "scheduled")
    if visibility != "public" and not draft:
        draft = True
        report.warn(display, line, f"{title!r} was for {visibility} only: imported as a draft")
    body = _body(post, title, display, line, report)
    date = _date(post.get("published_at")) or _date(post.get("created_at"))
    if date is None and kind == "post":
        date = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    doc = Document(
        title=title or slug.replace("-", " ").capitalize(),
        slug=slug,
        body=body,
        kind=kind,
        date=date if kind == "post" else None,
        updated=_date(post.get("updated_at")),
        tags=tags.get(post_id, []),
        draft=draft,
        summary=text_value(post.get("custom_excerpt")),
        author=authors.get(post_id) or None,
    )
    # a draft's old URL too: links to it find it (the shared steps give it no redirect)
    old = [f"/{text_value(post.get('slug')) or slug}/"]
    return Item(doc, display, line, line or 1, old, None, [slug, post_id])

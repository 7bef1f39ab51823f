"""After a publish: which posts are new or changed, whom they link to, and the mentions sent.

What was sent is remembered in a ledger (``WEBMENTIONS_LEDGER``, by default
``instance/webmentions.json``): each post's public URL with the hash of its file, the
links it had and the mentions that failed. A post whose file is unchanged sends nothing
again (only its failed mentions are tried again); a changed one notifies its links, those
it dropped included (so they can see the link is gone). The first run
only records every post already out: turning the setting on does not mention years of
old links at once. Failures are reported, never fatal.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa
from flask import Flask, current_app, url_for

from app.content.notes import note_url_values
from app.extensions import db
from app.models import Post
from app.status import DATED_KINDS, now
from app.webmention.discover import endpoint_of
from app.webmention.http import SendError, fetch, post_mention

#: The public endpoint of each kind of post.
ENDPOINTS = {"post": "public.post", "note": "public.note", "page": "public.page"}


@dataclass
class MentionReport:
    """What one run did: mentions sent, targets without an endpoint, failures (worded)."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    no_endpoint: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    baseline: int = 0

    def summary(self) -> str:
        if self.baseline:
            return f"Webmentions: {self.baseline} posts recorded as already out (first run)"
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return f"Webmentions: {len(self.sent)} sent{failed}"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _site_url() -> str:
    return str(current_app.config["SITE_URL"]).rstrip("/") + "/"


def source_url(kind: str, slug: str) -> str:
    """The public URL of a post of ``kind`` with ``slug``."""
    values: dict[str, Any] = note_url_values(slug) if kind == "note" else {"slug": slug}
    return urljoin(_site_url(), url_for(ENDPOINTS[kind], **values).lstrip("/"))


def targets_of(post: Post) -> list[str]:
    """The external http(s) pages a post links to: its body's links and every reply, like,
    bookmark or repost URL; never the site's own pages."""
    parser = _Links()
    parser.feed(post.body_html or "")
    own = urlsplit(_site_url()).netloc
    found: list[str] = []
    for url in [*(url for urls in post.refs.values() for url in urls), *parser.hrefs]:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc and parts.netloc != own:
            clean = url.split("#", 1)[0]
            if clean not in found:
                found.append(clean)
    return found


class _Out(NamedTuple):
    id: int
    kind: str
    slug: str
    source_hash: str


def _published() -> list[_Out]:
    """What is out (id, kind, slug, hash): only the posts that changed are loaded in full."""
    query = sa.select(Post.id, Post.kind, Post.slug, Post.source_hash).where(
        Post.kind.in_(DATED_KINDS), Post.draft.is_(False), Post.published_at <= now()
    )
    return [_Out(*row) for row in db.session.execute(query)]


def _load_post(post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    assert post is not None  # listed a moment ago, in this same transaction
    return post


def ledger_path(app: Flask) -> Path:
    configured = app.config.get("WEBMENTIONS_LEDGER")
    return Path(configured) if configured else Path(app.instance_path) / "webmentions.json"


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError:
        return None  # a damaged ledger starts again from a baseline, sending nothing twice
    return data if isinstance(data, dict) else None


def _save(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".webmentions.", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)


def _notify(source: str, target: str, timeout: float, report: MentionReport) -> bool:
    """Send one mention; False when it should be tried again on the next publish."""
    try:
        endpoint = endpoint_of(fetch(target, timeout))
        if endpoint is None:
            report.no_endpoint.append(target)
            return True
        if urlsplit(endpoint).scheme not in ("http", "https"):
            report.failures.append(f"{target}: its endpoint {endpoint!r} is not http(s)")
            return True
        post_mention(endpoint, source, target, timeout)
    except SendError as exc:
        report.failures.append(f"{source} -> {target}: {exc}")
        return False
    report.sent.append((source, target))
    return True


def send_webmentions(app: Flask) -> MentionReport:
    """Notify the links of every post new or changed since the last run (in ``app``'s
    context: the public app of the build that just succeeded)."""
    report = MentionReport()
    path = ledger_path(app)
    timeout = float(app.config.get("WEBMENTIONS_TIMEOUT", 5))
    with app.app_context(), app.test_request_context(base_url=_site_url_of(app)):
        ledger = _load(path)
        posts = list(_published())
        if ledger is None:
            ledger = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "sources": {}}
            for out in posts:
                ledger["sources"][source_url(out.kind, out.slug)] = {
                    "hash": out.source_hash,
                    "targets": targets_of(_load_post(out.id)),
                }
            report.baseline = len(posts)
            _save(path, ledger)
            return report
        sources: dict[str, Any] = ledger.setdefault("sources", {})
        for out in posts:
            source = source_url(out.kind, out.slug)
            known = sources.get(source) or {}
            if known.get("hash") == out.source_hash:
                pending = list(known.get("retry", []))  # only what failed last time
                targets = list(known.get("targets", []))
            else:
                targets = targets_of(_load_post(out.id))
                pending = list(dict.fromkeys([*targets, *known.get("targets", [])]))
            if not pending and known.get("hash") == out.source_hash:
                continue
            failed = [t for t in pending if not _notify(source, t, timeout, report)]
            sources[source] = {"hash": out.source_hash, "targets": targets, "retry": failed}
        _save(path, ledger)
    return report


def _site_url_of(app: Flask) -> str:
    return str(app.config["SITE_URL"]).rstrip("/") + "/"

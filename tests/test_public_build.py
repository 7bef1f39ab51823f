"""The new outputs of a real build: draft-free, and byte-identical from one build to the next."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import feedparser
import pytest

pytestmark = pytest.mark.slow

HIDDEN = ("unfinished-thoughts", "Unfinished thoughts", "letter-to-the-future", "A letter to the")
GENERATED = (
    "feed.xml",
    "feed.json",
    "tags/essay/feed.xml",
    "tags/essay/feed.json",
    "sitemap.xml",
    "robots.txt",
    "search.json",
    "search/index.html",
    "archive/index.html",
    "archive/2026/index.html",
    "archive/2026/11/index.html",
)


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_drafts_and_scheduled_posts_are_in_no_feed_sitemap_or_index(built_site):
    for path in built_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".txt"):
            text = path.read_text()
            for hidden in HIDDEN:
                assert hidden not in text, (path.relative_to(built_site), hidden)
    essay = feedparser.parse((built_site / "tags/essay/feed.xml").read_bytes())
    assert [e.title for e in essay.entries] == ["On static sites"]
    search = json.loads((built_site / "search.json").read_text())
    assert all("/posts/unfinished-thoughts/" not in item["url"] for item in search["items"])


def test_preview_build_lists_drafts_everywhere(freeze):
    assert freeze("--drafts", "--out", str(freeze.build_dir)).returncode == 0
    build = freeze.build_dir
    assert "Unfinished thoughts" in (build / "feed.json").read_text()
    assert "/posts/unfinished-thoughts/" in (build / "sitemap.xml").read_text()
    assert "Unfinished thoughts" in (build / "search.json").read_text()
    assert "A letter to the future" not in (build / "search.json").read_text()
    assert "Disallow: /\n" in (build / "robots.txt").read_text()  # previews stay out of search
    assert '<meta name="robots" content="noindex">' in (build / "index.html").read_text()


def test_two_builds_of_the_new_outputs_are_identical(freeze, built_site):
    """Another database, another folder, another moment: the same bytes."""
    assert freeze().returncode == 0
    again = _digest(freeze.build_dir)
    for name in GENERATED:
        assert name in again, name
    assert again == _digest(built_site)

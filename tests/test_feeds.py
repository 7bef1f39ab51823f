"""Atom and JSON feeds, site-wide and per tag: valid, complete, absolute, draft-free."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from app.public.feednotes import media_type
from app.public.jsonfeed import VERSION

LINKED_POST = (
    "---\ntitle: Linked\ndate: 2026-08-01\ntags: [python]\n---\n"
    "See [the first post](../hello-world/), ![a chart](/media/chart.png) "
    "and [a note](#note).\n\n## Note {#note}\n\nDone.\n"
)


@pytest.fixture
def linked(content_dir: Path, synced):
    """The sample site plus a post with relative, site-rooted and fragment links."""
    (content_dir / "posts" / "linked.md").write_text(LINKED_POST)
    result = synced.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return synced


def _assert_json_feed(document: dict, feed_url: str, home_url: str) -> None:
    """The fields JSON Feed 1.1 requires, and absolute URLs everywhere."""
    assert document["version"] == VERSION == "https://jsonfeed.org/version/1.1"
    assert document["title"]
    assert document["feed_url"] == feed_url
    assert document["home_page_url"] == home_url
    assert document["items"]
    for item in document["items"]:
        assert isinstance(item["id"], str)
        assert item["id"]
        assert "content_html" in item or "content_text" in item
        assert item["url"].startswith(("http://localhost/posts/", "http://localhost/notes/"))
        assert item["date_published"].endswith("+00:00")


def test_atom_feed_parses_with_absolute_links(linked, client):
    response = client.get("/feed.xml")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "microblog"
    assert {link.rel: link.href for link in feed.feed.links} == {
        "alternate": "http://localhost/",
        "self": "http://localhost/feed.xml",
    }
    assert feed.entries
    for entry in feed.entries:
        assert entry.link.startswith(("http://localhost/posts/", "http://localhost/notes/"))
        assert entry.id == entry.link
        assert entry.updated_parsed
        assert entry.published_parsed
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == "Publishing the site"
    linked_entry = feed.entries[titles.index("Linked")]
    content = linked_entry.content[0].value
    assert 'href="http://localhost/posts/hello-world/"' in content
    assert 'src="http://localhost/media/chart.png"' in content
    assert 'href="http://localhost/posts/linked/#note"' in content


def test_atom_feed_updated_comes_from_the_posts(synced, client):
    feed = feedparser.parse(client.get("/feed.xml").data)
    newest = max(entry.updated_parsed for entry in feed.entries)
    assert feed.feed.updated_parsed == newest


def test_tag_atom_feed_holds_only_that_tag(synced, client):
    feed = feedparser.parse(client.get("/tags/python/feed.xml").data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "microblog · #python"
    assert [entry.title for entry in feed.entries] == ["Highlighted Python"]
    assert all("python" in {tag.term for tag in entry.tags} for entry in feed.entries)
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == "http://localhost/tags/python/feed.xml"
    assert links["alternate"] == "http://localhost/tags/python/"


def test_json_feed_meets_the_spec(linked, client):
    response = client.get("/feed.json")
    assert response.mimetype == "application/feed+json"
    document = response.get_json(force=True)
    _assert_json_feed(document, "http://localhost/feed.json", "http://localhost/")
    (item,) = (i for i in document["items"] if i.get("title") == "Linked")  # notes have none
    assert 'href="http://localhost/posts/hello-world/"' in item["content_html"]
    assert 'src="http://localhost/media/chart.png"' in item["content_html"]
    assert item["tags"] == ["python"]


def test_tag_json_feed(synced, client):
    document = client.get("/tags/code/feed.json").get_json(force=True)
    _assert_json_feed(
        document, "http://localhost/tags/code/feed.json", "http://localhost/tags/code/"
    )
    assert all("code" in item["tags"] for item in document["items"])


def test_unknown_tag_feeds_are_404(synced, client):
    assert client.get("/tags/nope/feed.xml").status_code == 404
    assert client.get("/tags/nope/feed.json").status_code == 404


def test_feeds_are_discoverable_from_every_page(synced, client):
    html = client.get("/posts/python-code/").get_data(as_text=True)
    assert 'href="http://localhost/feed.xml"' in html
    assert 'type="application/feed+json"' in html
    assert 'href="http://localhost/feed.json"' in html
    tag = client.get("/tags/python/").get_data(as_text=True)
    assert 'href="http://localhost/tags/python/feed.xml"' in tag
    assert 'href="http://localhost/tags/python/feed.json"' in tag
    assert "/tags/python/feed" not in html


def test_built_feeds_exist_for_every_tag(built_site):
    build = built_site
    for tag in ("python", "code", "essay", "guide"):
        assert feedparser.parse((build / "tags" / tag / "feed.xml").read_bytes()).entries
        assert json.loads((build / "tags" / tag / "feed.json").read_text())["items"]


@pytest.mark.parametrize(
    "url", ["/feed.xml", "/feed.json", "/tags/python/feed.xml", "/tags/code/feed.json"]
)
def test_a_build_reads_feeds_from_its_listing_and_writes_the_same(linked, client, url, monkeypatch):
    from app.public import queries as routes
    from tests.snapshot_helpers import as_a_build

    monkeypatch.setattr(routes, "FEED_SIZE", 2)  # fewer than the posts: the cut shows
    served = client.get(url).get_data()
    with as_a_build():
        built = client.get(url).get_data()  # from the build's listing, bodies loaded by id
    assert built == served
    entries = served.count(b"<entry>") or len(json.loads(served)["items"])
    assert entries == 2


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("/media/cat.jpg", "image/jpeg"),
        ("https://cdn.example/a.jpg?w=800&h=600", "image/jpeg"),
        ("https://cdn.example/a.PNG#top", "image/png"),
        ("media/ünï cödé.webp", "image/webp"),
        ("https://photos.example.com/sunset", None),
    ],
)
def test_a_photos_media_type_is_told_by_its_name_whatever_its_query(src, expected):
    assert media_type(src) == expected

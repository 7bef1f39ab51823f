"""Every feed of a built site is valid by its format's own rules, not by ours.

Atom against RFC 4287's RELAX NG schema (tests/fixtures/schemas/atom.rng), JSON Feed against
a JSON Schema written from the 1.1 spec, RSS 2.0 through feedparser (no ``bozo``): for
feeds with articles, unicode, HTML entities and tags, site-wide and per tag.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import jsonschema_rs
import pytest
from lxml import etree

from app.public.feeds import text_title
from tests.conftest import sample_freeze

SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
ATOM = "{http://www.w3.org/2005/Atom}"

#: A title and body full of what XML and JSON must escape, and of what is not ASCII.
TRICKY_TITLE = 'Café & <crème> — “quotes” and "more"'
TRICKY_POST = f"""---
title: '{TRICKY_TITLE}'
date: 2026-09-20
tags: [Café, python]
summary: 'Summary with & and < and ünïcödé'
---

AT&T said 5 &lt; 6 &amp;&amp; &eacute;t&eacute; &copy; 2026. 日本語のテキスト, emoji 🎉,
a link to [the first post](../hello-world/) and a [fragment](#end).

## End {{#end}}

Done.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site plus a post of unicode and entities, built by ``freeze.py``."""
    freeze = sample_freeze(tmp_path_factory.mktemp("feeds-validity"))
    (freeze.content_dir / "posts" / "tricky.md").write_text(TRICKY_POST, encoding="utf-8")
    result = freeze()
    assert result.returncode == 0, result.stderr
    return freeze.build_dir


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


@pytest.fixture(scope="module")
def json_feed_schema() -> jsonschema_rs.Draft202012Validator:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text())
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def _feeds(site: Path, name: str) -> list[Path]:
    """The site-wide feed ``name`` and every tag's."""
    found = [site / name, *sorted((site / "tags").glob(f"*/{name}"))]
    assert len(found) > 3, found
    return found


def _atom_errors(schema: etree.RelaxNG, document: bytes) -> str:
    valid = schema.validate(etree.fromstring(document))
    return "" if valid else str(schema.error_log)


def test_every_atom_feed_meets_the_rfc_4287_schema(site, atom_schema):
    for path in _feeds(site, "feed.xml"):
        errors = _atom_errors(atom_schema, path.read_bytes())
        assert not errors, f"{path.relative_to(site)}: {errors}"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ("title", "title"),  # atom:title is required
        ("id", "id"),  # so is atom:id
    ],
)
def test_the_atom_schema_rejects_an_entry_without_what_the_rfc_requires(
    site, atom_schema, change, complaint
):
    """The schema is not a rubber stamp: remove a required element and it fails."""
    root = etree.fromstring((site / "feed.xml").read_bytes())
    entry = root.find(f"{ATOM}entry")
    entry.remove(entry.find(f"{ATOM}{change}"))
    assert not atom_schema.validate(root)
    assert complaint in str(atom_schema.error_log) or "entry" in str(atom_schema.error_log)


def test_every_json_feed_meets_the_json_feed_1_1_schema(site, json_feed_schema):
    for path in _feeds(site, "feed.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        errors = [error.message for error in json_feed_schema.iter_errors(document)]
        assert not errors, f"{path.relative_to(site)}: {errors}"


def test_the_json_feed_schema_rejects_an_item_without_content(site, json_feed_schema):
    document = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    del document["items"][0]["content_html"]
    assert not json_feed_schema.is_valid(document)


def test_every_rss_feed_parses_as_rss_2_without_bozo(site):
    for path in _feeds(site, "rss.xml"):
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, f"{path.relative_to(site)}: {feed.bozo_exception}"
        assert feed.version == "rss20"
        assert feed.feed.title
        assert feed.feed.link.startswith("https://example.org/")
        assert feed.entries
        for entry in feed.entries:
            assert entry.link.startswith("https://example.org/posts/")
            assert entry.id == entry.link  # guid isPermaLink
            assert entry.published_parsed
            assert entry.description


def test_rss_channel_links_its_page_and_itself(site):
    feed = feedparser.parse((site / "tags" / "python" / "rss.xml").read_bytes())
    assert feed.feed.link == "https://example.org/tags/python/"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == "https://example.org/tags/python/rss.xml"
    assert {tag.term for entry in feed.entries for tag in entry.tags} >= {"python"}


def test_unicode_and_entities_survive_every_format(site):
    atom = feedparser.parse((site / "feed.xml").read_bytes())
    rss = feedparser.parse((site / "rss.xml").read_bytes())
    document = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    url = "https://example.org/posts/tricky/"
    (atom_entry,) = (e for e in atom.entries if e.link == url)
    (rss_entry,) = (e for e in rss.entries if e.link == url)
    (json_item,) = (i for i in document["items"] if i["url"] == url)
    assert atom_entry.title == rss_entry.title == json_item["title"] == TRICKY_TITLE
    for html in (atom_entry.content[0].value, rss_entry.description, json_item["content_html"]):
        assert "AT&amp;T" in html
        assert "5 &lt; 6 &amp;&amp; été © 2026" in html
        assert "日本語のテキスト, emoji 🎉" in html
        assert 'href="https://example.org/posts/hello-world/"' in html
        assert 'href="https://example.org/posts/tricky/#end"' in html
    tags = {"Café", "python"}
    assert {t.term for t in atom_entry.tags} == {t.term for t in rss_entry.tags} == tags
    assert json_item["tags"] == ["Café", "python"]


def test_rss_feeds_are_discoverable_beside_atom_and_json(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert (
        '<link rel="alternate" type="application/rss+xml" title="microblog (RSS)" '
        'href="https://example.org/rss.xml">'
    ) in home
    tag = (site / "tags" / "python" / "index.html").read_text(encoding="utf-8")
    assert 'type="application/rss+xml" title="microblog · #python (RSS)"' in tag
    assert 'href="https://example.org/tags/python/rss.xml"' in tag


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Short note.", "Short note."),
        ("  Spaces\n and\tlines  ", "Spaces and lines"),
        (
            "A note that goes on for rather longer than any title should, word after word.",
            "A note that goes on for rather longer than any title should…",
        ),
        ("x" * 70, "x" * 60 + "…"),
        ("", ""),
    ],
)
def test_a_post_without_a_title_gets_the_start_of_its_text_in_atom(text, title):
    assert text_title(text) == title

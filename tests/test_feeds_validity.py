"""Every feed of a built site is valid by its format's own rules, not by ours.

Atom against RFC 4287's RELAX NG schema (tests/fixtures/schemas/atom.rng), JSON Feed against
a JSON Schema written from the 1.1 spec, RSS 2.0 through feedparser (no ``bozo``): for
feeds with notes, articles, unicode, HTML entities and tags, site-wide and per tag. Notes
carry no made-up title where the format allows (JSON Feed, RSS) and their photos as
attachments and enclosures.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import jsonschema_rs
import pytest
from lxml import etree
from PIL import Image

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


#: Notes: a photo of ours with a reply link; a photo from elsewhere alone; a bookmark.
NOTES = {
    "2026-09-25-081500": """---
date: 2026-09-25 08:15
photos:
  - src: media/cat.jpg
    alt: A cat asleep on a keyboard & a mouse
in-reply-to: https://example.com/posts/cats/?a=1&b=2
---

Morning. #cats are better than #coffee: 5 &lt; 6 & “ünïcödé” 🐈.
""",
    "2026-09-26-120000": """---
date: 2026-09-26 12:00
photos:
  - src: https://photos.example.com/sunset
    alt: A sunset over the sea
---
""",
    "2026-09-27-190000": """---
date: 2026-09-27 19:00
bookmark-of: https://example.com/essay/
---

Worth reading twice. #reading
""",
}
CAT_NOTE = "https://example.org/notes/2026/09/25/081500/"
PHOTO_NOTE = "https://example.org/notes/2026/09/26/120000/"
BOOKMARK_NOTE = "https://example.org/notes/2026/09/27/190000/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site plus a post of unicode and entities and three notes, built by
    ``freeze.py``."""
    freeze = sample_freeze(tmp_path_factory.mktemp("feeds-validity"))
    (freeze.content_dir / "posts" / "tricky.md").write_text(TRICKY_POST, encoding="utf-8")
    (freeze.content_dir / "notes").mkdir(exist_ok=True)
    for name, text in NOTES.items():
        (freeze.content_dir / "notes" / f"{name}.md").write_text(text, encoding="utf-8")
    (freeze.content_dir / "media").mkdir(exist_ok=True)
    Image.new("RGB", (8, 8), "gray").save(freeze.content_dir / "media" / "cat.jpg")
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
            assert entry.link.startswith(
                ("https://example.org/posts/", "https://example.org/notes/")
            )
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


def _cat_size(site: Path) -> int:
    return (site / "media" / "cat.jpg").stat().st_size


def test_json_feed_notes_have_no_title_and_their_photos(site):
    items = {i["url"]: i for i in json.loads((site / "feed.json").read_text())["items"]}
    cat, sunset, bookmark = items[CAT_NOTE], items[PHOTO_NOTE], items[BOOKMARK_NOTE]
    for note in (cat, sunset, bookmark):
        assert "title" not in note
        assert "summary" not in note
        assert note["id"] == note["url"]
    assert "Morning. <a" in cat["content_html"] or "Morning. #cats" in cat["content_html"]
    assert "“ünïcödé” 🐈" in cat["content_html"]
    assert (
        'In reply to <a href="https://example.com/posts/cats/?a=1&amp;b=2">' in cat["content_html"]
    )
    photo = "https://example.org/media/cat.jpg"
    assert (
        f'<img src="{photo}" alt="A cat asleep on a keyboard &amp; a mouse">'
        in (cat["content_html"])
    )
    assert cat["image"] == photo
    assert cat["attachments"] == [
        {
            "url": photo,
            "mime_type": "image/jpeg",
            "title": "A cat asleep on a keyboard & a mouse",
            "size_in_bytes": _cat_size(site),
        }
    ]
    assert sorted(cat["tags"]) == ["cats", "coffee"]
    # A photo from elsewhere: shown, but no attachment without a known media type.
    assert sunset["image"] == "https://photos.example.com/sunset"
    assert "attachments" not in sunset
    assert (
        '<img src="https://photos.example.com/sunset" alt="A sunset over the sea">'
        in (sunset["content_html"])
    )
    assert 'Bookmarked <a href="https://example.com/essay/">' in bookmark["content_html"]


def test_rss_notes_have_no_title_and_an_enclosure_when_its_size_is_known(site):
    root = etree.fromstring((site / "rss.xml").read_bytes())
    items = {item.findtext("link"): item for item in root.iter("item")}
    for url in (CAT_NOTE, PHOTO_NOTE, BOOKMARK_NOTE):
        assert items[url].find("title") is None
        assert items[url].findtext("description")
    (enclosure,) = items[CAT_NOTE].findall("enclosure")
    assert enclosure.attrib == {
        "url": "https://example.org/media/cat.jpg",
        "length": str(_cat_size(site)),
        "type": "image/jpeg",
    }
    assert items[PHOTO_NOTE].find("enclosure") is None  # RSS requires a length
    assert items["https://example.org/posts/tricky/"].findtext("title") == TRICKY_TITLE
    feed = feedparser.parse((site / "rss.xml").read_bytes())
    (cat,) = (e for e in feed.entries if e.link == CAT_NOTE)
    assert "title" not in cat
    assert [(e.href, e.type) for e in cat.enclosures] == [
        ("https://example.org/media/cat.jpg", "image/jpeg")
    ]


def test_atom_notes_are_titled_by_their_first_words_with_enclosures(site):
    root = etree.fromstring((site / "feed.xml").read_bytes())
    entries = {e.findtext(f"{ATOM}id"): e for e in root.iter(f"{ATOM}entry")}
    cat = entries[CAT_NOTE]
    assert cat.findtext(f"{ATOM}title") == "Morning. #cats are better than #coffee: 5 < …"
    assert entries[PHOTO_NOTE].findtext(f"{ATOM}title") == "Photo"
    assert entries[BOOKMARK_NOTE].findtext(f"{ATOM}title") == "Worth reading twice. #reading"
    assert cat.find(f"{ATOM}summary") is None
    links = [link.attrib for link in cat.iter(f"{ATOM}link")]
    assert {
        "href": "https://example.org/media/cat.jpg",
        "rel": "enclosure",
        "type": "image/jpeg",
        "length": str(_cat_size(site)),
    } in links
    sunset = [link.attrib for link in entries[PHOTO_NOTE].iter(f"{ATOM}link")]
    assert {"href": "https://photos.example.com/sunset", "rel": "enclosure"} in sunset


def test_a_hashtag_tag_feed_carries_its_notes(site):
    document = json.loads((site / "tags" / "cats" / "feed.json").read_text())
    assert [item["url"] for item in document["items"]] == [CAT_NOTE]
    rss = feedparser.parse((site / "tags" / "reading" / "rss.xml").read_bytes())
    assert not rss.bozo
    assert [entry.link for entry in rss.entries] == [BOOKMARK_NOTE]


def test_an_incremental_build_renews_a_feed_when_a_notes_photo_changes(freeze):
    """The feeds read a photo's size from its file: the build notes the file, so a new
    photo under the same name gives the new length, as a clean build does."""
    (freeze.content_dir / "notes").mkdir(exist_ok=True)
    name = "2026-09-25-081500"
    (freeze.content_dir / "notes" / f"{name}.md").write_text(NOTES[name], encoding="utf-8")
    photo = freeze.content_dir / "media" / "cat.jpg"
    photo.parent.mkdir(exist_ok=True)
    Image.new("RGB", (8, 8), "gray").save(photo)
    assert freeze().returncode == 0
    Image.effect_noise((64, 64), 90).convert("RGB").save(photo)  # bigger: noise compresses badly
    result = freeze()
    assert result.returncode == 0, result.stderr
    size = str(photo.stat().st_size)
    root = etree.fromstring((freeze.build_dir / "rss.xml").read_bytes())
    (item,) = (item for item in root.iter("item") if item.findtext("link") == CAT_NOTE)
    enclosure = item.find("enclosure")
    assert enclosure.get("length") == size
    feeds = ["rss.xml", "feed.xml", "feed.json", "tags/cats/rss.xml"]
    incremental = {feed: (freeze.build_dir / feed).read_bytes() for feed in feeds}
    assert freeze("--clean").returncode == 0
    assert {feed: (freeze.build_dir / feed).read_bytes() for feed in feeds} == incremental


def test_the_authoring_apps_preview_serves_rss_too(synced, client):
    """The live read model answers the same feeds (the admin's preview of the site)."""
    response = client.get("/rss.xml")
    assert response.mimetype == "application/rss+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries[0].title == "Publishing the site"
    tag = feedparser.parse(client.get("/tags/python/rss.xml").data)
    assert [entry.title for entry in tag.entries] == ["Highlighted Python"]
    assert client.get("/tags/nope/rss.xml").status_code == 404


def test_a_photo_named_with_spaces_and_accents_has_a_valid_url_in_every_feed(freeze):
    """Front matter names the file as it is; feeds percent-encode the path of its URL."""
    (freeze.content_dir / "notes").mkdir(exist_ok=True)
    (freeze.content_dir / "notes" / "2026-09-25-081500.md").write_text(
        "---\ndate: 2026-09-25 08:15\nphotos:\n  - src: media/big photo é.jpg\n"
        "    alt: A big photo\n  - src: https://photos.example.com/café%20au%20lait.jpg\n"
        "    alt: A sunset\n---\n\nTwo photos.\n",
        encoding="utf-8",
    )
    (freeze.content_dir / "media").mkdir(exist_ok=True)
    photo = freeze.content_dir / "media" / "big photo é.jpg"
    Image.new("RGB", (8, 8), "gray").save(photo, "JPEG")
    result = freeze()
    assert result.returncode == 0, result.stderr
    ours = "https://example.org/media/big%20photo%20%C3%A9.jpg"
    theirs = "https://photos.example.com/caf%C3%A9%20au%20lait.jpg"
    size = str(photo.stat().st_size)

    rss = etree.fromstring((freeze.build_dir / "rss.xml").read_bytes())
    (item,) = (item for item in rss.iter("item") if item.findtext("link") == CAT_NOTE)
    (enclosure,) = item.findall("enclosure")
    assert enclosure.attrib == {"url": ours, "length": size, "type": "image/jpeg"}
    assert f'<img src="{ours}" alt="A big photo">' in item.findtext("description")

    atom = etree.fromstring((freeze.build_dir / "feed.xml").read_bytes())
    (entry,) = (e for e in atom.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == CAT_NOTE)
    links = [link.attrib for link in entry.iter(f"{ATOM}link") if link.get("rel") == "enclosure"]
    assert links == [
        {"href": ours, "rel": "enclosure", "type": "image/jpeg", "length": size},
        {"href": theirs, "rel": "enclosure", "type": "image/jpeg"},
    ]

    items = json.loads((freeze.build_dir / "feed.json").read_text())["items"]
    (note,) = (i for i in items if i["url"] == CAT_NOTE)
    assert note["image"] == ours
    assert [a["url"] for a in note["attachments"]] == [ours, theirs]
    assert f'<img src="{theirs}" alt="A sunset">' in note["content_html"]

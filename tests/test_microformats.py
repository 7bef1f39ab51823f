"""The default theme's microformats2, as an IndieWeb reader sees them: built pages parsed
with mf2py (a maintained parser) into h-feed, h-entry and h-card properties, and the
timeline turned into ActivityStreams by granary (an independent consumer)."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path
from typing import Any

import mf2py
import pytest
from PIL import Image

from tests.conftest import ROOT, sample_freeze

SITE = "https://example.org/"
#: Notes: plain, with a photo, a reply, a draft, a bookmark (tests/test_timeline.py's).
NOTES = ROOT / "tests" / "fixtures" / "notes"
PHOTO_NOTE = SITE + "notes/2026/09/20/193000/"
REPLY_NOTE = SITE + "notes/2026/10/05/120000/"
BOOKMARK_NOTE = SITE + "notes/2026/11/05/070000/"
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|Z)$")
UPDATED_POST = """---
title: Édition & <révision>
date: 2026-09-10
updated: 2026-09-15
tags: [python, meta]
summary: A post changed after it was published.
---

First version, then **revised**.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site plus the fixture notes and an updated post, with an avatar and a
    note for its author."""
    freeze = sample_freeze(tmp_path_factory.mktemp("microformats"))
    shutil.copytree(NOTES / "notes", freeze.content_dir / "notes", dirs_exist_ok=True)
    shutil.copytree(NOTES / "media", freeze.content_dir / "media", dirs_exist_ok=True)
    (freeze.content_dir / "posts" / "updated.md").write_text(UPDATED_POST, encoding="utf-8")
    Image.new("RGB", (48, 48), "teal").save(freeze.content_dir / "media" / "ada.png")
    settings = {
        "SITE_AUTHOR": "Ada Lovelace",
        "SITE_AUTHOR_AVATAR": "/media/ada.png",
        "SITE_AUTHOR_NOTE": "Writes notes & essays.",
    }
    result = freeze(env=settings)
    assert result.returncode == 0, result.stderr
    return freeze.build_dir


def parse(site: Path, page: str) -> dict[str, Any]:
    """The mf2 document of a built page, at its URL on the site."""
    html = (site / page / "index.html").read_text(encoding="utf-8")
    parsed: dict[str, Any] = mf2py.parse(doc=html, url=SITE + page)
    return parsed


def of_type(items: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item for item in items if kind in item["type"]]


def the_feed(document: dict[str, Any]) -> dict[str, Any]:
    (feed,) = of_type(document["items"], "h-feed")
    return feed


def test_the_home_page_has_the_authors_representative_h_card(site):
    """Top level, with u-url and u-uid the page's own URL (the IndieWeb's rule for it)."""
    (card,) = of_type(parse(site, "")["items"], "h-card")
    props = card["properties"]
    assert props["name"] == ["Ada Lovelace"]
    assert props["url"] == props["uid"] == [SITE]
    assert props["photo"] == [{"value": SITE + "media/ada.png", "alt": ""}]
    assert props["note"] == ["Writes notes & essays."]


def test_no_photo_or_note_without_their_settings(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    (card,) = of_type(mf2py.parse(doc=html, url=SITE)["items"], "h-card")
    assert set(card["properties"]) == {"name", "url", "uid"}


def test_the_home_page_is_an_h_feed_of_h_entries(site):
    feed = the_feed(parse(site, ""))
    assert feed["properties"]["name"] == ["microblog"]
    entries = of_type(feed["children"], "h-entry")
    assert len(entries) == 5  # POSTS_PER_PAGE: every post of the page, nothing else
    kinds = {entry["properties"]["url"][0].split("/")[3] for entry in entries}
    assert kinds == {"posts", "notes"}  # the timeline interleaves them
    for entry in entries:
        props = entry["properties"]
        assert props["url"] == props["uid"]
        if "/posts/" in props["url"][0]:
            assert props["name"][0]
            assert props["summary"][0]
            assert "content" not in props  # a list shows an article's summary, not its body
        else:  # a note: its text in full, and no name, not even an implied one
            assert "name" not in props
            assert "summary" not in props
            assert props["content"][0]["value"]
        (published,) = props["published"]
        assert ISO_DATETIME.match(published), published
        (author,) = props["author"]
        assert author["type"] == ["h-card"]
        assert author["properties"]["name"] == ["Ada Lovelace"]
        assert author["properties"]["url"] == [SITE]


def test_a_post_page_is_a_full_h_entry(site):
    (entry,) = of_type(parse(site, "posts/updated/")["items"], "h-entry")
    props = entry["properties"]
    assert props["name"] == ["Édition & <révision>"]
    assert props["url"] == props["uid"] == [SITE + "posts/updated/"]
    (content,) = props["content"]
    assert content["value"] == "First version, then revised."
    assert "<strong>revised</strong>" in content["html"]
    assert props["published"][0].startswith("2026-09-10T")
    assert props["updated"][0].startswith("2026-09-15T")
    assert sorted(props["category"]) == ["meta", "python"]  # the tag, without its '#'
    assert props["author"][0]["properties"]["name"] == ["Ada Lovelace"]


def test_a_post_published_and_updated_the_same_day_has_no_updated(site):
    (entry,) = of_type(parse(site, "posts/hello-world/")["items"], "h-entry")
    assert "updated" not in entry["properties"]


def test_tag_pages_are_h_feeds_of_that_tag(site):
    feed = the_feed(parse(site, "tags/python/"))
    assert feed["properties"]["name"] == ["Posts tagged python"]
    entries = of_type(feed["children"], "h-entry")
    assert {entry["properties"].get("name", ["(a note)"])[0] for entry in entries} == {
        "Édition & <révision>",
        "Highlighted Python",
        "(a note)",  # 'Coffee first, then #python': a hashtag is a tag
    }
    assert all("python" in entry["properties"]["category"] for entry in entries)


@pytest.mark.parametrize("page", ["archive/", "archive/2026/", "archive/2026/09/"])
def test_archive_pages_are_h_feeds(site, page):
    feed = the_feed(parse(site, page))
    assert feed["properties"]["name"][0] in {"Archive", "Archive: 2026", "Archive: September 2026"}
    entries = of_type(feed["children"], "h-entry")
    assert entries
    for entry in entries:
        props = entry["properties"]
        assert props["url"] == props["uid"]
        assert props["url"][0].startswith((SITE + "posts/", SITE + "notes/"))
        assert ISO_DATETIME.match(props["published"][0])
    names = {entry["properties"]["name"][0] for entry in entries if "name" in entry["properties"]}
    assert "Édition & <révision>" in names
    assert not any("Evening light" in name for name in names)  # a note has no name


def test_pages_are_not_h_entries(site):
    """The about page is no post: nothing on it claims to be an entry."""
    assert not of_type(parse(site, "about/")["items"], "h-entry")


def _entry_at(document: dict[str, Any], url: str) -> dict[str, Any]:
    """The h-entry at ``url``, at the top level or in an h-feed."""
    found = [
        item
        for top in document["items"]
        for item in [top, *top.get("children", [])]
        if "h-entry" in item["type"] and item["properties"]["url"] == [url]
    ]
    assert len(found) == 1, found
    return found[0]


def test_a_note_page_is_an_h_entry_without_a_name(site):
    """What a reader sees of a note: its content, photo with alt, date, URL, author, tags."""
    props = _entry_at(parse(site, "notes/2026/09/20/193000/"), PHOTO_NOTE)["properties"]
    assert "name" not in props  # no p-name, and mf2 implies none beside e-content
    (content,) = props["content"]
    assert content["value"] == "Evening light at the harbour. #photos"
    assert props["photo"] == [
        {
            "value": SITE + "media/harbour.png",
            "alt": "An orange sky over the harbour, two boats moored",
        }
    ]
    assert props["uid"] == [PHOTO_NOTE]
    assert ISO_DATETIME.match(props["published"][0])
    assert props["published"][0].startswith("2026-09-20T19:30")
    assert props["category"] == ["photos"]  # its hashtag, once
    assert props["author"][0]["properties"]["name"] == ["Ada Lovelace"]


@pytest.mark.parametrize(
    ("page", "url", "key", "target"),
    [
        (
            "notes/2026/10/05/120000/",
            REPLY_NOTE,
            "in-reply-to",
            "https://example.com/2026/10/static-sites/",
        ),
        (
            "notes/2026/11/05/070000/",
            BOOKMARK_NOTE,
            "bookmark-of",
            "https://www.w3.org/TR/micropub/",
        ),
        ("", BOOKMARK_NOTE, "bookmark-of", "https://www.w3.org/TR/micropub/"),
    ],
)
def test_a_note_names_what_it_answers_or_bookmarks(site, page, url, key, target):
    props = _entry_at(parse(site, page), url)["properties"]
    assert props[key] == [target]
    assert "name" not in props


def test_a_note_in_the_archive_has_no_name(site):
    """No p-name for a note, and no implied one: its first words are its p-summary (a list
    entry with no text property would get its date and words as its implied name, and a
    consumer would take the note for an article of that title)."""
    feed = the_feed(parse(site, "archive/2026/09/"))
    (note,) = (
        e for e in of_type(feed["children"], "h-entry") if e["properties"]["url"] == [PHOTO_NOTE]
    )
    assert "name" not in note["properties"]
    assert note["properties"]["summary"] == ["Evening light at the harbour. #photos"]
    html = (site / "archive" / "2026" / "09" / "index.html").read_text(encoding="utf-8")
    assert '<a class="u-url u-uid p-summary" href="/notes/2026/09/20/193000/">' in html
    articles = [e for e in of_type(feed["children"], "h-entry") if "name" in e["properties"]]
    assert articles
    assert all("summary" not in a["properties"] for a in articles)  # a p-name alone


def _entry_urls(site: Path, page: str) -> list[str]:
    feed = the_feed(parse(site, page))
    return [entry["properties"]["url"][0] for entry in of_type(feed["children"], "h-entry")]


def test_the_home_pages_and_the_archive_have_the_same_entries_and_no_draft(site):
    pages = ["", *(f"page/{n}/" for n in range(2, 9) if (site / f"page/{n}").exists())]
    timeline = [url for page in pages for url in _entry_urls(site, page)]
    archive = _entry_urls(site, "archive/")
    assert len(timeline) == len(set(timeline)) > 10
    assert sorted(timeline) == sorted(archive)
    assert SITE + "notes/2026/10/15/221000/" not in archive  # a draft


#: Every published note of the fixtures, by URL, with words of its text.
NOTE_TEXTS = {
    SITE + "notes/2026/09/02/081500/": "Coffee first, then",
    PHOTO_NOTE: "Evening light at the harbour.",
    REPLY_NOTE: "Agreed: a folder of HTML outlives every CMS I have used.",
    BOOKMARK_NOTE: "The spec to read before writing a posting client",
}


def _as2_of_timeline(site: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The timeline's pages, read by granary (an independent IndieWeb consumer) and turned
    into ActivityStreams 2.0 activities."""
    with warnings.catch_warnings():  # its web utilities import deprecated websockets names
        warnings.simplefilter("ignore", DeprecationWarning)
        from granary import as2, microformats2
        from webutil import util
    # granary's documented switch: name the HTML parser instead of letting bs4 guess one.
    monkeypatch.setattr(util, "beautifulsoup_parser", "html.parser")
    pages = ["", *(f"page/{n}/" for n in range(2, 20) if (site / f"page/{n}").is_dir())]
    activities = []
    for page in pages:
        html = (site / page / "index.html").read_text(encoding="utf-8")
        for activity in microformats2.html_to_activities(html, url=SITE + page):
            activities.append(as2.from_as1(activity))
    return activities


def test_granary_turns_the_timeline_into_activitystreams_with_every_note(site, monkeypatch):
    activities = _as2_of_timeline(site, monkeypatch)
    found: dict[str, dict[str, Any]] = {}
    for activity in activities:
        assert activity["type"] == "Create"
        note = activity["object"]
        if note.get("type") != "Note":  # a bookmark, like or repost: the activity is the note
            note = activity
        if "/notes/" in note.get("url", ""):
            found[note["url"]] = note
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    published = set(re.findall(r"<loc>(https://example\.org/notes/[^<]+)</loc>", sitemap))
    assert set(found) == published >= set(NOTE_TEXTS)  # every published note, no draft
    for url, note in found.items():
        assert note["content"].strip(), url
        assert "name" not in note  # no invented title
    for url, text in NOTE_TEXTS.items():
        assert text in found[url]["content"], found[url]
    assert found[REPLY_NOTE]["inReplyTo"] == "https://example.com/2026/10/static-sites/"
    articles = [a["object"] for a in activities if a["object"].get("type") == "Article"]
    assert {"Publishing the site", "Édition & <révision>"} <= {a["name"] for a in articles}


def test_a_photo_named_with_spaces_and_accents_is_a_valid_url(tmp_path):
    """Front matter names the file as it is; the page percent-encodes its URL."""
    freeze = sample_freeze(tmp_path)
    (freeze.content_dir / "notes" / "2026-09-20-193000.md").write_text(
        "---\ndate: 2026-09-20 19:30\nphotos:\n  - src: media/big photo é.png\n"
        "    alt: A big photo\n---\n\nBig.\n",
        encoding="utf-8",
    )
    Image.new("RGB", (1200, 900), "teal").save(freeze.content_dir / "media" / "big photo é.png")
    result = freeze()
    assert result.returncode == 0, result.stderr
    props = _entry_at(parse(freeze.build_dir, "notes/2026/09/20/193000/"), PHOTO_NOTE)
    (photo,) = props["properties"]["photo"]
    assert (photo["value"], photo["alt"]) == (
        SITE + "media/big%20photo%20%C3%A9.png",
        "A big photo",
    )
    html = (freeze.build_dir / "notes/2026/09/20/193000/index.html").read_text(encoding="utf-8")
    assert 'width="1200"' in html
    assert "/media/_variants/960/big%20photo%20%C3%A9.png 960w" in html
    assert '<meta property="og:image" content="' + SITE + 'media/big%20photo%20%C3%A9.png">' in html

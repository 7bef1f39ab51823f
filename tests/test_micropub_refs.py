"""A note that answers, likes, reposts or bookmarks several pages: Micropub keeps every value
of ``in-reply-to``, ``like-of``, ``repost-of`` and ``bookmark-of`` (form and JSON, in order,
each once), updates work on the list, ``q=source`` gives them all back, and the built page
and feeds show each one. Real HTTP against the authoring app, the site built with
``python freeze.py`` and read with mf2py."""

from __future__ import annotations

import json

import feedparser

from tests.micropub_helpers import (
    assert_published,
    build,
    entry,
    front_matter,
    micropub_fixture,
    row,
    site_path,
    text_of,
)

__all__ = ["micropub_fixture"]  # the ``micropub`` fixture

A, B, C = (f"https://{host}.example/post/" for host in ("first", "second", "third"))
FORM = {"headers": {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}}


def update(micropub, url: str, **ops) -> None:
    response = micropub.post("/micropub", json={"action": "update", "url": url, **ops})
    assert response.status_code in (200, 201, 204), response.text


def test_a_form_reply_to_two_pages_keeps_both_on_the_page_and_in_the_feeds(
    micropub, content_dir, freeze
):
    response = micropub.post(
        "/micropub",
        data=f"h=entry&content=Both+of+you&in-reply-to[]={A}&in-reply-to[]={B}"
        f"&in-reply-to[]={A}",  # the same page twice is one reply
        **FORM,
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    assert row(location)["extra"]["in-reply-to"] == [A, B]
    assert f"in-reply-to:\n- {A}\n- {B}\n" in front_matter(content_dir, location)
    assert micropub.source(location, "in-reply-to") == {"properties": {"in-reply-to": [A, B]}}

    built = build(freeze)
    props = assert_published(built, location)
    assert props["in-reply-to"] == [A, B]  # two u-in-reply-to, in order
    assert text_of(props) == "Both of you"

    page = "https://example.org/" + site_path(location)
    atom = feedparser.parse((built.root / "feed.xml").read_bytes())
    [item] = [e for e in atom.entries if e.link == page]
    assert [url for url in (A, B) if url in item.content[0].value] == [A, B]
    feed = json.loads((built.root / "feed.json").read_text())
    [item] = [i for i in feed["items"] if i["url"] == page]
    html = item["content_html"]
    assert html.index(f'href="{A}"') < html.index(f'href="{B}"') < html.index("Both of you")


def test_a_json_like_of_several_pages_and_q_source_gives_them_all(micropub, content_dir, freeze):
    location = micropub.create(
        json=entry(content=["Liked"], **{"like-of": [A, B, C], "bookmark-of": [C]})
    )
    stored = row(location)["extra"]
    assert (stored["like-of"], stored["bookmark-of"]) == ([A, B, C], C)  # one stays text
    assert f"bookmark-of: {C}\n" in front_matter(content_dir, location)
    props = micropub.source(location)["properties"]
    assert (props["like-of"], props["bookmark-of"]) == ([A, B, C], [C])
    built = assert_published(build(freeze), location)
    assert (built["like-of"], built["bookmark-of"]) == ([A, B, C], [C])


def test_an_update_deletes_one_reply_and_adds_another(micropub, content_dir, freeze):
    location = micropub.create(json=entry(content=["Hi"], **{"in-reply-to": [A, B]}))
    update(micropub, location, delete={"in-reply-to": [A]})
    assert row(location)["extra"]["in-reply-to"] == B  # one left: written as before
    assert f"in-reply-to: {B}\n" in front_matter(content_dir, location)
    update(micropub, location, add={"in-reply-to": [C, B]})
    assert micropub.source(location, "in-reply-to") == {"properties": {"in-reply-to": [B, C]}}
    update(micropub, location, replace={"in-reply-to": [C, A]})
    assert row(location)["extra"]["in-reply-to"] == [C, A]
    assert assert_published(build(freeze), location)["in-reply-to"] == [C, A]


def test_a_bad_second_url_is_refused_and_names_the_property(micropub, content_dir):
    response = micropub.post("/micropub", json=entry(content=["x"], **{"repost-of": [A, "nope"]}))
    assert response.status_code == 400
    assert "repost-of" in response.json()["error_description"]
    assert "'nope'" in response.json()["error_description"]

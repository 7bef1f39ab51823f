"""Every example request of the Micropub specification (W3C Recommendation, 23 May 2017),
replayed over real HTTP against the authoring app; each checks the answer, the file in
content/, the row and the built site (``python freeze.py``, pages parsed with mf2py): the
post's page, timeline, tag pages and feeds, or for a draft, a deleted post, a query or an
error, that the build has nothing of it.

The examples' URLs (``https://aaronpk.example/...``) are the URLs our server gave the post.
One intended difference: a photo without alt text is saved as a draft (with a warning
saying why), since the site publishes no image without a description.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from tests.api_helpers import image_bytes
from tests.micropub_helpers import (
    assert_photo,
    assert_published,
    assert_unpublished,
    build,
    built_before,
    front_matter,
    micropub_fixture,
    nothing_written,
    row,
    source_path,
    text_of,
)

__all__ = ["micropub_fixture"]  # the ``micropub`` fixture

PHOTO = "https://photos.example.com/592829482876343254.jpg"
GLOBE = "https://photos.example.com/globe.gif"
HELLO_HTML = {"html": "<b>Hello</b> <i>World</i>"}
FORM = {"headers": {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}}


# --- 3.3 Create --------------------------------------------------------------------------


def test_3_3_form_encoded_create(micropub, content_dir, freeze):
    """h=entry&content=hello+world&category[]=foo&category[]=bar"""
    response = micropub.post(
        "/micropub", data="h=entry&content=hello+world&category[]=foo&category[]=bar", **FORM
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    stored = row(location)
    assert (stored["kind"], stored["tags"], stored["draft"]) == ("note", ["bar", "foo"], False)
    text = front_matter(content_dir, location)
    assert "tags: [foo, bar]" in text
    assert text.endswith("hello world\n")
    props = assert_published(build(freeze), location)
    assert text_of(props) == "hello world"
    assert sorted(props["category"]) == ["bar", "foo"]


def test_3_3_1_form_encoded_photo_by_url(micropub, content_dir, freeze):
    """h=entry&content=hello+world&photo=https%3A%2F%2Fphotos.example.com%2F5928....jpg"""
    response = micropub.post(
        "/micropub", data="h=entry&content=hello+world&photo=" + quote(PHOTO, safe=""), **FORM
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    assert "/notes/" in location
    assert "photo 1 has no alt text" in response.json()["warning"]
    stored = row(location)
    assert stored["kind"] == "note"
    assert stored["body"] == "hello world\n"
    assert stored["extra"]["photos"] == [{"src": PHOTO}]
    assert stored["draft"] is True
    text = front_matter(content_dir, location)
    assert f"src: {PHOTO}" in text
    assert text.endswith("hello world\n")
    assert_unpublished(build(freeze), location)


def test_3_3_1_form_encoded_without_photo_is_published(micropub, content_dir, freeze):
    location = micropub.create(data={"h": "entry", "content": "hello world"})
    assert row(location)["draft"] is False
    assert "draft" not in front_matter(content_dir, location)
    assert text_of(assert_published(build(freeze), location)) == "hello world"


def test_3_3_2_json_create(micropub, content_dir, freeze):
    body = {
        "type": ["h-entry"],
        "properties": {
            "content": ["hello world"],
            "category": ["foo", "bar"],
            "photo": [PHOTO],
        },
    }
    location = micropub.create(json=body)
    stored = row(location)
    assert stored["kind"] == "note"
    assert stored["tags"] == ["bar", "foo"]
    assert stored["extra"]["photos"] == [{"src": PHOTO}]
    assert "hello world" in front_matter(content_dir, location)
    assert stored["draft"] is True  # no alt: see the module's docstring
    assert_unpublished(build(freeze), location)


def test_3_3_2_json_html_content(micropub, content_dir, freeze):
    html = "<p>This post has <b>bold</b> and <i>italic</i> text.</p>"
    location = micropub.create(
        json={"type": ["h-entry"], "properties": {"content": [{"html": html}]}}
    )
    assert row(location)["body"] == html + "\n"
    assert front_matter(content_dir, location).endswith(html + "\n")
    (content,) = assert_published(build(freeze), location)["content"]
    assert content["html"] == html


def test_3_3_2_json_nested_object(micropub, content_dir, freeze):
    """A property whose value is an object (the spec's h-measure) is kept as sent."""
    weight = {"type": ["h-measure"], "properties": {"num": ["70.64"], "unit": ["kg"]}}
    bodyfat = {"type": ["h-measure"], "properties": {"num": ["19.83"], "unit": ["%"]}}
    body = {
        "type": ["h-entry"],
        "properties": {"summary": ["Weighed 70.64 kg"], "weight": [weight], "bodyfat": [bodyfat]},
    }
    location = micropub.create(json=body)
    assert row(location)["body"] == "Weighed 70.64 kg\n"
    assert row(location)["extra"]["micropub"] == {"weight": [weight], "bodyfat": [bodyfat]}
    kept = micropub.source(location, "weight", "bodyfat")["properties"]
    assert kept == {"weight": [weight], "bodyfat": [bodyfat]}
    assert "h-measure" in front_matter(content_dir, location)
    assert text_of(assert_published(build(freeze), location)) == "Weighed 70.64 kg"


def test_3_3_2_json_photo_with_alt(micropub, content_dir, freeze):
    body = {
        "type": ["h-entry"],
        "properties": {
            "content": ["hello world"],
            "category": ["foo", "bar"],
            "photo": [{"value": GLOBE, "alt": "Spinning globe animation"}],
        },
    }
    response = micropub.post("/micropub", json=body)
    assert response.status_code == 201, response.text
    assert "warning" not in response.json()
    location = response.headers["Location"]
    assert row(location)["draft"] is False
    assert row(location)["extra"]["photos"] == [{"src": GLOBE, "alt": "Spinning globe animation"}]
    assert row(location)["tags"] == ["bar", "foo"]
    assert "alt: Spinning globe animation" in front_matter(content_dir, location)
    built = build(freeze)
    props = assert_published(built, location)
    assert (text_of(props), sorted(props["category"])) == ("hello world", ["bar", "foo"])
    assert_photo(built, location, GLOBE, "Spinning globe animation")


def test_3_3_3_multipart_create_with_a_photo(micropub, content_dir, freeze):
    response = micropub.post(
        "/micropub",
        data={"h": "entry", "content": "hello world", "category[]": ["foo", "bar"]},
        files={"photo": ("sunset.jpg", image_bytes("JPEG"), "image/jpeg")},
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    stored = row(location)
    [photo] = stored["extra"]["photos"]
    assert photo["src"].startswith("/media/sunset-")
    assert (content_dir / photo["src"].lstrip("/")).is_file()
    assert stored["draft"] is True  # no alt: see the module's docstring
    assert stored["tags"] == ["bar", "foo"]
    built = build(freeze)
    assert_unpublished(built, location)
    assert not (built.root / "tags" / "foo").exists()


def test_3_3_3_multipart_photo_with_alt_is_published(micropub, content_dir, freeze):
    location = micropub.create(
        data={"h": "entry", "content": "sunset", "mp-photo-alt": "The sun over the sea"},
        files={"photo": ("sunset.png", image_bytes(), "image/png")},
    )
    assert row(location)["draft"] is False
    assert "alt: The sun over the sea" in front_matter(content_dir, location)
    [photo] = row(location)["extra"]["photos"]
    built = build(freeze)
    assert text_of(assert_published(built, location)) == "sunset"
    assert_photo(built, location, photo["src"], "The sun over the sea")


# --- 3.4 Update --------------------------------------------------------------------------


def _article(micropub) -> str:
    return micropub.create(
        json={
            "type": ["h-entry"],
            "properties": {
                "name": ["Updating"],
                "content": ["hello world"],
                "category": ["indieweb", "micropub"],
            },
        }
    )


def test_3_4_1_replace(micropub, content_dir, freeze):
    url = _article(micropub)
    response = micropub.post(
        "/micropub", json={"action": "update", "url": url, "replace": {"content": ["hello moon"]}}
    )
    assert response.status_code == 204, response.text
    assert row(url)["body"] == "hello moon\n"
    text = front_matter(content_dir, url)
    assert text.endswith("hello moon\n")
    assert "updated:" in text
    built = build(freeze)
    assert text_of(assert_published(built, url)) == "hello moon"
    assert "hello world" not in built.page(url)


def test_3_4_2_add(micropub, content_dir, freeze):
    url = _article(micropub)
    archived = (
        "http://web.archive.org/web/20040104110725/https://aaronpk.example/2014/06/01/9/indieweb"
    )
    response = micropub.post(
        "/micropub", json={"action": "update", "url": url, "add": {"syndication": [archived]}}
    )
    assert response.status_code == 204, response.text
    assert row(url)["extra"]["micropub"] == {"syndication": [archived]}
    assert micropub.source(url, "syndication") == {"properties": {"syndication": [archived]}}
    assert archived in front_matter(content_dir, url)
    assert assert_published(build(freeze), url)["syndication"] == [archived]


def test_3_4_2_add_tags(micropub, content_dir, freeze):
    url = micropub.create(
        json={"type": ["h-entry"], "properties": {"name": ["Tags"], "content": ["hello"]}}
    )
    response = micropub.post(
        "/micropub",
        json={"action": "update", "url": url, "add": {"category": ["micropub", "indieweb"]}},
    )
    assert response.status_code == 204, response.text
    assert row(url)["tags"] == ["indieweb", "micropub"]
    assert "tags: [micropub, indieweb]" in front_matter(content_dir, url)
    assert sorted(assert_published(build(freeze), url)["category"]) == ["indieweb", "micropub"]


def test_3_4_3_remove_a_value(micropub, content_dir, freeze):
    url = _article(micropub)
    response = micropub.post(
        "/micropub", json={"action": "update", "url": url, "delete": {"category": ["indieweb"]}}
    )
    assert response.status_code == 204, response.text
    assert row(url)["tags"] == ["micropub"]
    assert "tags: [micropub]" in front_matter(content_dir, url)
    built = build(freeze)
    assert assert_published(built, url)["category"] == ["micropub"]
    assert built.page("/tags/indieweb/") is None  # its one post left it


def test_3_4_3_remove_a_property(micropub, content_dir, freeze):
    url = _article(micropub)
    response = micropub.post(
        "/micropub", json={"action": "update", "url": url, "delete": ["category"]}
    )
    assert response.status_code == 204, response.text
    assert row(url)["tags"] == []
    assert "tags:" not in front_matter(content_dir, url)
    built = build(freeze)
    assert "category" not in assert_published(built, url)
    assert built.page("/tags/indieweb/") is None
    assert built.page("/tags/micropub/") is None


def test_3_4_3_an_update_that_would_empty_a_note_is_refused(micropub, content_dir):
    url = micropub.create(json={"type": ["h-entry"], "properties": {"content": ["Only text."]}})
    before = front_matter(content_dir, url)
    response = micropub.post(
        "/micropub", json={"action": "update", "url": url, "delete": ["content"]}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert "the note is empty" in response.json()["error_description"]
    assert front_matter(content_dir, url) == before
    assert row(url)["body"] == "Only text.\n"


# --- 3.5 Delete and undelete -------------------------------------------------------------


def test_3_5_delete_and_undelete_form_encoded(micropub, content_dir, freeze):
    url = _article(micropub)
    assert_published(build(freeze), url)
    deleted = micropub.post("/micropub", data={"action": "delete", "url": url})
    assert deleted.status_code == 204, deleted.text
    assert row(url) is None
    assert not (content_dir / source_path(url)).exists()
    assert (content_dir / ".deleted" / source_path(url)).is_file()
    assert_unpublished(build(freeze), url)
    restored = micropub.post("/micropub", data={"action": "undelete", "url": url})
    assert restored.status_code == 204, restored.text
    assert row(url)["title"] == "Updating"
    assert (content_dir / source_path(url)).is_file()
    assert not (content_dir / ".deleted" / source_path(url)).exists()
    assert assert_published(build(freeze), url)["name"] == ["Updating"]


def test_3_5_delete_and_undelete_json(micropub, content_dir, freeze):
    url = _article(micropub)
    assert micropub.post("/micropub", json={"action": "delete", "url": url}).status_code == 204
    assert row(url) is None
    assert_unpublished(build(freeze), url)
    assert micropub.post("/micropub", json={"action": "undelete", "url": url}).status_code == 204
    assert row(url)["tags"] == ["indieweb", "micropub"]
    assert sorted(assert_published(build(freeze), url)["category"]) == ["indieweb", "micropub"]


# --- 3.6 Media endpoint ------------------------------------------------------------------


def test_3_6_media_endpoint_upload(micropub, content_dir, freeze):
    response = micropub.post(
        "/micropub/media", files={"file": ("sunset.jpg", image_bytes("JPEG"), "image/jpeg")}
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    assert location.startswith("http://localhost:8000/media/sunset-")
    name = location.rsplit("/", 1)[1]
    assert (content_dir / "media" / name).is_file()
    # The URL is then used in a post, as the spec's example goes on.
    post = micropub.create(
        json={
            "type": ["h-entry"],
            "properties": {"content": ["sunset"], "photo": [{"value": location, "alt": "Sunset"}]},
        }
    )
    assert row(post)["extra"]["photos"] == [{"src": f"/media/{name}", "alt": "Sunset"}]
    built = build(freeze)
    assert text_of(assert_published(built, post)) == "sunset"
    assert_photo(built, post, f"/media/{name}", "Sunset")


# --- 3.7 Querying ------------------------------------------------------------------------


def test_3_7_1_configuration(micropub, live_server, freeze):
    with nothing_written(freeze):
        config = micropub.get("/micropub", params={"q": "config"}).json()
    assert config["media-endpoint"] == f"{live_server}/micropub/media"
    assert config["syndicate-to"] == []
    assert {"note", "article", "photo", "reply"} <= {t["type"] for t in config["post-types"]}


def test_3_7_2_source_with_properties(micropub, freeze):
    url = _article(micropub)
    with nothing_written(freeze):
        body = micropub.source(url, "published", "category")
    assert set(body) == {"properties"}
    assert set(body["properties"]) == {"published", "category"}
    assert body["properties"]["category"] == ["indieweb", "micropub"]
    props = assert_published(built_before(freeze), url)  # built after the query
    assert sorted(props["category"]) == body["properties"]["category"]
    (page_date,), (source_date,) = props["published"], body["properties"]["published"]
    assert datetime.fromisoformat(page_date) == datetime.fromisoformat(source_date)


def test_3_7_2_source_all_properties(micropub, freeze):
    url = _article(micropub)
    with nothing_written(freeze):
        body = micropub.source(url)
    assert body["type"] == ["h-entry"]
    assert body["properties"]["name"] == ["Updating"]
    assert body["properties"]["content"] == ["hello world"]
    props = assert_published(built_before(freeze), url)
    assert props["name"] == body["properties"]["name"]
    assert [text_of(props)] == body["properties"]["content"]


def test_3_7_2_source_of_html_content(micropub, freeze):
    """q=source&properties=content&url=...: HTML content comes back as {"html": ...}."""
    url = micropub.create(json={"type": ["h-entry"], "properties": {"content": [HELLO_HTML]}})
    with nothing_written(freeze):
        response = micropub.get(
            "/micropub", params={"q": "source", "properties": "content", "url": url}
        )
    assert response.status_code == 200, response.text
    assert response.json() == {"properties": {"content": [HELLO_HTML]}}
    (content,) = assert_published(built_before(freeze), url)["content"]
    assert content["html"] == f"<p>{HELLO_HTML['html']}</p>"  # Markdown makes it a paragraph


def test_3_7_3_syndication_targets(micropub, freeze):
    with nothing_written(freeze):
        response = micropub.get("/micropub", params={"q": "syndicate-to"})
    assert response.status_code == 200
    assert response.json() == {"syndicate-to": []}


# --- 3.8 Error response ------------------------------------------------------------------


def test_3_8_source_of_an_unknown_post(micropub, live_server, freeze):
    """GET /micropub?q=source&url=https://aaronpk.example/post/404: 400 invalid_request."""
    with nothing_written(freeze):
        response = micropub.get(
            "/micropub", params={"q": "source", "url": "https://example.org/posts/404/"}
        )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "https://example.org/posts/404/" in response.json()["error_description"]


def test_3_8_errors(micropub, live_server, freeze):
    with nothing_written(freeze):
        bad = micropub.post("/micropub", json={"action": "update", "url": "https://x.example/1"})
        anonymous = micropub.__class__(live_server).post("/micropub", data={"h": "entry"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_request"
    assert bad.json()["error_description"]
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "unauthorized"


# --- 4.1 Examples of creating objects ---------------------------------------------------


def test_4_1_1_new_note(micropub, content_dir, freeze):
    """A note with a hashtag, two categories and mp-syndicate-to (we offer no target)."""
    response = micropub.post(
        "/micropub",
        data="h=entry"
        "&content=My+favorite+of+the+%23quantifiedself+trackers%2C+finally+released+their"
        "+official+API&category[]=quantifiedself&category[]=api"
        "&mp-syndicate-to=https://myfavoritesocialnetwork.example/aaronpk",
        **FORM,
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    text = "My favorite of the #quantifiedself trackers, finally released their official API"
    stored = row(location)
    assert (stored["kind"], stored["body"]) == ("note", text + "\n")
    assert stored["tags"] == ["api", "quantifiedself"]
    assert "mp-syndicate-to" not in front_matter(content_dir, location)
    props = assert_published(build(freeze), location)
    assert text_of(props) == text
    assert "syndication" not in props


def test_4_1_2_new_reply(micropub, content_dir, freeze):
    response = micropub.post(
        "/micropub",
        data="h=entry&content=%40BarnabyWalters+My+favorite+for+that+use+case+is+Redis."
        "&in-reply-to=https://waterpigs.example/notes/4S0LMw/"
        "&mp-syndicate-to=https://myfavoritesocialnetwork.example/aaronpk",
        **FORM,
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    assert row(location)["extra"]["in-reply-to"] == "https://waterpigs.example/notes/4S0LMw/"
    assert "in-reply-to: https://waterpigs.example/notes/4S0LMw/" in front_matter(
        content_dir, location
    )
    props = assert_published(build(freeze), location)
    assert props["in-reply-to"] == ["https://waterpigs.example/notes/4S0LMw/"]
    assert text_of(props) == "@BarnabyWalters My favorite for that use case is Redis."


def test_4_1_3_new_article_with_html(micropub, content_dir, freeze):
    html = (
        'Now that I\'ve been <a href="https://aaronparecki.com/events">creating a list of '
        'events</a> on my site using <a href="https://p3k.io">p3k</a>, it would be great if '
        "I could get a more calendar-like view of that list..."
    )
    body = {
        "type": ["h-entry"],
        "properties": {
            "name": ["Itching: h-event to iCal converter"],
            "content": [{"html": html}],
            "category": ["indieweb", "p3k"],
        },
    }
    location = micropub.create(json=body)
    assert "/posts/" in location
    stored = row(location)
    assert (stored["kind"], stored["title"]) == ("post", "Itching: h-event to iCal converter")
    assert stored["tags"] == ["indieweb", "p3k"]
    assert front_matter(content_dir, location).endswith(html + "\n")
    props = assert_published(build(freeze), location)
    (content,) = props["content"]
    assert '<a href="https://p3k.io">p3k</a>' in content["html"]
    assert sorted(props["category"]) == ["indieweb", "p3k"]


def test_4_1_4_media_endpoint_then_html_with_the_image(micropub, content_dir, freeze):
    uploaded = micropub.post(
        "/micropub/media", files={"file": ("photo.jpg", image_bytes("JPEG"), "image/jpeg")}
    )
    assert uploaded.status_code == 201, uploaded.text
    image = uploaded.headers["Location"]
    name = image.rsplit("/", 1)[1]
    html = f'<p>Hello World</p><p><img src="{image}"></p>'
    location = micropub.create(
        json={"type": ["h-entry"], "properties": {"content": [{"html": html}]}}
    )
    assert (content_dir / "media" / name).is_file()
    assert "Hello World" in row(location)["body"]
    assert name in front_matter(content_dir, location)
    built = build(freeze)
    (content,) = assert_published(built, location)["content"]
    assert "Hello World" in content["html"]
    assert name in content["html"]

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

from tests.api_helpers import image_bytes
from tests.micropub_helpers import (
    Built,
    assert_photo,
    assert_published,
    assert_unpublished,
    build,
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


# --- 3.3 Create --------------------------------------------------------------------------


def test_3_3_1_form_encoded_create(micropub, content_dir, freeze):
    """h=entry&content=hello+world&category[]=foo&category[]=bar&photo=https://..."""
    response = micropub.post(
        "/micropub",
        data="h=entry&content=hello+world&category[]=foo&category[]=bar&photo=" + PHOTO,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    assert "/notes/" in location
    assert "photo 1 has no alt text" in response.json()["warning"]
    stored = row(location)
    assert stored["kind"] == "note"
    assert stored["tags"] == ["bar", "foo"]
    assert stored["body"] == "hello world\n"
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
    body = {
        "type": ["h-entry"],
        "properties": {"summary": ["Weighed 70.64 kg"], "weight": [weight]},
    }
    location = micropub.create(json=body)
    assert row(location)["body"] == "Weighed 70.64 kg\n"
    assert micropub.source(location)["properties"]["weight"] == [weight]
    assert "h-measure" in front_matter(content_dir, location)
    assert text_of(assert_published(build(freeze), location)) == "Weighed 70.64 kg"


def test_3_3_2_json_photo_with_alt(micropub, content_dir, freeze):
    body = {
        "type": ["h-entry"],
        "properties": {
            "content": ["hello world"],
            "photo": [{"value": GLOBE, "alt": "Spinning globe animation"}],
        },
    }
    response = micropub.post("/micropub", json=body)
    assert response.status_code == 201, response.text
    assert "warning" not in response.json()
    location = response.headers["Location"]
    assert row(location)["draft"] is False
    assert row(location)["extra"]["photos"] == [{"src": GLOBE, "alt": "Spinning globe animation"}]
    assert "alt: Spinning globe animation" in front_matter(content_dir, location)
    built = build(freeze)
    assert text_of(assert_published(built, location)) == "hello world"
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
    props = assert_published(Built(freeze.build_dir), url)  # built after the query
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
    props = assert_published(Built(freeze.build_dir), url)
    assert props["name"] == body["properties"]["name"]
    assert [text_of(props)] == body["properties"]["content"]


def test_3_7_3_syndication_targets(micropub, freeze):
    with nothing_written(freeze):
        response = micropub.get("/micropub", params={"q": "syndicate-to"})
    assert response.status_code == 200
    assert response.json() == {"syndicate-to": []}


# --- 3.8 Error response ------------------------------------------------------------------


def test_3_8_errors(micropub, live_server, freeze):
    with nothing_written(freeze):
        bad = micropub.post("/micropub", json={"action": "update", "url": "https://x.example/1"})
        anonymous = micropub.__class__(live_server).post("/micropub", data={"h": "entry"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_request"
    assert bad.json()["error_description"]
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "unauthorized"

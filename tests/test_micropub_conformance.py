"""A numbered conformance list modelled on micropub.rocks' groups: create (1xx form, 2xx
JSON, 3xx multipart), update (4xx), delete (5xx) here; query (6xx), media (7xx), auth (8xx)
and our own (9xx: what this site adds) in test_micropub_conformance_more.py. Real HTTP
against the authoring app; each case checks the file in content/, the row and the built site
(``python freeze.py``, parsed with mf2py): a post's page, its place on the timeline, tag
pages and feeds; a draft or deleted post nowhere; a refused request changing nothing."""

from __future__ import annotations

from tests.api_helpers import image_bytes
from tests.micropub_helpers import (
    article_fixture,
    assert_photo,
    assert_published,
    assert_unpublished,
    build,
    built_before,
    entry,
    front_matter,
    micropub_fixture,
    nothing_written,
    row,
    source_path,
    text_of,
)

__all__ = ["article_fixture", "micropub_fixture"]  # the ``article`` and ``micropub`` fixtures


# --- 1xx create, form-encoded ------------------------------------------------------------


def test_100_create_an_h_entry_form_encoded(micropub, content_dir, freeze):
    location = micropub.create(
        data={"h": "entry", "content": "Micropub test of creating a basic h-entry"}
    )
    assert row(location)["kind"] == "note"
    assert "Micropub test of creating a basic h-entry" in front_matter(content_dir, location)
    props = assert_published(build(freeze), location)
    assert text_of(props) == "Micropub test of creating a basic h-entry"


def test_101_multiple_categories_form_encoded(micropub, content_dir, freeze):
    location = micropub.create(
        data={"h": "entry", "content": "categories", "category[]": ["test1", "test2"]}
    )
    assert row(location)["tags"] == ["test1", "test2"]
    assert "tags: [test1, test2]" in front_matter(content_dir, location)
    assert sorted(assert_published(build(freeze), location)["category"]) == ["test1", "test2"]


def test_104_photo_by_url_form_encoded(micropub, content_dir, freeze):
    location = micropub.create(
        data={"h": "entry", "content": "photo", "photo": "https://micropub.rocks/media/sunset.jpg"}
    )
    assert row(location)["extra"]["photos"] == [{"src": "https://micropub.rocks/media/sunset.jpg"}]
    assert row(location)["draft"] is True  # no alt text: kept as a draft
    assert_unpublished(build(freeze), location)


def test_107_one_category_form_encoded(micropub, content_dir, freeze):
    location = micropub.create(data={"h": "entry", "content": "one", "category": "test1"})
    assert row(location)["tags"] == ["test1"]
    assert assert_published(build(freeze), location)["category"] == ["test1"]


# --- 2xx create, JSON --------------------------------------------------------------------


def test_200_create_an_h_entry_json(micropub, content_dir, freeze):
    location = micropub.create(
        json=entry(content=["Micropub test of creating an h-entry with JSON"])
    )
    assert row(location)["body"] == "Micropub test of creating an h-entry with JSON\n"
    assert (content_dir / source_path(location)).is_file()
    props = assert_published(build(freeze), location)
    assert text_of(props) == "Micropub test of creating an h-entry with JSON"


def test_201_multiple_categories_json(micropub, freeze):
    location = micropub.create(json=entry(content=["x"], category=["test1", "test2"]))
    assert row(location)["tags"] == ["test1", "test2"]
    assert sorted(assert_published(build(freeze), location)["category"]) == ["test1", "test2"]


def test_202_html_content_json(micropub, content_dir, freeze):
    html = "<p>This post has <b>bold</b> and <i>italic</i> text.</p>"
    location = micropub.create(json=entry(content=[{"html": html}]))
    assert front_matter(content_dir, location).endswith(html + "\n")
    (content,) = assert_published(build(freeze), location)["content"]
    assert "<b>bold</b>" in content["html"]
    assert "<i>italic</i>" in content["html"]
    assert content["value"] == "This post has bold and italic text."


def test_203_photo_by_url_json(micropub, freeze):
    location = micropub.create(
        json=entry(content=["x"], photo=["https://micropub.rocks/media/sunset.jpg"])
    )
    assert row(location)["extra"]["photos"][0]["src"] == "https://micropub.rocks/media/sunset.jpg"
    assert row(location)["draft"] is True  # no alt text: kept as a draft
    assert_unpublished(build(freeze), location)


def test_204_nested_object_json(micropub, content_dir, freeze):
    card = {
        "type": ["h-card"],
        "properties": {"name": ["Micropub Rocks"], "url": ["https://micropub.rocks/"]},
    }
    location = micropub.create(json=entry(content=["Checked in"], checkin=[card]))
    assert row(location)["extra"]["micropub"] == {"checkin": [card]}
    assert micropub.source(location, "checkin") == {"properties": {"checkin": [card]}}
    props = assert_published(build(freeze), location)
    assert text_of(props) == "Checked in"
    [shown] = props["checkin"]  # the page shows the h-card: its name, linked to its url
    assert shown["type"] == ["h-card"]
    assert shown["properties"]["name"] == ["Micropub Rocks"]
    assert shown["properties"]["url"] == ["https://micropub.rocks/"]


def test_205_photo_with_alt_json(micropub, content_dir, freeze):
    photo = {"value": "https://micropub.rocks/media/sunset.jpg", "alt": "Photo of a sunset"}
    location = micropub.create(json=entry(content=["sunset"], photo=[photo]))
    assert row(location)["draft"] is False
    assert "alt: Photo of a sunset" in front_matter(content_dir, location)
    props = assert_published(build(freeze), location)
    assert props["photo"] == [photo]


def test_206_multiple_photos_json(micropub, freeze):
    photos = [
        {"value": "https://micropub.rocks/media/sunset.jpg", "alt": "Sunset"},
        {"value": "https://micropub.rocks/media/city-at-night.jpg", "alt": "City"},
    ]
    location = micropub.create(json=entry(content=["two"], photo=photos))
    assert [p["alt"] for p in row(location)["extra"]["photos"]] == ["Sunset", "City"]
    assert assert_published(build(freeze), location)["photo"] == photos


# --- 3xx create, multipart ---------------------------------------------------------------


def test_300_photo_multipart(micropub, content_dir, freeze):
    location = micropub.create(
        data={"h": "entry", "content": "Nice sunset tonight", "mp-photo-alt": "Sunset"},
        files={"photo": ("sunset.jpg", image_bytes("JPEG"), "image/jpeg")},
    )
    [photo] = row(location)["extra"]["photos"]
    assert (content_dir / photo["src"].lstrip("/")).is_file()
    built = build(freeze)
    assert text_of(assert_published(built, location)) == "Nice sunset tonight"
    assert_photo(built, location, photo["src"], "Sunset")


def test_301_two_photos_multipart(micropub, content_dir, freeze):
    location = micropub.create(
        data={"h": "entry", "content": "two", "mp-photo-alt[]": ["One", "Two"]},
        files=[
            ("photo[]", ("one.png", image_bytes(size=(5, 5)), "image/png")),
            ("photo[]", ("two.png", image_bytes(size=(6, 6)), "image/png")),
        ],
    )
    photos = row(location)["extra"]["photos"]
    assert [p["alt"] for p in photos] == ["One", "Two"]
    assert all((content_dir / p["src"].lstrip("/")).is_file() for p in photos)
    built = build(freeze)
    assert len(assert_published(built, location)["photo"]) == 2
    for photo in photos:
        assert_photo(built, location, photo["src"], photo["alt"])


# --- 4xx update --------------------------------------------------------------------------


def update(micropub, url: str, **ops) -> None:
    response = micropub.post("/micropub", json={"action": "update", "url": url, **ops})
    assert response.status_code in (200, 201, 204), response.text


def test_400_replace_a_property(micropub, article, content_dir, freeze):
    update(micropub, article, replace={"content": ["Updated content"]})
    assert row(article)["body"] == "Updated content\n"
    built = build(freeze)
    assert text_of(assert_published(built, article)) == "Updated content"
    assert "Initial content" not in built.page(article)


def test_401_add_a_value_to_a_property(micropub, article, freeze):
    update(micropub, article, add={"category": ["test2"]})
    assert row(article)["tags"] == ["test1", "test2"]
    assert sorted(assert_published(build(freeze), article)["category"]) == ["test1", "test2"]


def test_402_add_a_value_to_a_new_property(micropub, article, freeze):
    update(micropub, article, add={"category": ["test2"], "syndication": ["https://x.example/1"]})
    assert row(article)["extra"]["micropub"] == {"syndication": ["https://x.example/1"]}
    props = assert_published(build(freeze), article)
    assert sorted(props["category"]) == ["test1", "test2"]
    assert props["syndication"] == ["https://x.example/1"]


def test_403_remove_a_value(micropub, article, content_dir, freeze):
    update(micropub, article, add={"category": ["test2"]})
    update(micropub, article, delete={"category": ["test1"]})
    assert row(article)["tags"] == ["test2"]
    built = build(freeze)
    assert assert_published(built, article)["category"] == ["test2"]
    assert built.page("/tags/test1/") is None  # its one post left it


def test_404_remove_a_property(micropub, article, content_dir, freeze):
    update(micropub, article, delete=["category"])
    assert row(article)["tags"] == []
    assert "tags:" not in front_matter(content_dir, article)
    built = build(freeze)
    assert "category" not in assert_published(built, article)
    assert built.page("/tags/test1/") is None


def test_405_reject_an_operation_that_is_not_an_array(micropub, article, freeze):
    with nothing_written(freeze):
        response = micropub.post(
            "/micropub", json={"action": "update", "url": article, "replace": {"content": "x"}}
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
    assert row(article)["body"] == "Initial content\n"
    assert text_of(built_before(freeze).entry(article)) == "Initial content"


# --- 5xx delete --------------------------------------------------------------------------


def test_500_delete_form_encoded(micropub, article, content_dir, freeze):
    assert_published(build(freeze), article)
    assert micropub.post("/micropub", data={"action": "delete", "url": article}).status_code == 204
    assert row(article) is None
    built = build(freeze)  # a build that had the page removes it
    assert not (freeze.build_dir / "posts" / "conformance").exists()
    assert_unpublished(built, article)
    assert built.page("/tags/test1/") is None


def test_501_delete_json(micropub, article, freeze):
    assert_published(build(freeze), article)
    assert micropub.post("/micropub", json={"action": "delete", "url": article}).status_code == 204
    assert row(article) is None
    assert_unpublished(build(freeze), article)


def test_502_undelete_form_encoded(micropub, article, content_dir, freeze):
    micropub.post("/micropub", data={"action": "delete", "url": article})
    assert_unpublished(build(freeze), article)
    assert (
        micropub.post("/micropub", data={"action": "undelete", "url": article}).status_code == 204
    )
    assert row(article)["title"] == "Conformance"
    assert assert_published(build(freeze), article)["name"] == ["Conformance"]


def test_503_undelete_json(micropub, article, freeze):
    micropub.post("/micropub", json={"action": "delete", "url": article})
    assert_unpublished(build(freeze), article)
    assert (
        micropub.post("/micropub", json={"action": "undelete", "url": article}).status_code == 204
    )
    assert row(article)["body"] == "Initial content\n"
    assert text_of(assert_published(build(freeze), article)) == "Initial content"


def test_q_source_gives_a_local_photo_as_a_valid_url(app):
    """A photo's ``src`` is the file's own name; q=source answers with a URL, percent-encoded."""
    from app.micropub.urls import photo_url

    site = app.config["SITE_URL"].rstrip("/")
    assert photo_url("/media/big photo é.jpg") == f"{site}/media/big%20photo%20%C3%A9.jpg"
    assert photo_url("/media/a%20b.jpg") == f"{site}/media/a%20b.jpg"  # escapes kept
    assert photo_url("https://x.example/a b.jpg") == "https://x.example/a b.jpg"  # as given

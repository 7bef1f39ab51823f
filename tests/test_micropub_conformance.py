"""A numbered conformance list modelled on micropub.rocks' groups: create (1xx form, 2xx
JSON, 3xx multipart), update (4xx), delete (5xx), query (6xx), media (7xx), auth (8xx), and
our own (9xx: what this site adds). Real HTTP against the authoring app; each case checks
the file in content/ and the row, and a few the built page."""

from __future__ import annotations

import pytest

from app.accounts import create_token
from tests.api_helpers import image_bytes
from tests.conftest import FreezeRunner
from tests.micropub_helpers import (
    MicropubClient,
    front_matter,
    micropub_fixture,
    row,
    source_path,
    token_for,
)

__all__ = ["micropub_fixture"]  # the ``micropub`` fixture


def built_page(freeze: FreezeRunner, location: str) -> str:
    result = freeze()
    assert result.returncode == 0, result.stderr
    path = location.split("://", 1)[1].split("/", 1)[1]
    return (freeze.build_dir / path / "index.html").read_text()


# --- 1xx create, form-encoded ------------------------------------------------------------


def test_100_create_an_h_entry_form_encoded(micropub, content_dir, freeze):
    location = micropub.create(
        data={"h": "entry", "content": "Micropub test of creating a basic h-entry"}
    )
    assert row(location)["kind"] == "note"
    assert "Micropub test of creating a basic h-entry" in front_matter(content_dir, location)
    assert "Micropub test of creating a basic h-entry" in built_page(freeze, location)


def test_101_multiple_categories_form_encoded(micropub, content_dir):
    location = micropub.create(
        data={"h": "entry", "content": "categories", "category[]": ["test1", "test2"]}
    )
    assert row(location)["tags"] == ["test1", "test2"]
    assert "tags: [test1, test2]" in front_matter(content_dir, location)


def test_104_photo_by_url_form_encoded(micropub, content_dir):
    location = micropub.create(
        data={"h": "entry", "content": "photo", "photo": "https://micropub.rocks/media/sunset.jpg"}
    )
    assert row(location)["extra"]["photos"] == [{"src": "https://micropub.rocks/media/sunset.jpg"}]
    assert row(location)["draft"] is True  # no alt text: kept as a draft


def test_107_one_category_form_encoded(micropub, content_dir):
    location = micropub.create(data={"h": "entry", "content": "one", "category": "test1"})
    assert row(location)["tags"] == ["test1"]


# --- 2xx create, JSON --------------------------------------------------------------------


def entry(**properties) -> dict:
    return {"type": ["h-entry"], "properties": properties}


def test_200_create_an_h_entry_json(micropub, content_dir):
    location = micropub.create(
        json=entry(content=["Micropub test of creating an h-entry with JSON"])
    )
    assert row(location)["body"] == "Micropub test of creating an h-entry with JSON\n"
    assert (content_dir / source_path(location)).is_file()


def test_201_multiple_categories_json(micropub):
    location = micropub.create(json=entry(content=["x"], category=["test1", "test2"]))
    assert row(location)["tags"] == ["test1", "test2"]


def test_202_html_content_json(micropub, content_dir, freeze):
    html = "<p>This post has <b>bold</b> and <i>italic</i> text.</p>"
    location = micropub.create(json=entry(content=[{"html": html}]))
    assert front_matter(content_dir, location).endswith(html + "\n")
    assert "<b>bold</b>" in built_page(freeze, location)


def test_203_photo_by_url_json(micropub):
    location = micropub.create(
        json=entry(content=["x"], photo=["https://micropub.rocks/media/sunset.jpg"])
    )
    assert row(location)["extra"]["photos"][0]["src"] == "https://micropub.rocks/media/sunset.jpg"


def test_204_nested_object_json(micropub, content_dir):
    card = {
        "type": ["h-card"],
        "properties": {"name": ["Micropub Rocks"], "url": ["https://micropub.rocks/"]},
    }
    location = micropub.create(json=entry(content=["Checked in"], checkin=[card]))
    assert row(location)["extra"]["micropub"] == {"checkin": [card]}
    assert micropub.source(location, "checkin") == {"properties": {"checkin": [card]}}


def test_205_photo_with_alt_json(micropub, content_dir, freeze):
    photo = {"value": "https://micropub.rocks/media/sunset.jpg", "alt": "Photo of a sunset"}
    location = micropub.create(json=entry(content=["sunset"], photo=[photo]))
    assert row(location)["draft"] is False
    assert "alt: Photo of a sunset" in front_matter(content_dir, location)
    page = built_page(freeze, location)
    assert 'alt="Photo of a sunset"' in page
    assert "https://micropub.rocks/media/sunset.jpg" in page


def test_206_multiple_photos_json(micropub):
    photos = [
        {"value": "https://micropub.rocks/media/sunset.jpg", "alt": "Sunset"},
        {"value": "https://micropub.rocks/media/city-at-night.jpg", "alt": "City"},
    ]
    location = micropub.create(json=entry(content=["two"], photo=photos))
    assert [p["alt"] for p in row(location)["extra"]["photos"]] == ["Sunset", "City"]


# --- 3xx create, multipart ---------------------------------------------------------------


def test_300_photo_multipart(micropub, content_dir):
    location = micropub.create(
        data={"h": "entry", "content": "Nice sunset tonight", "mp-photo-alt": "Sunset"},
        files={"photo": ("sunset.jpg", image_bytes("JPEG"), "image/jpeg")},
    )
    [photo] = row(location)["extra"]["photos"]
    assert (content_dir / photo["src"].lstrip("/")).is_file()


def test_301_two_photos_multipart(micropub, content_dir):
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


# --- 4xx update --------------------------------------------------------------------------


@pytest.fixture
def article(micropub) -> str:
    return micropub.create(
        json=entry(name=["Conformance"], content=["Initial content"], category=["test1"])
    )


def update(micropub, url: str, **ops) -> None:
    response = micropub.post("/micropub", json={"action": "update", "url": url, **ops})
    assert response.status_code in (200, 201, 204), response.text


def test_400_replace_a_property(micropub, article, content_dir, freeze):
    update(micropub, article, replace={"content": ["Updated content"]})
    assert row(article)["body"] == "Updated content\n"
    assert "Updated content" in built_page(freeze, article)


def test_401_add_a_value_to_a_property(micropub, article):
    update(micropub, article, add={"category": ["test2"]})
    assert row(article)["tags"] == ["test1", "test2"]


def test_402_add_a_value_to_a_new_property(micropub, article):
    update(micropub, article, add={"category": ["test2"], "syndication": ["https://x.example/1"]})
    assert row(article)["extra"]["micropub"] == {"syndication": ["https://x.example/1"]}


def test_403_remove_a_value(micropub, article, content_dir):
    update(micropub, article, add={"category": ["test2"]})
    update(micropub, article, delete={"category": ["test1"]})
    assert row(article)["tags"] == ["test2"]


def test_404_remove_a_property(micropub, article, content_dir):
    update(micropub, article, delete=["category"])
    assert row(article)["tags"] == []
    assert "tags:" not in front_matter(content_dir, article)


def test_405_reject_an_operation_that_is_not_an_array(micropub, article):
    response = micropub.post(
        "/micropub", json={"action": "update", "url": article, "replace": {"content": "x"}}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert row(article)["body"] == "Initial content\n"


# --- 5xx delete --------------------------------------------------------------------------


def test_500_delete_form_encoded(micropub, article, content_dir, freeze):
    assert micropub.post("/micropub", data={"action": "delete", "url": article}).status_code == 204
    assert row(article) is None
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert not (freeze.build_dir / "posts" / "conformance").exists()


def test_501_delete_json(micropub, article):
    assert micropub.post("/micropub", json={"action": "delete", "url": article}).status_code == 204
    assert row(article) is None


def test_502_undelete_form_encoded(micropub, article, content_dir):
    micropub.post("/micropub", data={"action": "delete", "url": article})
    assert (
        micropub.post("/micropub", data={"action": "undelete", "url": article}).status_code == 204
    )
    assert row(article)["title"] == "Conformance"


def test_503_undelete_json(micropub, article):
    micropub.post("/micropub", json={"action": "delete", "url": article})
    assert (
        micropub.post("/micropub", json={"action": "undelete", "url": article}).status_code == 204
    )
    assert row(article)["body"] == "Initial content\n"


# --- 6xx query ---------------------------------------------------------------------------


def test_600_configuration_query(micropub):
    config = micropub.get("/micropub", params={"q": "config"}).json()
    assert config["media-endpoint"].endswith("/micropub/media")


def test_601_syndication_targets_query(micropub):
    assert micropub.get("/micropub", params={"q": "syndicate-to"}).json() == {"syndicate-to": []}


def test_602_source_query_all_properties(micropub, article):
    body = micropub.source(article)
    assert body["type"] == ["h-entry"]
    assert body["properties"]["category"] == ["test1"]


def test_603_source_query_specific_properties(micropub, article):
    assert micropub.source(article, "name") == {"properties": {"name": ["Conformance"]}}


# --- 7xx media ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "name", "data", "kind"),
    [
        (700, "a.jpg", image_bytes("JPEG"), "image/jpeg"),
        (701, "a.png", image_bytes("PNG"), "image/png"),
        (702, "a.gif", image_bytes("GIF"), "image/gif"),
    ],
)
def test_70x_upload_to_the_media_endpoint(micropub, content_dir, number, name, data, kind):
    response = micropub.post("/micropub/media", files={"file": (name, data, kind)})
    assert response.status_code == 201, response.text
    stored = response.headers["Location"].rsplit("/", 1)[1]
    assert (content_dir / "media" / stored).is_file()


# --- 8xx authentication ------------------------------------------------------------------


def test_800_token_in_the_header(micropub):
    assert micropub.get("/micropub", params={"q": "config"}).status_code == 200


def test_801_token_in_the_body(micropub, live_server, content_dir):
    body = MicropubClient(live_server)
    location = body.create(
        data={"h": "entry", "content": "token in body", "access_token": micropub.token}
    )
    assert row(location)["body"] == "token in body\n"


def test_802_the_token_is_not_stored_as_a_property(micropub, live_server, content_dir):
    body = MicropubClient(live_server)
    location = body.create(data={"h": "entry", "content": "x", "access_token": micropub.token})
    assert micropub.token not in front_matter(content_dir, location)
    assert "access_token" not in micropub.source(location)["properties"]


def test_803_unauthenticated_requests_are_refused(live_server, synced, content_dir):
    before = sorted(p.relative_to(content_dir) for p in content_dir.rglob("*.md"))
    for client in (MicropubClient(live_server), MicropubClient(live_server, "mb_" + "x" * 43)):
        response = client.post("/micropub", data={"h": "entry", "content": "no"})
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert sorted(p.relative_to(content_dir) for p in content_dir.rglob("*.md")) == before


def test_804_insufficient_scope_is_refused(micropub, live_server, author, article):
    reader = MicropubClient(live_server, create_token(author, "reader", read_only=True)[1])
    for request in (
        {"data": {"h": "entry", "content": "no"}},
        {"json": {"action": "update", "url": article, "replace": {"content": ["no"]}}},
        {"json": {"action": "delete", "url": article}},
    ):
        response = reader.post("/micropub", **request)
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "insufficient_scope"
    media = reader.post("/micropub/media", files={"file": ("a.png", image_bytes(), "image/png")})
    assert media.json()["error"] == "insufficient_scope"
    assert row(article)["body"] == "Initial content\n"


def test_805_both_header_and_body_token_is_a_bad_request(micropub):
    response = micropub.post(
        "/micropub", data={"h": "entry", "content": "x", "access_token": micropub.token}
    )
    assert response.status_code == 400


# --- 9xx this site -----------------------------------------------------------------------


def test_900_name_makes_an_article_with_mp_slug(micropub, content_dir, freeze):
    location = micropub.create(
        json=entry(name=["A title"], content=["Body"], **{"mp-slug": ["chosen"]})
    )
    assert location.endswith("/posts/chosen/")
    assert front_matter(content_dir, location).startswith("---\ntitle: A title\n")
    assert "<h1" in built_page(freeze, location)


def test_901_a_taken_slug_gets_a_number(micropub):
    first = micropub.create(json=entry(name=["Twice"], content=["1"]))
    second = micropub.create(json=entry(name=["Twice"], content=["2"]))
    assert first.endswith("/posts/twice/")
    assert second.endswith("/posts/twice-2/")


def test_902_draft_and_published(micropub, content_dir, freeze):
    location = micropub.create(
        json=entry(
            content=["a draft"],
            published=["2026-01-02T03:04:05+01:00"],
            **{"post-status": ["draft"]},
        )
    )
    stored = row(location)
    assert stored["draft"] is True
    assert stored["published_at"].isoformat() == "2026-01-02T02:04:05"
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert "a draft" not in (freeze.build_dir / "index.html").read_text()


@pytest.mark.parametrize("prop", ["in-reply-to", "like-of", "bookmark-of", "repost-of"])
def test_903_responses(micropub, content_dir, prop):
    location = micropub.create(data={"h": "entry", "content": "yes", prop: "https://example.com/a"})
    assert row(location)["extra"][prop] == "https://example.com/a"
    assert micropub.source(location, prop) == {"properties": {prop: ["https://example.com/a"]}}


def test_904_errors_name_the_field(micropub):
    bad = micropub.post("/micropub", json=entry(content=["x"], published=["yesterday"]))
    assert bad.status_code == 400
    assert "published" in bad.json()["error_description"]
    reply = micropub.post("/micropub", json=entry(content=["x"], **{"in-reply-to": ["not a url"]}))
    assert "in-reply-to" in reply.json()["error_description"]


def test_905_a_delete_kept_in_content_deleted_is_never_synced(
    micropub, article, runner, content_dir
):
    micropub.post("/micropub", json={"action": "delete", "url": article})
    assert (content_dir / ".deleted" / "posts" / "conformance.md").is_file()
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert row(article) is None


def test_906_scopes_of_a_token_for_one_action(live_server, synced, author, article):
    creator = MicropubClient(live_server, token_for(author, "create"))
    assert creator.post("/micropub", json={"action": "delete", "url": article}).status_code == 403
    assert creator.create(json=entry(content=["allowed"]))


def test_907_an_articles_photos_are_images_in_its_body(micropub, content_dir, freeze):
    photo = {"value": "https://micropub.rocks/media/sunset.jpg", "alt": "A [red] sunset"}
    location = micropub.create(json=entry(name=["With a photo"], content=["Look"], photo=[photo]))
    assert front_matter(content_dir, location).endswith(
        "Look\n\n![A (red) sunset](<https://micropub.rocks/media/sunset.jpg>)\n"
    )
    assert 'alt="A (red) sunset"' in built_page(freeze, location)


def test_703_an_image_larger_than_a_strangers_request_limit(micropub, content_dir, app):
    import os
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(out, "PNG")
    assert len(out.getvalue()) > app.config["MAX_CONTENT_LENGTH"]
    response = micropub.post(
        "/micropub/media", files={"file": ("noise.png", out.getvalue(), "image/png")}
    )
    assert response.status_code == 201, response.text
    anonymous = MicropubClient(micropub.base_url).post(
        "/micropub/media", files={"file": ("noise.png", out.getvalue(), "image/png")}
    )
    assert anonymous.status_code in (401, 413)


def test_908_a_comma_separated_category(micropub):
    location = micropub.create(data={"h": "entry", "content": "x", "category": "one, two,one"})
    assert row(location)["tags"] == ["one", "two"]

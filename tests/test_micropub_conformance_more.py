"""The numbered Micropub conformance list, second half (the first is
test_micropub_conformance.py): query (6xx), media (7xx), authorization (8xx) and our own
(9xx: what this site adds). Real HTTP against the authoring app; each case checks the file
in content/, the row and the built site (``python freeze.py``, parsed with mf2py); a refused
request or a query changes no content file, row or built file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.accounts import create_token
from tests.api_helpers import image_bytes
from tests.micropub_helpers import (
    MicropubClient,
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
    text_of,
    token_for,
)

__all__ = ["article_fixture", "micropub_fixture"]  # the ``article`` and ``micropub`` fixtures


# --- 6xx query ---------------------------------------------------------------------------


def test_600_configuration_query(micropub, freeze):
    with nothing_written(freeze):
        config = micropub.get("/micropub", params={"q": "config"}).json()
    assert config["media-endpoint"].endswith("/micropub/media")


def test_601_syndication_targets_query(micropub, freeze):
    with nothing_written(freeze):
        answer = micropub.get("/micropub", params={"q": "syndicate-to"}).json()
    assert answer == {"syndicate-to": []}


def test_602_source_query_all_properties(micropub, article, freeze):
    with nothing_written(freeze):
        body = micropub.source(article)
    assert body["type"] == ["h-entry"]
    assert body["properties"]["category"] == ["test1"]
    props = assert_published(built_before(freeze), article)  # built after the query
    assert props["name"] == body["properties"]["name"]
    assert props["category"] == body["properties"]["category"]
    assert [text_of(props)] == body["properties"]["content"]


def test_603_source_query_specific_properties(micropub, article, freeze):
    with nothing_written(freeze):
        answer = micropub.source(article, "name")
    assert answer == {"properties": {"name": ["Conformance"]}}
    assert built_before(freeze).entry(article)["name"] == answer["properties"]["name"]


# --- 7xx media ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "name", "data", "kind"),
    [
        (700, "a.jpg", image_bytes("JPEG"), "image/jpeg"),
        (701, "a.png", image_bytes("PNG"), "image/png"),
        (702, "a.gif", image_bytes("GIF"), "image/gif"),
    ],
)
def test_70x_upload_to_the_media_endpoint(micropub, content_dir, freeze, number, name, data, kind):
    response = micropub.post("/micropub/media", files={"file": (name, data, kind)})
    assert response.status_code == 201, response.text
    stored = response.headers["Location"].rsplit("/", 1)[1]
    assert (content_dir / "media" / stored).is_file()
    assert_uploaded_photo_is_built(micropub, freeze, response.headers["Location"])


def assert_uploaded_photo_is_built(micropub, freeze, uploaded: str) -> None:
    """The upload used as a post's photo: the built page shows it, build/media/ has it."""
    alt = f"Uploaded as {uploaded.rsplit('/', 1)[1]}"
    location = micropub.create(
        json=entry(content=["uploaded"], photo=[{"value": uploaded, "alt": alt}])
    )
    built = build(freeze)
    assert_published(built, location)
    assert_photo(built, location, "/media/" + uploaded.rsplit("/", 1)[1], alt)


def test_703_an_image_larger_than_a_strangers_request_limit(micropub, content_dir, app, freeze):
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
    assert_uploaded_photo_is_built(micropub, freeze, response.headers["Location"])


# --- 8xx authentication ------------------------------------------------------------------


def test_800_token_in_the_header(micropub, freeze):
    assert micropub.get("/micropub", params={"q": "config"}).status_code == 200
    location = micropub.create(data={"h": "entry", "content": "token in the header"})
    assert text_of(assert_published(build(freeze), location)) == "token in the header"


def test_801_token_in_the_body(micropub, live_server, content_dir, freeze):
    body = MicropubClient(live_server)
    location = body.create(
        data={"h": "entry", "content": "token in body", "access_token": micropub.token}
    )
    assert row(location)["body"] == "token in body\n"
    assert text_of(assert_published(build(freeze), location)) == "token in body"


def test_802_the_token_is_not_stored_as_a_property(micropub, live_server, content_dir, freeze):
    body = MicropubClient(live_server)
    location = body.create(data={"h": "entry", "content": "x", "access_token": micropub.token})
    assert micropub.token not in front_matter(content_dir, location)
    assert "access_token" not in micropub.source(location)["properties"]
    built = build(freeze)
    assert "access_token" not in assert_published(built, location)
    assert not {name for name, data in built.files().items() if micropub.token.encode() in data}


def test_803_unauthenticated_requests_are_refused(live_server, synced, content_dir, freeze):
    before = sorted(p.relative_to(content_dir) for p in content_dir.rglob("*.md"))
    with nothing_written(freeze):
        for client in (
            MicropubClient(live_server),
            MicropubClient(live_server, "mb_" + "x" * 43),
        ):
            response = client.post("/micropub", data={"h": "entry", "content": "no"})
            assert response.status_code == 401
            assert response.json()["error"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert sorted(p.relative_to(content_dir) for p in content_dir.rglob("*.md")) == before


def test_804_insufficient_scope_is_refused(micropub, live_server, author, article, freeze):
    reader = MicropubClient(live_server, create_token(author, "reader", read_only=True)[1])
    with nothing_written(freeze):
        for request in (
            {"data": {"h": "entry", "content": "no"}},
            {"json": {"action": "update", "url": article, "replace": {"content": ["no"]}}},
            {"json": {"action": "delete", "url": article}},
        ):
            response = reader.post("/micropub", **request)
            assert response.status_code == 401, response.text  # Micropub 3.8: HTTP 401
            assert response.json()["error"] == "insufficient_scope"
            assert response.json()["scope"] in {"create", "update", "delete"}
            assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
        media = reader.post(
            "/micropub/media", files={"file": ("a.png", image_bytes(), "image/png")}
        )
        assert media.status_code == 401, media.text
        assert media.json() | {"error_description": ""} == {
            "error": "insufficient_scope",
            "error_description": "",
            "scope": "media",
        }
    assert row(article)["body"] == "Initial content\n"
    assert text_of(assert_published(built_before(freeze), article)) == "Initial content"


def test_802_the_same_token_in_the_header_and_the_body_is_accepted(micropub, content_dir, freeze):
    # Quill sends its token both ways, in forms and multipart posts (micropub.rocks 802 too).
    location = micropub.create(
        data={"h": "entry", "content": "token twice", "access_token": micropub.token}
    )
    uploaded = micropub.create(
        data={"h": "entry", "content": "token twice, a photo", "access_token": micropub.token},
        files={"photo": ("harbour.png", image_bytes(), "image/png")},
    )
    assert micropub.token not in front_matter(content_dir, location)
    assert "access_token" not in micropub.source(location)["properties"]
    assert "access_token" not in micropub.source(uploaded)["properties"]
    assert text_of(assert_published(build(freeze), location)) == "token twice"


def test_805_two_different_tokens_are_a_bad_request(micropub, live_server, author, freeze):
    other = token_for(author)
    with nothing_written(freeze):
        response = micropub.post(
            "/micropub", data={"h": "entry", "content": "x", "access_token": other}
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
        assert "different tokens" in response.json()["error_description"]


# --- 9xx this site -----------------------------------------------------------------------


def test_900_name_makes_an_article_with_mp_slug(micropub, content_dir, freeze):
    location = micropub.create(
        json=entry(name=["A title"], content=["Body"], **{"mp-slug": ["chosen"]})
    )
    assert location.endswith("/posts/chosen/")
    assert front_matter(content_dir, location).startswith("---\ntitle: A title\n")
    built = build(freeze)
    props = assert_published(built, location)
    assert props["name"] == ["A title"]
    assert text_of(props) == "Body"
    assert '<h1 class="p-name">A title</h1>' in built.page(location)


def test_901_a_taken_slug_gets_a_number(micropub, freeze):
    first = micropub.create(json=entry(name=["Twice"], content=["1"]))
    second = micropub.create(json=entry(name=["Twice"], content=["2"]))
    assert first.endswith("/posts/twice/")
    assert second.endswith("/posts/twice-2/")
    built = build(freeze)
    for location, text in ((first, "1"), (second, "2")):
        props = assert_published(built, location)
        assert (props["name"], text_of(props)) == (["Twice"], text)


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
    built = build(freeze)
    assert "a draft" not in (freeze.build_dir / "index.html").read_text()
    assert_unpublished(built, location)


@pytest.mark.parametrize("prop", ["in-reply-to", "like-of", "bookmark-of", "repost-of"])
def test_903_responses(micropub, content_dir, freeze, prop):
    location = micropub.create(data={"h": "entry", "content": "yes", prop: "https://example.com/a"})
    assert row(location)["extra"][prop] == "https://example.com/a"
    assert micropub.source(location, prop) == {"properties": {prop: ["https://example.com/a"]}}
    props = assert_published(build(freeze), location)
    assert props[prop] == ["https://example.com/a"]  # u-in-reply-to, u-like-of...
    assert text_of(props) == "yes"


def test_904_errors_name_the_field(micropub, freeze):
    with nothing_written(freeze):
        bad = micropub.post("/micropub", json=entry(content=["x"], published=["yesterday"]))
        assert bad.status_code == 400
        assert "published" in bad.json()["error_description"]
        reply = micropub.post(
            "/micropub", json=entry(content=["x"], **{"in-reply-to": ["not a url"]})
        )
        assert "in-reply-to" in reply.json()["error_description"]


def test_905_a_delete_kept_in_content_deleted_is_never_synced(
    micropub, article, runner, content_dir, freeze
):
    micropub.post("/micropub", json={"action": "delete", "url": article})
    assert (content_dir / ".deleted" / "posts" / "conformance.md").is_file()
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert row(article) is None
    assert_unpublished(build(freeze), article)  # the build's own sync skips it too


def test_906_scopes_of_a_token_for_one_action(live_server, synced, author, article, freeze):
    creator = MicropubClient(live_server, token_for(author, "create"))
    assert creator.post("/micropub", json={"action": "delete", "url": article}).status_code == 401
    allowed = creator.create(json=entry(content=["allowed"]))
    built = build(freeze)
    assert text_of(assert_published(built, allowed)) == "allowed"
    assert assert_published(built, article)["name"] == ["Conformance"]


def test_907_an_articles_photos_are_images_in_its_body(micropub, content_dir, freeze):
    photo = {"value": "https://micropub.rocks/media/sunset.jpg", "alt": "A [red] sunset"}
    location = micropub.create(json=entry(name=["With a photo"], content=["Look"], photo=[photo]))
    assert front_matter(content_dir, location).endswith(
        "Look\n\n![A (red) sunset](<https://micropub.rocks/media/sunset.jpg>)\n"
    )
    built = build(freeze)
    (content,) = assert_published(built, location)["content"]
    assert 'alt="A (red) sunset"' in content["html"]
    assert 'src="https://micropub.rocks/media/sunset.jpg"' in content["html"]
    assert 'alt="A (red) sunset"' in built.page(location)


def test_908_a_comma_separated_category(micropub, freeze):
    location = micropub.create(data={"h": "entry", "content": "x", "category": "one, two,one"})
    assert row(location)["tags"] == ["one", "two"]
    assert sorted(assert_published(build(freeze), location)["category"]) == ["one", "two"]


def test_909_published_is_the_pages_date(micropub, freeze):
    location = micropub.create(
        json=entry(content=["dated"], published=["2026-01-02T03:04:05+01:00"])
    )
    assert row(location)["published_at"].isoformat() == "2026-01-02T02:04:05"
    props = assert_published(build(freeze), location, recent=False)  # older than the feeds
    (published,) = props["published"]
    assert datetime.fromisoformat(published) == datetime(2026, 1, 2, 2, 4, 5, tzinfo=UTC)


def test_910_syndication_links_are_web_addresses_only(micropub, freeze):
    copies = ["https://x.example/1", "javascript:alert(1)", "http://y.example/2"]
    location = micropub.create(json=entry(content=["syndicated"], syndication=copies))
    assert micropub.source(location, "syndication") == {"properties": {"syndication": copies}}
    built = build(freeze)
    props = assert_published(built, location)
    assert props["syndication"] == ["https://x.example/1", "http://y.example/2"]
    assert "javascript:" not in built.page(location)


def test_911_html_content_is_given_back_as_html_until_replaced_by_text(
    micropub, content_dir, freeze
):
    html = {"html": "<p>Hello <b>World</b></p>"}
    location = micropub.create(json=entry(content=[html], category=["a"]))
    assert "content-type: html" in front_matter(content_dir, location)
    add = {"action": "update", "url": location, "add": {"category": ["b"]}}
    assert micropub.post("/micropub", json=add).status_code == 204  # the body stays HTML
    assert micropub.source(location, "content") == {"properties": {"content": [html]}}
    (content,) = assert_published(build(freeze), location)["content"]
    assert content["html"] == html["html"]
    replace = {"action": "update", "url": location, "replace": {"content": ["Plain *text*"]}}
    assert micropub.post("/micropub", json=replace).status_code == 204
    assert micropub.source(location, "content") == {"properties": {"content": ["Plain *text*"]}}
    assert "content-type" not in front_matter(content_dir, location)
    assert row(location)["tags"] == ["a", "b"]
    (content,) = assert_published(build(freeze), location)["content"]
    assert content["html"] == "<p>Plain <em>text</em></p>"


def test_912_a_nested_objects_name_is_escaped_and_only_web_addresses_are_linked(micropub, freeze):
    card = {
        "type": ["h-card"],
        "properties": {"name": ["<b>Café</b>"], "url": ["javascript:alert(1)"]},
    }
    location = micropub.create(json=entry(content=["Here"], location=[card]))
    built = build(freeze)
    [shown] = assert_published(built, location)["location"]
    assert shown["properties"]["name"] == ["<b>Café</b>"]  # as text
    page = built.page(location)
    assert "&lt;b&gt;Café&lt;/b&gt;" in page
    assert "javascript:" not in page


def test_913_a_form_photo_with_alt_text_is_an_object_as_in_json(micropub, content_dir, freeze):
    # Quill's form when a photo came from the media endpoint with alt text.
    sunset = {"value": "https://micropub.rocks/media/sunset.jpg", "alt": "Sunset"}
    location = micropub.create(
        data={
            "h": "entry",
            "content": "pv",
            "photo[value]": sunset["value"],
            "photo[alt]": "Sunset",
        }
    )
    assert "photo[" not in front_matter(content_dir, location)
    assert row(location)["draft"] is False
    assert micropub.source(location, "photo") == {"properties": {"photo": [sunset]}}
    assert assert_published(build(freeze), location)["photo"] == [sunset]


def test_914_multipart_uploads_and_numbered_or_listed_photo_objects(micropub, content_dir, freeze):
    city = {"value": "https://micropub.rocks/media/city-at-night.jpg", "alt": "City"}
    sunset = {"value": "https://micropub.rocks/media/sunset.jpg", "alt": "Sunset"}
    listed = micropub.create(
        data={
            "h": "entry",
            "content": "two by URL",
            "photo[][value]": [sunset["value"], city["value"]],
            "photo[][alt]": ["Sunset", "City"],
        }
    )
    assert micropub.source(listed, "photo") == {"properties": {"photo": [sunset, city]}}
    mixed = micropub.create(
        data={
            "h": "entry",
            "content": "an upload and a URL",
            "mp-photo-alt": "Harbour",
            "photo[0][value]": city["value"],
            "photo[0][alt]": "City",
        },
        files={"photo": ("harbour.png", image_bytes(), "image/png")},
    )
    [by_url, uploaded] = row(mixed)["extra"]["photos"]
    assert by_url == {"src": city["value"], "alt": "City"}
    assert uploaded["alt"] == "Harbour"
    assert (content_dir / uploaded["src"].lstrip("/")).is_file()
    built = build(freeze)
    assert assert_published(built, listed)["photo"] == [sunset, city]
    assert_photo(built, mixed, city["value"], "City")
    assert_photo(built, mixed, uploaded["src"], "Harbour")


def test_915_form_html_content_makes_the_body(micropub, content_dir, freeze):
    location = micropub.create(data={"name": "T", "content[html]": "<b>x</b>"})
    assert row(location)["body"] == "<b>x</b>\n"
    assert "content-type: html" in front_matter(content_dir, location)
    assert micropub.source(location, "content") == {
        "properties": {"content": [{"html": "<b>x</b>"}]}
    }
    (content,) = assert_published(build(freeze), location)["content"]
    assert "<b>x</b>" in content["html"]  # as JSON's {"html": ...} is built


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"photo[value][alt]": "x"}, "photo[value][alt]"),
        ({"photo[0]": "https://x.example/a.jpg"}, "photo[0]"),
        ({"photo[alt": "x"}, "photo[alt"),
        (
            {
                "photo[][value]": ["https://x.example/a.jpg", "https://x.example/b.jpg"],
                "photo[][alt]": "A",
            },
            "photo",
        ),
    ],
)
def test_916_form_fields_with_brackets_not_understood_are_refused(micropub, freeze, fields, named):
    with nothing_written(freeze):
        response = micropub.post("/micropub", data={"h": "entry", "content": "x", **fields})
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "invalid_request"
        assert named in response.json()["error_description"]


def test_917_a_json_category_with_a_comma_is_one_tag(micropub, content_dir, freeze):
    location = micropub.create(json=entry(content=["c"], category=["Hello, World", "b"]))
    assert row(location)["tags"] == ["Hello, World", "b"]
    assert micropub.source(location, "category") == {
        "properties": {"category": ["Hello, World", "b"]}
    }
    assert sorted(assert_published(build(freeze), location)["category"]) == ["Hello, World", "b"]
    listed = micropub.create(data={"h": "entry", "content": "x", "category[]": ["a, b", "c"]})
    assert row(listed)["tags"] == ["a, b", "c"]  # several form values: each one tag


def test_918_empty_form_fields_are_absent(micropub, content_dir, freeze):
    # A form's untouched inputs, sent empty: no value, not a bad one.
    location = micropub.create(
        data={"h": "entry", "content": "no reply", "in-reply-to": "", "category": "", "name": ""}
    )
    assert "in-reply-to" not in front_matter(content_dir, location)
    assert row(location)["kind"] == "note"
    assert row(location)["tags"] == []
    props = assert_published(build(freeze), location)
    assert "in-reply-to" not in props
    assert text_of(props) == "no reply"

"""Security of the API and of uploads: nested JSON, bylines, image bombs, metadata, the form.

Each test reproduces a finding of issue #26 and failed before its fix.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import ExifTags, Image

from app.content.media import MediaError, save_upload
from app.extensions import db
from app.models import Post
from tests.admin_helpers import post_form
from tests.api_helpers import assert_problem, image_bytes

ALT = {"alt": "A red dot"}


def bomb(size: tuple[int, int]) -> bytes:
    """A tiny PNG of very many pixels (one bit each, all zero: it compresses to nothing)."""
    out = BytesIO()
    Image.new("1", size).save(out, "PNG", optimize=True)
    return out.getvalue()


def photo_with_gps() -> bytes:
    """A 4 x 2 JPEG that a camera held upright tagged 'rotate 90°', with a GPS position."""
    image = Image.new("RGB", (4, 2), "blue")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCam"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 51.0, 29.0)}
    )
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


# --- JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/posts", "[" * 100_000 + "]" * 100_000),
        ("patch", "/posts/hello-world", '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ],
)
def test_deeply_nested_json_is_a_400_problem(api, method, url, body):
    response = api.request(
        method.upper(), url, data=body, headers={"Content-Type": "application/json"}
    )
    assert "nested too deeply" in assert_problem(response, 400)["detail"]


# --- bylines -------------------------------------------------------------------------------


def byline(slug: str) -> str | None:
    try:
        post = db.session.scalar(db.select(Post).where(Post.slug == slug))
        return post.author_name if post else None
    finally:
        db.session.rollback()


def test_the_api_sets_the_byline_from_the_tokens_owner(api):
    created = api.post("/posts", json={"title": "By the token"})
    assert created.status_code == 201, created.text
    assert created.json()["author"] == "ada"
    assert byline("by-the-token") == "ada"


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_the_client_cannot_choose_the_byline(api, method):
    url = "/posts" if method == "post" else "/posts/hello-world"
    response = api.request(method.upper(), url, json={"title": "Forged", "author": "Grace"})
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "author"


def test_the_admin_sets_the_byline_from_the_signed_in_author(author_client, content_dir):
    response = author_client.post("/admin/posts/new", data=post_form(title="From the admin"))
    assert response.status_code == 302
    assert byline("from-the-admin") == "ada"
    assert "author: ada" in (content_dir / "posts" / "from-the-admin.md").read_text()


# --- uploads -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(10_000, 10_000), (20_000, 10_000)])
def test_an_image_bomb_is_refused_before_decoding(app, content_dir, size):
    data = bomb(size)
    assert len(data) < 100_000
    with pytest.raises(MediaError) as info:
        save_upload(BytesIO(data), "bomb.png")
    assert info.value.status == 413
    assert "pixels" in info.value.message
    assert not list((content_dir / "media").glob("bomb*"))


def test_the_api_answers_an_image_bomb_with_413(api):
    response = api.post("/media", files={"file": ("bomb.png", bomb((10_000, 10_000)))}, data=ALT)
    assert "pixels" in assert_problem(response, 413)["detail"]


def test_the_pixel_limit_is_a_setting(app):
    app.config["MAX_IMAGE_PIXELS"] = 100
    with pytest.raises(MediaError) as info:
        save_upload(BytesIO(image_bytes("PNG", (11, 10))), "small.png")
    assert info.value.status == 413
    assert save_upload(BytesIO(image_bytes("PNG", (10, 10))), "ok.png").width == 10


def test_uploads_lose_their_metadata_but_keep_their_orientation(app, content_dir):
    stored = save_upload(BytesIO(photo_with_gps()), "holiday.jpg")
    assert stored.name.endswith(".jpg")
    assert (stored.width, stored.height) == (2, 4)  # turned upright
    with Image.open(content_dir / "media" / stored.name) as image:
        assert image.format == "JPEG"
        assert image.size == (2, 4)
        assert not image.getexif()
        assert "exif" not in image.info


def test_metadata_can_be_kept(app, content_dir):
    app.config["STRIP_IMAGE_METADATA"] = False
    original = photo_with_gps()
    stored = save_upload(BytesIO(original), "holiday.jpg")
    assert (content_dir / "media" / stored.name).read_bytes() == original


def test_the_api_upload_requires_alt_text(api, content_dir):
    before = sorted(p.name for p in (content_dir / "media").iterdir())
    response = api.post("/media", files={"file": ("dot.png", image_bytes())})
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "alt"
    blank = api.post("/media", files={"file": ("dot.png", image_bytes())}, data={"alt": "  "})
    assert assert_problem(blank, 422)["errors"][0]["field"] == "alt"
    assert sorted(p.name for p in (content_dir / "media").iterdir()) == before


def test_the_api_upload_refuses_unknown_fields(api, content_dir):
    files = {"file": ("dot.png", image_bytes())}
    extra_text = api.post("/media", files=files, data={**ALT, "owner": "root"})
    assert assert_problem(extra_text, 422)["errors"][0]["field"] == "owner"
    extra_file = api.post("/media", files={**files, "more": ("b.png", image_bytes())}, data=ALT)
    assert assert_problem(extra_file, 422)["errors"][0]["field"] == "more"


def test_the_file_must_be_a_file_part(api):
    response = api.post("/media", files={"file": (None, "not a file")}, data=ALT)
    assert assert_problem(response, 422)["errors"][0]["field"] == "file"

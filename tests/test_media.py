"""Image uploads: verified, size-limited, safely named, published by the freezer."""

from io import BytesIO

import pytest
from PIL import Image

from app.content.media import MediaError, save_upload


def image_bytes(fmt: str = "PNG", size=(4, 3)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, "red").save(out, fmt)
    return out.getvalue()


def test_valid_image_is_stored_under_a_safe_name(app, content_dir):
    stored = save_upload(BytesIO(image_bytes()), "My Holiday Photo!.png")
    assert stored.name.startswith("my-holiday-photo-")
    assert stored.name.endswith(".png")
    assert (stored.width, stored.height) == (4, 3)
    assert (content_dir / "media" / stored.name).read_bytes() == image_bytes()
    assert stored.markdown_path == f"/media/{stored.name}"


def test_the_real_type_decides_the_extension(app):
    stored = save_upload(BytesIO(image_bytes("JPEG")), "photo.png")
    assert stored.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"<svg onload=alert(1)>", "evil.png"), (b"MZ\x90\x00", "tool.gif"), (b"", "empty.png")],
)
def test_non_images_are_refused(app, content_dir, data, name):
    before = sorted((content_dir / "media").iterdir())
    with pytest.raises(MediaError) as info:
        save_upload(BytesIO(data), name)
    assert info.value.status == 422
    assert sorted((content_dir / "media").iterdir()) == before


def test_oversized_upload_is_refused(app):
    app.config["MAX_UPLOAD_BYTES"] = 100
    with pytest.raises(MediaError) as info:
        save_upload(BytesIO(image_bytes(size=(200, 200))), "big.png")
    assert info.value.status == 413


def test_path_traversal_in_the_name_stays_in_media(app, content_dir):
    stored = save_upload(BytesIO(image_bytes()), "../../../etc/passwd.png")
    assert "/" not in stored.name
    assert (content_dir / "media" / stored.name).is_file()


def test_media_is_served_and_frozen(freeze):
    (freeze.content_dir / "media" / "dot.png").write_bytes(image_bytes())
    (freeze.content_dir / "posts" / "pic.md").write_text(
        "---\ntitle: Pic\ndate: 2026-01-01\n---\n![A red dot](/media/dot.png)\n"
    )
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert (freeze.build_dir / "media" / "dot.png").read_bytes() == image_bytes()
    assert not (freeze.build_dir / "media" / ".gitkeep").exists()

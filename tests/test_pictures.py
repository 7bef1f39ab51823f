"""Responsive images: variants on upload and at build, srcset, width/height, og:image (#30)."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
import requests
from PIL import Image

from app import create_app
from app.content.media import parse_widths
from config import TestingConfig
from tests.admin_helpers import post_form
from tests.conftest import AUTHOR_PASSWORD
from tests.picture_helpers import has_metadata, phone_photo
from tests.test_html_validity import nu_check

WIDTHS = (480, 960, 1600)


def variant_files(build_dir: Path, name: str) -> dict[str, Path]:
    folder = build_dir / "media" / "_variants"
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob(f"{name}*")}


def img_tag(html: str, name: str) -> str:
    match = re.search(rf'<img [^>]*src="/media/{re.escape(name)}"[^>]*>', html)
    assert match, f"no <img> of {name}"
    return match[0]


def check_published(build_dir: Path, slug: str, name: str) -> None:
    """The built post shows ``name`` responsive, with its variants beside it, clean."""
    files = variant_files(build_dir, name)
    expected = {f"{w}/{name}" for w in WIDTHS} | {f"{w}/{name}.webp" for w in WIDTHS}
    assert set(files) == expected  # never wider than the photo: no 4000 px copy
    for rel, path in files.items():
        data = path.read_bytes()
        with Image.open(BytesIO(data)) as image:
            assert image.format == ("WEBP" if rel.endswith(".webp") else "JPEG")
            width = int(rel.split("/")[0])
            assert image.size == (width, width * 3 // 4)
        assert not has_metadata(data), f"{rel} keeps metadata"
    original = (build_dir / "media" / name).read_bytes()
    assert not has_metadata(original)  # the upload itself lost its GPS position

    page = (build_dir / "posts" / slug / "index.html").read_text()
    img = img_tag(page, name)
    assert 'width="4000"' in img
    assert 'height="3000"' in img
    assert 'loading="lazy"' in img
    srcset = re.search(r'srcset="([^"]*)"', img)
    assert srcset is not None
    assert [entry.split()[-1] for entry in srcset[1].split(", ")] == [
        "480w",
        "960w",
        "1600w",
        "4000w",
    ]
    assert f"/media/_variants/480/{name}.webp 480w" in page  # the WebP <source>
    assert 'sizes="' in img
    og = re.search(r'<meta property="og:image" content="([^"]+)">', page)
    assert og is not None
    assert og[1] == f"https://example.org/media/_variants/1600/{name}"
    assert f'<meta name="twitter:image" content="{og[1]}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_a_photo_uploaded_in_the_admin_is_published_responsive(
    app, author, live_server, content_dir, freeze, tmp_path
):
    app.config["IMAGE_CACHE_DIR"] = tmp_path / "cache"
    with requests.Session() as browser:  # real HTTP: a phone photo is a large request
        login = {"username": author.username, "password": AUTHOR_PASSWORD}
        response = browser.post(f"{live_server}/admin/login", data=login)
        assert response.ok, response.text
        response = browser.post(
            f"{live_server}/admin/media",
            files={"file": ("IMG_0001.JPG", phone_photo(), "image/jpeg")},
            data={"alt": "The river"},
        )
        assert response.status_code == 201, response.text
        markdown = response.json()["markdown"]
        name = markdown.split("/media/")[1].rstrip(")")
        cached = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
        assert len(cached) == 6  # made at upload: 3 widths x 2 formats
        response = browser.post(
            f"{live_server}/admin/posts/new",
            data=post_form(title="By the river", body=f"Look.\r\n\r\n{markdown}\r\n"),
        )
        assert response.ok, response.text

    result = freeze(env={"IMAGE_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr

    check_published(freeze.build_dir, "by-the-river", name)


def test_a_photo_uploaded_through_the_api_is_published_responsive(
    app, api, content_dir, freeze, tmp_path
):
    app.config["IMAGE_CACHE_DIR"] = tmp_path / "cache"
    response = api.post(
        "/media",
        files={"file": ("river.jpg", phone_photo(), "image/jpeg")},
        data={"alt": "The river"},
    )
    assert response.status_code == 201, response.text
    media = response.json()
    assert (media["width"], media["height"]) == (4000, 3000)
    response = api.post(
        "/posts",
        json={"title": "River again", "body": f"Again.\n\n{media['markdown']}\n", "draft": False},
    )
    assert response.status_code == 201, response.text

    # A build that finds no cached copy makes them itself.
    result = freeze(env={"IMAGE_CACHE_DIR": str(tmp_path / "build-cache")})
    assert result.returncode == 0, result.stderr

    check_published(freeze.build_dir, "river-again", media["name"])


def test_variants_are_cached_by_content_and_rebuilds_keep_them(freeze, tmp_path):
    (freeze.content_dir / "media" / "small.jpg").write_bytes(phone_photo((1000, 750)))
    (freeze.content_dir / "posts" / "pic.md").write_text(
        "---\ntitle: Pic\ndate: 2026-01-01\nimage: /media/small.jpg\n---\n"
        "![A photo](/media/small.jpg)\n"
    )
    env = {"IMAGE_CACHE_DIR": str(tmp_path / "cache")}
    assert freeze(env=env).returncode == 0
    files = variant_files(freeze.build_dir, "small.jpg")
    assert set(files) == {
        "480/small.jpg",
        "480/small.jpg.webp",
        "960/small.jpg",
        "960/small.jpg.webp",
    }
    cache = sorted(p for p in (tmp_path / "cache").rglob("*") if p.is_file())
    stamps = [p.stat().st_mtime_ns for p in cache]

    again = freeze("--json", env=env)
    assert again.returncode == 0, again.stderr
    assert '"written": 0' in again.stdout
    assert [p.stat().st_mtime_ns for p in cache] == stamps  # nothing made again

    page_file = freeze.build_dir / "posts" / "pic" / "index.html"
    assert nu_check(page_file) == []  # <picture>, <source>, srcset and sizes as HTML wants
    page = page_file.read_text()
    assert 'content="https://example.org/media/small.jpg"' in page  # narrower than 1600
    assert '<meta property="og:image:width" content="1000">' in page


def test_a_replaced_image_renders_the_pages_that_show_it_again(freeze, tmp_path):
    env = {"IMAGE_CACHE_DIR": str(tmp_path / "cache")}
    photo = freeze.content_dir / "media" / "photo.jpg"
    photo.write_bytes(phone_photo((1000, 750)))
    (freeze.content_dir / "posts" / "pic.md").write_text(
        "---\ntitle: Pic\ndate: 2026-01-01\n---\n![A photo](/media/photo.jpg)\n"
    )
    assert freeze(env=env).returncode == 0
    photo.write_bytes(phone_photo((600, 450)))
    assert freeze(env=env).returncode == 0
    img = img_tag((freeze.build_dir / "posts" / "pic" / "index.html").read_text(), "photo.jpg")
    assert 'width="600"' in img
    assert "960w" not in img
    assert set(variant_files(freeze.build_dir, "photo.jpg")) == {
        "480/photo.jpg",
        "480/photo.jpg.webp",
    }


def test_pages_without_an_image_of_their_own_use_the_site_default(freeze):
    result = freeze(env={"SITE_IMAGE": "/static/favicon.svg"})
    assert result.returncode == 0, result.stderr
    home = (freeze.build_dir / "index.html").read_text()
    assert '<meta property="og:image" content="https://example.org/static/favicon.svg">' in home


def test_image_widths_must_be_widths():
    assert parse_widths("960, 480,1600") == (480, 960, 1600)
    with pytest.raises(ValueError, match="IMAGE_WIDTHS='480,big'"):
        parse_widths("480,big")
    with pytest.raises(ValueError, match="IMAGE_WIDTHS='0'"):
        create_app(TestingConfig, {"IMAGE_WIDTHS": "0"})


def test_a_notes_photo_is_responsive_on_its_page_and_in_lists(freeze, tmp_path):
    (freeze.content_dir / "media" / "dusk.jpg").write_bytes(phone_photo((2000, 1500)))
    (freeze.content_dir / "notes" / "2026-01-02-080000.md").write_text(
        "---\ndate: 2026-01-02 08:00\nphotos:\n  - src: media/dusk.jpg\n"
        "    alt: A harbour at dusk\n---\n\nDusk.\n"
    )
    assert freeze(env={"IMAGE_CACHE_DIR": str(tmp_path / "cache")}).returncode == 0
    assert set(variant_files(freeze.build_dir, "dusk.jpg")) == {
        f"{width}/dusk.jpg{webp}" for width in WIDTHS for webp in ("", ".webp")
    }
    for page in ("notes/2026/01/02/080000/index.html", "tags/index.html", "index.html"):
        html = (freeze.build_dir / page).read_text()
        if "dusk.jpg" not in html:
            continue  # not on this page of the list
        img = img_tag(html, "dusk.jpg")
        assert 'width="2000"' in img
        assert "srcset=" in img, page
        assert 'alt="A harbour at dusk"' in img


def og_image(html: str) -> tuple[str | None, str | None]:
    """A page's og:image and og:image:width (None when missing)."""
    url = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    width = re.search(r'<meta property="og:image:width" content="([^"]+)">', html)
    return (url[1] if url else None), (width[1] if width else None)


def test_a_notes_page_shares_its_first_photo_else_its_first_image(freeze, tmp_path):
    media = freeze.content_dir / "media"
    media.joinpath("dusk.jpg").write_bytes(phone_photo((1000, 750)))
    media.joinpath("dawn.jpg").write_bytes(phone_photo((800, 600)))
    photo_note = freeze.content_dir / "notes" / "2026-01-02-080000.md"
    photo_note.write_text(
        "---\ndate: 2026-01-02 08:00\nphotos:\n  - src: media/dusk.jpg\n"
        "    alt: A harbour at dusk\n  - src: media/dawn.jpg\n    alt: Dawn\n---\n\nDusk.\n"
    )
    (freeze.content_dir / "notes" / "2026-01-03-080000.md").write_text(
        "---\ndate: 2026-01-03 08:00\n---\n\nDawn. ![The sun rising](/media/dawn.jpg)\n"
    )
    env = {"IMAGE_CACHE_DIR": str(tmp_path / "cache")}
    assert freeze(env=env).returncode == 0
    page = freeze.build_dir / "notes" / "2026" / "01" / "02" / "080000" / "index.html"
    html = page.read_text()
    assert og_image(html) == ("https://example.org/media/dusk.jpg", "1000")
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    other = freeze.build_dir / "notes" / "2026" / "01" / "03" / "080000" / "index.html"
    assert og_image(other.read_text()) == ("https://example.org/media/dawn.jpg", "800")

    # The page read the note's photos: a new first photo renders it again.
    photo_note.write_text(photo_note.read_text().replace("dusk.jpg", "dawn.jpg", 1))
    assert freeze(env=env).returncode == 0
    assert og_image(page.read_text()) == ("https://example.org/media/dawn.jpg", "800")


SPACED = "big photo é.jpg"
SPACED_URL = "/media/big%20photo%20%C3%A9.jpg"


def test_an_image_named_with_spaces_and_accents_is_responsive(freeze, tmp_path):
    (freeze.content_dir / "media" / SPACED).write_bytes(phone_photo((2000, 1500)))
    (freeze.content_dir / "posts" / "spaced.md").write_text(
        f"---\ntitle: Spaced\ndate: 2026-01-01\n---\n![A photo](</media/{SPACED}>)\n"
    )
    assert freeze(env={"IMAGE_CACHE_DIR": str(tmp_path / "cache")}).returncode == 0
    html = (freeze.build_dir / "posts" / "spaced" / "index.html").read_text()
    img = re.search(rf'<img [^>]*src="{re.escape(SPACED_URL)}"[^>]*>', html)
    assert img is not None, html
    assert 'width="2000"' in img[0]
    assert 'loading="lazy"' in img[0]
    assert "/media/_variants/960/big%20photo%20%C3%A9.jpg 960w" in img[0]
    assert "<picture>" in html
    assert (freeze.build_dir / "media" / "_variants" / "960" / SPACED).is_file()
    expected = "https://example.org/media/_variants/1600/big%20photo%20%C3%A9.jpg"
    assert og_image(html) == (expected, "1600")


@pytest.mark.parametrize(
    "src",
    ["/media/%2e%2e/secret.jpg", "/media/%2E%2E%2Fsecret.jpg", "/media/..%2fsecret.jpg"],
)
def test_a_quoted_name_never_leads_out_of_media(app, content_dir, src):
    from types import SimpleNamespace

    from app.public.pictures import responsive_images, social_image_tags

    (content_dir / "secret.jpg").write_bytes(phone_photo((1000, 750)))
    tag = f'<img src="{src}" alt="">'
    doc = SimpleNamespace(extra={"image": src}, body_html="", photos=[])
    with app.test_request_context():
        assert responsive_images(tag) == tag
        assert "og:image:width" not in social_image_tags(doc)


@pytest.mark.parametrize(
    ("url", "quoted"),
    [
        ("/media/big photo é.jpg", "/media/big%20photo%20%C3%A9.jpg"),
        ("/media/big%20photo%20%C3%A9.jpg", "/media/big%20photo%20%C3%A9.jpg"),  # kept
        ("/media/50% off.png", "/media/50%25%20off.png"),  # a lone % is no escape
        ("/media/a(1)+b,c.jpg", "/media/a(1)+b,c.jpg"),  # as url_for writes them
        ("https://ex.org/café.jpg?q=a b#x y", "https://ex.org/caf%C3%A9.jpg?q=a b#x y"),
        ("https://ex.org/plain.jpg?", "https://ex.org/plain.jpg?"),  # untouched
    ],
)
def test_quoted_url_encodes_a_paths_spaces_and_letters_once(url, quoted):
    from app.content.media import quoted_url

    assert quoted_url(url) == quoted


def test_a_posts_image_must_be_there_and_a_web_address(freeze):
    post = freeze.content_dir / "posts" / "shared.md"
    post.write_text("---\ntitle: Shared\ndate: 2026-01-01\nimage: /media/dusk.jpg\n---\nText.\n")
    (freeze.content_dir / "media" / "dusk.jpg").write_bytes(phone_photo((800, 600)))
    result = freeze()
    assert result.returncode == 0, result.stderr
    assert "'image'" not in result.stderr  # a known key: no warning
    page_file = freeze.build_dir / "posts" / "shared" / "index.html"
    assert og_image(page_file.read_text()) == ("https://example.org/media/dusk.jpg", "800")
    assert nu_check(page_file) == []

    # A file that is not there: the link check names the line, as for an image of the body.
    post.write_text(post.read_text().replace("dusk.jpg", "nope.png"))
    result = freeze()
    assert result.returncode == 1
    assert (
        "posts/shared/index.html: broken link /media/nope.png (no such file); "
        "written at content/posts/shared.md:4"
    ) in result.stderr

    post.write_text(post.read_text().replace("/media/nope.png", "javascript:alert(1)"))
    result = freeze()
    assert result.returncode == 1
    assert "content/posts/shared.md:4: invalid 'image': 'javascript:alert(1)'" in result.stderr
    assert "javascript:" not in page_file.read_text()  # the last good build stays

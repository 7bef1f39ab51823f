"""`flask content import ghost`: a Ghost JSON export and its images into content/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.import_helpers import IMPORTS, read_doc, refused, run_import, snapshot

FOLDER = IMPORTS / "ghost"
EXPORT = FOLDER / "ghost-export.json"
OLD = "https://ghost.example.com"


def write_export(folder: Path, posts: list[dict[str, Any]], **tables: Any) -> Path:
    """A small Ghost export of ``posts`` (and ``users``, ``tags``... as given) in ``folder``."""
    path = folder / "ghost.json"
    data = {"posts": posts, **tables}
    path.write_text(json.dumps({"db": [{"meta": {"version": "5.0.0"}, "data": data}]}, indent=1))
    return path


def post(slug: str, html: str | None, **fields: Any) -> dict[str, Any]:
    """A published public post of a Ghost 5 export (``fields`` override)."""
    return {
        "id": f"65{slug}",
        "title": slug.replace("-", " ").capitalize(),
        "slug": slug,
        "html": html,
        "type": "post",
        "status": "published",
        "visibility": "public",
        "published_at": "2023-09-26T10:30:00.000Z",
        **fields,
    }


@pytest.fixture
def imported(runner, content_dir):
    result = run_import(runner, "ghost", FOLDER, "--old-url", OLD)
    assert result.exit_code == 0, result.output
    return result.output


def test_posts_keep_their_fields_and_slug_urls_become_aliases(imported, content_dir):
    meta, _ = read_doc(content_dir, "posts/kelp-forests.md")
    assert meta["title"] == "Kelp forests"
    assert str(meta["date"]).startswith("2023-09-26")
    assert meta["tags"] == ["Kelp"]  # the internal '#featured' tag is not kept
    assert meta["summary"] == "Underwater forests."
    assert meta["author"] == "Rosa Kelp"
    assert meta["aliases"] == ["/kelp-forests/"]
    assert "internal tag #featured (1x)" in imported


def test_cards_become_markdown(imported, content_dir):
    _, body = read_doc(content_dir, "posts/kelp-forests.md")
    kelp = next(content_dir.glob("media/kelp-*.jpg")).name
    otter = next(content_dir.glob("media/otter-*.png")).name
    assert body.startswith(f"\n![](/media/{kelp})\n\nThe kelp grows *fast*.")  # feature image
    assert "See [the otters](/posts/otters/)." in body
    assert f"![Kelp](/media/{kelp})\n\n*A kelp forest*" in body  # image card
    assert f"![](/media/{otter})" in body  # gallery card
    assert "```python\ndef depth(m):\n    return m * 3.28\n\n\nprint(depth(10))\n```" in body
    assert "| Giant kelp | 45 m |" in body
    assert "[Kelp video](https://www.youtube.com/watch?v=9bZkp7q19f0)" in body  # embed card


def test_a_bookmark_card_is_a_link(imported, content_dir):
    _, body = read_doc(content_dir, "posts/otters.md")
    assert "Otters hold hands while they sleep. Subscribe for more." in body  # no #/portal
    assert body.strip().endswith("[Sea otters All about them](https://www.seaotters.example/)")


def test_a_missing_image_is_listed_and_points_at_the_old_site(imported, content_dir):
    _, body = read_doc(content_dir, "posts/kelp-forests.md")
    assert "ghost-export.json:8: /content/images/2023/09/missing.jpg" in imported
    assert f"![]({OLD}/content/images/2023/09/missing.jpg)" in body


def test_without_the_old_url_a_missing_image_is_a_warning(runner, content_dir):
    result = run_import(runner, "ghost", EXPORT, "--dry-run")
    assert result.exit_code == 0, result.output
    assert (
        "ghost-export.json:8: /content/images/2023/09/missing.jpg is not in the export"
        in result.output
    )


def test_drafts_and_members_only_posts_are_drafts(imported, content_dir):
    draft, _ = read_doc(content_dir, "posts/urchin-draft.md")
    paid, _ = read_doc(content_dir, "posts/members-tide-report.md")
    assert draft["draft"] is True
    assert paid["draft"] is True
    assert "aliases" not in paid
    assert "was for paid only: imported as a draft" in imported


def test_numeric_ids_of_old_exports_keep_tags_and_author(runner, content_dir, tmp_path):
    # as Ghost's own test export lts/export-003.json has them: ids are numbers
    export = tmp_path / "ghost.json"
    export.write_text(
        json.dumps(
            {
                "meta": {"exported_on": 1388318311015, "version": "003"},
                "data": {
                    "posts": [
                        {
                            "id": 1,
                            "title": "Welcome to Ghost",
                            "slug": "welcome-to-ghost",
                            "markdown": "You're live! Nice.",
                            "html": "<p>You're live! Nice.</p>",
                            "page": 0,
                            "status": "published",
                            "author_id": 1,
                            "published_at": 1388318310783,
                        },
                        {
                            "id": 2,
                            "title": "Second",
                            "slug": "second",
                            "html": "<p>Two.</p>",
                            "status": "published",
                            "published_at": 1388318310783,
                        },
                    ],
                    "users": [{"id": 1, "name": "Joe Bloggs"}, {"id": "2", "name": "Ann"}],
                    "tags": [{"id": 1, "name": "Getting Started"}, {"id": "2", "name": "Two"}],
                    "posts_tags": [
                        {"id": 1, "post_id": 1, "tag_id": 1},
                        {"id": 2, "post_id": "2", "tag_id": 2},
                    ],
                    "posts_authors": [{"post_id": "2", "author_id": 2}],
                },
            }
        )
    )
    result = run_import(runner, "ghost", export)
    assert result.exit_code == 0, result.output
    meta, body = read_doc(content_dir, "posts/welcome-to-ghost.md")
    assert meta["tags"] == ["Getting Started"]
    assert meta["author"] == "Joe Bloggs"
    assert body.strip() == "You're live! Nice."
    second, _ = read_doc(content_dir, "posts/second.md")
    assert second["tags"] == ["Two"]
    assert second["author"] == "Ann"


def test_a_link_to_a_members_only_post_points_to_the_draft(runner, content_dir, tmp_path):
    export = write_export(
        tmp_path,
        [
            post("open", '<p>See <a href="__GHOST_URL__/members-only/">the secret</a>.</p>'),
            post("members-only", "<p>Secret.</p>", visibility="members"),
        ],
    )
    result = run_import(runner, "ghost", export)
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/open.md")
    assert "See [the secret](/posts/members-only/)." in body
    assert "links to /posts/members-only/, a draft" in result.output
    assert "not imported" not in result.output
    draft, _ = read_doc(content_dir, "posts/members-only.md")
    assert draft["draft"] is True
    assert "aliases" not in draft  # a draft had no public address: no redirect


AUDIO_CARD = (
    '<div class="kg-card kg-audio-card"><img src="" alt="audio-thumbnail" '
    'class="kg-audio-thumbnail kg-audio-hide"><div class="kg-audio-player-container">'
    '<audio src="__GHOST_URL__/content/media/2023/09/waves.mp3" preload="metadata"></audio>'
    '<div class="kg-audio-title">Waves</div><div class="kg-audio-player">'
    '<span class="kg-audio-current-time">0:00</span></div></div></div>'
)
VIDEO_CARD = (
    '<figure class="kg-card kg-video-card kg-card-hascaption"><div class="kg-video-container">'
    '<video src="__GHOST_URL__/content/media/2023/09/dive.mp4" playsinline preload="metadata">'
    '</video><div class="kg-video-player"><span class="kg-video-current-time">0:00</span>'
    "</div></div><figcaption>A dive</figcaption></figure>"
)


def test_audio_and_video_cards_are_links_to_their_files(runner, content_dir, tmp_path):
    html = (
        f"<p>Listen.</p>{AUDIO_CARD}{VIDEO_CARD}"
        '<video controls><source src="__GHOST_URL__/content/media/2023/09/kelp.webm"></video>'
        '<p>No picture: <img alt="nothing"><img src="" alt="empty"></p>'
    )
    export = write_export(tmp_path, [post("sounds", html)])
    (tmp_path / "content" / "images").mkdir(parents=True)
    media = tmp_path / "content" / "media" / "2023" / "09"
    media.mkdir(parents=True)
    (media / "waves.mp3").write_bytes(b"ID3 waves")
    result = run_import(runner, "ghost", export, "--old-url", OLD)
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/sounds.md")
    waves = next(content_dir.glob("media/waves-*.mp3")).name
    assert f"[Waves](/media/{waves})" in body  # copied from content/media
    assert f"[A dive]({OLD}/content/media/2023/09/dive.mp4)" in body  # missing: listed
    assert f"[kelp.webm]({OLD}/content/media/2023/09/kelp.webm)" in body
    assert "media/2023/09/waves.mp3 -> content/media/waves-" in result.output
    assert "ghost.json:10: /content/media/2023/09/dive.mp4" in result.output
    assert "ghost.json:10: /content/media/2023/09/kelp.webm" in result.output
    assert "0:00" not in body  # the player's controls are not text
    assert "![" not in body  # no image without a source
    assert "No picture:" in body


def test_a_post_with_only_markdown_keeps_its_body(runner, content_dir, tmp_path):
    # Ghost 0.x exports (lts/export-003-minimal.json): 'markdown', no 'html'
    export = tmp_path / "ghost.json"
    posts = [
        {"title": "Welcome to Ghost", "slug": "welcome-to-ghost", "markdown": "You're *live*!"},
        post("no-html", None, markdown="Some **bold** text.", image="/content/images/cove.jpg"),
    ]
    export.write_text(json.dumps({"meta": {"version": "003"}, "data": {"posts": posts}}))
    result = run_import(runner, "ghost", export)
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/welcome-to-ghost.md")
    assert body.strip() == "You're *live*!"
    _, body = read_doc(content_dir, "posts/no-html.md")  # 'image': 0.x's feature image
    assert body.strip() == "![](/content/images/cove.jpg)\n\nSome **bold** text."
    assert "markdown -> body (Markdown) (2x)" in result.output
    assert "image -> an image at the top of the body (1x)" in result.output
    assert "dropped" not in result.output


LEXICAL_SIGNUP = json.dumps({"root": {"children": [{"type": "signup", "version": 1}]}})


def test_a_post_whose_body_would_be_lost_is_an_error(runner, content_dir, tmp_path):
    export = write_export(tmp_path, [post("lexical-only", None, lexical=LEXICAL_SIGNUP)])
    output = refused(runner, content_dir, "ghost", export)
    assert "ghost.json:10: 'Lexical only' has no HTML, Markdown or plain text in the export" in (
        output
    )
    assert "only its lexical: its body would be lost" in output
    assert "plain text used" not in output


def test_plain_text_is_the_last_resort_and_an_empty_post_is_said(runner, content_dir, tmp_path):
    posts = [
        post("plain", None, lexical=LEXICAL_SIGNUP, plaintext="One <tag>.\n\nTwo."),
        post("nothing", None, lexical=json.dumps({"root": {"children": []}})),
    ]
    result = run_import(runner, "ghost", write_export(tmp_path, posts))
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/plain.md")
    assert body == "\nOne <tag>.\n\nTwo.\n"
    assert "'Plain' has no HTML in the export: its plain text is used" in result.output
    _, body = read_doc(content_dir, "posts/nothing.md")
    assert body.strip() == ""
    assert "'Nothing' has no body in the export: imported empty" in result.output


def test_a_post_with_only_lexical_or_mobiledoc_is_rendered(runner, content_dir, tmp_path):
    def text(words: str, fmt: int = 0) -> dict[str, Any]:
        return {"type": "extended-text", "text": words, "format": fmt}

    lexical = {
        "root": {
            "type": "root",
            "children": [
                {"type": "extended-heading", "tag": "h2", "children": [text("Tides")]},
                {
                    "type": "paragraph",
                    "children": [
                        text("Read "),
                        text("this", 1),
                        text(" and "),
                        {
                            "type": "link",
                            "url": "__GHOST_URL__/mobile/",
                            "children": [text("that")],
                        },
                    ],
                },
                {
                    "type": "list",
                    "listType": "bullet",
                    "children": [{"type": "listitem", "children": [text("low & high")]}],
                },
                {"type": "image", "src": "https://example.com/i.jpg", "alt": "Sea"},
                {"type": "markdown", "markdown": "A *Markdown* card."},
                {"type": "codeblock", "language": "python", "code": "print(1 < 2)"},
                {"type": "callout", "calloutText": "<p>Tip</p>"},
            ],
        }
    }
    mobiledoc = {
        "version": "0.3.1",
        "markups": [["a", ["href", "__GHOST_URL__/lexical/"]]],
        "atoms": [],
        "cards": [["card-markdown", {"markdown": "Old *Ghost 1* text."}]],
        "sections": [[10, 0], [1, "p", [[0, [], 0, "See "], [0, [0], 1, "the other"]]]],
    }
    posts = [
        post("lexical", None, lexical=json.dumps(lexical)),
        post("mobile", None, mobiledoc=json.dumps(mobiledoc), lexical=None),
    ]
    result = run_import(runner, "ghost", write_export(tmp_path, posts))
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/lexical.md")
    assert body == (
        "\n## Tides\n\nRead **this** and [that](/posts/mobile/)\n\n- low & high\n\n"
        "![Sea](https://example.com/i.jpg)\n\nA *Markdown* card.\n\n"
        "```python\nprint(1 < 2)\n```\n"
    )
    assert "its body is made from its lexical, without its callout card(s)" in result.output
    _, body = read_doc(content_dir, "posts/mobile.md")
    assert body == "\nOld *Ghost 1* text.\n\nSee [the other](/posts/lexical/)\n"
    assert "lexical -> body (Markdown) (1x)" in result.output
    assert "mobiledoc -> body (Markdown) (1x)" in result.output


def test_pages_are_pages(imported, content_dir):
    page, body = read_doc(content_dir, "pages/about-the-reef.md")
    assert page["title"] == "About the reef"
    assert body.strip() == "A blog about the reef."


def test_the_export_file_with_its_images_folder(runner, content_dir):
    result = run_import(runner, "ghost", EXPORT, "--media", str(FOLDER / "content" / "images"))
    assert result.exit_code == 0, result.output
    assert len(list(content_dir.glob("media/otter-*.png"))) == 1


def test_broken_json_is_reported_with_its_line_and_nothing_written(runner, content_dir, tmp_path):
    broken = tmp_path / "ghost.json"
    broken.write_text('{"db": [\n  {"data": {"posts": [}\n]}\n')
    output = refused(runner, content_dir, "ghost", broken)
    assert "ghost.json:2: not JSON" in output


def test_dry_run_writes_nothing(runner, content_dir, tmp_path):
    folder = shutil.copytree(FOLDER, tmp_path / "ghost")
    before = snapshot(content_dir)
    result = run_import(runner, "ghost", folder, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "post /posts/kelp-forests/ <- ghost-export.json:8" in result.output
    assert snapshot(content_dir) == before


def test_an_old_url_must_be_an_address(runner, content_dir):
    result = run_import(runner, "ghost", FOLDER, "--old-url", "ghost.example.com")
    assert result.exit_code == 1
    assert "--old-url: 'ghost.example.com' is not an http(s) address" in result.output


@pytest.mark.slow
def test_the_imported_site_builds_without_the_drafts(imported, freeze):
    result = freeze()
    assert result.returncode == 0, result.stderr
    build = freeze.build_dir
    assert "Kelp forests" in (build / "posts/kelp-forests/index.html").read_text()
    everything = "".join(p.read_text() for p in build.rglob("*.html"))
    assert "secret tide tables" not in everything
    assert "sea urchins" not in everything
    moved = (build / "kelp-forests/index.html").read_text()
    assert '<a href="/posts/kelp-forests/">' in moved
    assert not (build / "members-tide-report").exists()

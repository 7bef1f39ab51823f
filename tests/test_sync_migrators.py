"""A content folder as a migrating author drops it in: Jekyll file names, Pelican's
``Title:`` keys, Hugo's TOML and JSON front matter, unpublished posts, broken files."""

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.content import ContentError, ContentErrors, sync_content
from app.content.document import parse_document
from app.extensions import db
from app.models import Post

FILES = {
    "2015-01-01-jekyll-post.md": "---\ntitle: From Jekyll\nlayout: post\n---\n\nBody.\n",
    "pelican.md": "Title: From Pelican\nDate: 2014-03-02 10:20\n---\n",  # not front matter
    "pelican-keys.md": "---\nTitle: From Pelican\nDate: 2014-03-02 10:20\nTags: a, b\n---\n\nB.\n",
    "hugo-toml.md": (
        '+++\ntitle = "From Hugo"\ndate = 2016-05-04T10:00:00Z\ndraft = false\n'
        'tags = ["go", "web"]\naliases = ["/old/hugo/"]\n+++\n\nTOML body.\n'
    ),
    "hugo-json.md": (
        '{\n  "title": "From JSON",\n  "date": "2017-06-07",\n  "categories": ["x"]\n}\n\nJSON.\n'
    ),
    "jekyll-unpublished.md": "---\ntitle: Hidden\ndate: 2015-02-02\npublished: false\n---\n\nNo.\n",
    "pelican-draft.md": "---\nTitle: Draft\nDate: 2014-01-01\nStatus: draft\n---\n\nNo.\n",
    "pelican-hidden.md": "---\ntitle: Hidden page\ndate: 2014-01-01\nstatus: Hidden\n---\n\nNo.\n",
    "wordpress-pending.md": "---\ntitle: Pending\ndate: 2014-01-01\nstatus: limbo\n---\n\nNo.\n",
}


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _post(slug: str) -> Post:
    post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
    assert post is not None, slug
    return post


def test_a_migrated_folder_syncs_with_notes(app, content_dir: Path):
    files = dict(FILES)
    del files["pelican.md"]
    _write(content_dir / "posts", files)
    with app.app_context():
        report = sync_content(content_dir, app.config["MAX_CONTENT_FILE_BYTES"])
        jekyll = _post("jekyll-post")
        assert jekyll.published_at == datetime(2015, 1, 1)
        assert jekyll.extra == {"layout": "post"}
        pelican = _post("pelican-keys")
        assert pelican.title == "From Pelican"
        assert pelican.published_at == datetime(2014, 3, 2, 10, 20)
        assert [t.name for t in pelican.tags] == ["a", "b"]
        toml = _post("hugo-toml")
        assert (toml.title, toml.published_at, toml.draft) == (
            "From Hugo",
            datetime(2016, 5, 4, 10),
            False,
        )
        assert toml.aliases == ["/old/hugo/"]
        assert toml.body == "TOML body.\n"
        json_post = _post("hugo-json")
        assert json_post.title == "From JSON"
        assert json_post.extra == {"categories": ["x"]}
        for slug in ("jekyll-unpublished", "pelican-draft", "pelican-hidden", "wordpress-pending"):
            post = _post(slug)
            assert post.draft, slug
            assert post.status == "draft", slug
            assert "published" not in post.extra
            assert "status" not in post.extra
    warnings = report.warnings
    title = "content/posts/pelican-keys.md:2: front-matter key 'Title' read as 'title'"
    assert title in "\n".join(warnings)
    assert any(
        w.startswith("content/posts/pelican-keys.md:3: front-matter key 'Date'") for w in warnings
    )
    limbo = "'status: limbo' is not 'published': the post is a draft"
    assert f"content/posts/wordpress-pending.md:4: {limbo}" in warnings
    assert not [w for w in warnings if "pelican-draft" in w and "is not 'published'" in w]


def test_unpublished_posts_never_reach_the_site(freeze):
    posts = freeze.content_dir / "posts"
    _write(posts, {k: v for k, v in FILES.items() if k != "pelican.md"})
    result = freeze()
    assert result.returncode == 0, result.stderr
    build = freeze.build_dir
    assert (build / "posts" / "jekyll-post" / "index.html").exists()
    assert (build / "posts" / "hugo-toml" / "index.html").exists()
    assert (build / "old" / "hugo" / "index.html").exists()
    for slug in ("jekyll-unpublished", "pelican-draft", "pelican-hidden", "wordpress-pending"):
        assert not (build / "posts" / slug).exists(), slug
        for name in ("feed.xml", "feed.json", "sitemap.xml", "search.json", "index.html"):
            assert f"/posts/{slug}/" not in (build / name).read_text(), (slug, name)


BROKEN = {
    "bad-yaml.md": "---\ntitle: [unclosed\ndate: 2020-01-01\n---\n",
    "bad-toml.md": '+++\ntitle = "T"\ndate = \n+++\n',
    "bad-json.md": '{\n  "title": "T",\n  "date": "2020-01-01",,\n}\n',
    "no-title.md": "---\ndate: 2020-01-01\n---\nx\n",
    "three-wrongs.md": "---\nDate: someday\ntags: {a: 1}\ndraft: maybe\n---\nx\n",
}


def test_every_broken_file_is_named_in_one_run_with_its_line(app, content_dir: Path):
    _write(content_dir / "posts", BROKEN)
    with app.app_context(), pytest.raises(ContentErrors) as caught:
        sync_content(content_dir, app.config["MAX_CONTENT_FILE_BYTES"])
    messages = [str(error) for error in caught.value.errors]
    assert len(messages) == 8, messages
    assert messages[0].startswith("content/posts/bad-json.md:3: malformed JSON front matter")
    assert "flask content import hugo" in messages[0]
    assert messages[1].startswith("content/posts/bad-toml.md:3: malformed TOML front matter")
    assert messages[2].startswith("content/posts/bad-yaml.md:2: malformed front matter")
    assert messages[3].startswith("content/posts/no-title.md:1: missing or empty 'title'")
    # Every error of a file, each on its line (a missing title stood in for, to go on).
    assert [m.split(": ", 2)[:2] for m in messages[4:]] == [
        ["content/posts/three-wrongs.md:1", "missing or empty 'title' (add a line 'title"],
        ["content/posts/three-wrongs.md:2", "invalid 'date' 'someday'"],
        ["content/posts/three-wrongs.md:3", "invalid 'tags'"],
        ["content/posts/three-wrongs.md:4", "'draft' must be true or false"],
    ]


def test_a_pelican_header_without_fences_is_named_with_the_importer():
    with pytest.raises(ContentError) as caught:
        parse_document(FILES["pelican.md"], "content/posts/pelican.md")
    assert "no front matter" in str(caught.value)
    assert "`flask content import pelican`" in str(caught.value)


def test_a_title_in_another_case_is_found_on_its_line_for_errors():
    with pytest.raises(ContentError) as caught:
        parse_document("---\nTitle: x\nDate: never\n---\n", "content/posts/a.md")
    assert caught.value.line == 3
    assert caught.value.field == "date"


def test_a_jekyll_name_gives_way_to_front_matter():
    doc = parse_document(
        "---\ntitle: T\nslug: mine\ndate: 2020-02-02\n---\n", "content/posts/2015-01-01-x.md"
    )
    assert (doc.slug, doc.date) == ("mine", datetime(2020, 2, 2))
    page = parse_document("---\ntitle: T\n---\n", "content/pages/2015-01-01-x.md", "page")
    assert page.slug == "2015-01-01-x"  # pages have no dated names
    with pytest.raises(ContentError) as caught:
        parse_document("---\ntitle: T\n---\n", "content/posts/2015-13-01-x.md")
    assert "missing 'date'" in str(caught.value)

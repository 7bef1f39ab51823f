"""``aliases:``: old site paths that redirect to a post or page, checked with file:line,
kept through sync and round trips, and written by the build as redirect pages."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.content import ContentError
from app.content.aliases import alias_file, alias_url, check_aliases
from app.content.document import parse_document, serialize_document
from app.content.sync import sync_content
from app.extensions import db
from app.models import Post

ALIASED = """---
title: Moved here
date: 2015-01-01
aliases:
  - /2015/01/old-title/
  - /old.html
---

The post.
"""


def test_aliases_are_parsed_and_written_back():
    doc = parse_document(ALIASED, "content/posts/moved-here.md")
    assert doc.aliases == ["/2015/01/old-title/", "/old.html"]
    assert "aliases" not in doc.extra
    again = parse_document(serialize_document(doc, "moved-here"), "content/posts/moved-here.md")
    assert again.aliases == doc.aliases
    assert check_aliases("/one/") == ["/one/"]
    assert check_aliases(["/a/", "/a/"]) == ["/a/"]


@pytest.mark.parametrize(
    ("alias", "words"),
    [
        ("https://old.example/x/", "scheme or host"),
        ("//old.example/x/", "scheme or host"),
        ("old/x/", "must start with '/'"),
        ("/a/../b/", "'..'"),
        ("/a/?p=1", "a query"),
        ("/a/#top", "a fragment"),
        ("/a b/", "a space"),
        ("/", "home page"),
        (12, "must be a path"),
    ],
)
def test_a_bad_alias_is_an_error_on_its_line(alias, words):
    text = ALIASED.replace(
        "  - /old.html", f"  - {alias!r}" if not isinstance(alias, str) else f"  - '{alias}'"
    )
    with pytest.raises(ContentError) as caught:
        parse_document(text, "content/posts/moved-here.md")
    error = caught.value
    assert error.line == 4
    assert error.field == "aliases"
    assert words in error.message
    assert str(error).startswith("content/posts/moved-here.md:4: invalid 'aliases': ")


def test_alias_files_and_urls():
    assert alias_file("/2015/01/old-title/") == "2015/01/old-title/index.html"
    assert alias_file("/old") == "old/index.html"
    assert alias_file("/old.html") == "old.html"
    assert alias_url("/old") == "/old/"
    assert alias_url("/old.html") == "/old.html"


def test_a_sync_stores_aliases_and_an_export_keeps_them(app, content_dir: Path):
    path = content_dir / "posts" / "moved-here.md"
    path.write_text(ALIASED, encoding="utf-8")
    with app.app_context():
        report = sync_content(content_dir, app.config["MAX_CONTENT_FILE_BYTES"])
        assert not [w for w in report.warnings if "moved-here" in w]
        post = db.session.scalar(sa.select(Post).filter_by(slug="moved-here"))
        assert post is not None
        assert post.aliases == ["/2015/01/old-title/", "/old.html"]
        assert post.extra == {}

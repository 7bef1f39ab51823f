"""The list of pages is kept while what it read holds, and made again when it does not."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flask import Flask

from app.build import pagelist, pipeline
from app.build.errors import BuildError
from app.content.document import parse_document, serialize_document
from tests import test_incremental
from tests.test_incremental import build, clean_build_of, tree

app = test_incremental.app

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a build listed the pages from the URL generators."""
    calls: list[int] = []

    def counted(*args: object) -> pagelist.PageList:
        calls.append(1)
        return pagelist.list_pages(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "list_pages", counted)
    return calls


def _edit(content_dir: Path, **changes: object) -> Path:
    path = sorted((content_dir / "posts").glob("*.md"))[0]
    doc = dataclasses.replace(parse_document(path.read_text(), path, "post"), **changes)
    path.write_text(serialize_document(doc, path.stem))
    return path


def test_a_body_edit_keeps_the_page_list(app: Flask, content_dir: Path, listings, tmp_path):
    build(app)
    assert len(listings) == 1
    path = sorted((content_dir / "posts").glob("*.md"))[0]
    path.write_text(path.read_text() + "\nOne more sentence.\n")
    result = build(app)
    assert len(listings) == 1  # the saved list held
    assert result.written >= 1
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(app, tmp_path)


@pytest.mark.parametrize(
    "change",
    ["new tag", "new post", "title", "draft", "media file", "static file", "media symlink"],
)
def test_what_changes_the_list_lists_the_pages_again(
    app: Flask, content_dir: Path, site_dir: Path, listings, tmp_path, change: str
):
    build(app)
    if change == "new tag":
        _edit(content_dir, tags=["a-brand-new-tag"])
    elif change == "new post":
        source = sorted((content_dir / "posts").glob("*.md"))[0]
        (content_dir / "posts" / "brand-new.md").write_text(
            source.read_text().replace("title:", "title: New —", 1)
        )
    elif change == "title":
        _edit(content_dir, title="A title the archive lists")
    elif change == "draft":
        _edit(content_dir, draft=True)
    elif change == "media file":
        (content_dir / "media").mkdir(exist_ok=True)
        (content_dir / "media" / "new.png").write_bytes(PNG)
    elif change == "static file":
        (site_dir / "static" / "extra.txt").write_text("a file the theme ships\n")
    else:  # a name that stays but becomes a link: listed again (and refused by the build)
        (content_dir / "media").mkdir(exist_ok=True)
        (content_dir / "media" / "pic.png").write_bytes(PNG)
        build(app)
        (content_dir / "media" / "pic.png").unlink()
        (content_dir / "media" / "pic.png").symlink_to(tmp_path / "elsewhere.png")
        with pytest.raises(Exception) as refused:  # noqa: PT011  (the build's own error)
            build(app)
        assert "pic.png" in str(refused.value) + repr(getattr(refused.value, "details", ""))
        return
    build(app)
    assert len(listings) == (1 if change == "title" else 2)  # no generator reads a title
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(app, tmp_path)


@pytest.mark.parametrize("damage", ["without keys", "a key short", "not a list"])
def test_a_saved_list_it_cannot_read_whole_lists_the_pages_again(
    app: Flask, content_dir: Path, listings, tmp_path, monkeypatch: pytest.MonkeyPatch, damage
):
    """The keys are saved with the pages (a key is a function of its page): a list saved
    without them (by an older build) or with one missing is not used."""
    counted = pipeline.list_pages

    def damaged(*args: object) -> pagelist.PageList:
        listing = counted(*args)
        deps, folders, warnings, rows, keys = pagelist.orjson.loads(listing.saved)
        if damage == "without keys":
            parts = [deps, folders, warnings, rows]
        elif damage == "a key short":
            parts = [deps, folders, warnings, rows, keys[1:]]
        else:
            parts = [deps, folders, warnings, rows, 42]
        return dataclasses.replace(listing, saved=pagelist.orjson.dumps(parts).decode())

    monkeypatch.setattr(pipeline, "list_pages", damaged)
    build(app)  # lists the pages and saves the damaged list
    assert len(listings) == 1
    monkeypatch.setattr(pipeline, "list_pages", counted)
    path = sorted((content_dir / "posts").glob("*.md"))[0]
    path.write_text(path.read_text() + "\nOne more sentence.\n")
    build(app)
    assert len(listings) == 2  # listed again: the saved list was not read
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(app, tmp_path)


def test_two_pages_that_would_write_one_file_fail_the_build(
    app: Flask, monkeypatch: pytest.MonkeyPatch
):
    """Said before anything is rendered, naming the file and the second page's URL."""

    def doubled(*args: object) -> pagelist.PageList:
        listing = pagelist.list_pages(*args)  # type: ignore[arg-type]
        first = listing.pages[0]
        twin = dataclasses.replace(first, url=f"{first.url}again/")
        pages, keys = [*listing.pages, twin], (*listing.keys, listing.keys[0])
        return dataclasses.replace(listing, pages=pages, keys=keys)

    monkeypatch.setattr(pipeline, "list_pages", doubled)
    with pytest.raises(BuildError, match=r"would be written twice \(by .*again/\)"):
        build(app)
    assert not app.config["BUILD_DIR"].exists()  # nothing was swapped in

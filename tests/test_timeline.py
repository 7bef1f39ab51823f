"""The timeline: a built site interleaves notes and articles; notes have their own pages and
are in the archive, search, the sitemap and previous/next."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from bs4 import BeautifulSoup

from tests.conftest import ROOT, FreezeRunner, sample_freeze

NOTES = ROOT / "tests" / "fixtures" / "notes"
PHOTO_NOTE = "notes/2026/09/20/193000/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the fixture content with the fixture notes added."""
    freeze = notes_freeze(tmp_path_factory.mktemp("timeline"))
    result = freeze()
    assert result.returncode == 0, result.stderr
    return freeze.build_dir


def notes_freeze(tmp: Path) -> FreezeRunner:
    freeze = sample_freeze(tmp)
    shutil.copytree(NOTES / "notes", freeze.content_dir / "notes", dirs_exist_ok=True)
    shutil.copytree(NOTES / "media", freeze.content_dir / "media", dirs_exist_ok=True)
    return freeze


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def test_the_home_page_interleaves_notes_and_articles_by_date(site):
    home = page(site, "index.html")
    entries = home.select("article")
    kinds = ["note" if "note" in e["class"] else "post" for e in entries]
    # 11-05 note, 11-02 post, 10-12 post, 10-05 note, 10-02 post (5 a page)
    assert kinds == ["note", "post", "post", "note", "post"]
    first = entries[0]
    assert "The spec to read before writing a posting client" in first.get_text()  # in full
    assert first.select_one("h2 a, .p-name") is None  # a note has no title
    link = first.select_one("a.u-url")["href"]
    assert link == "/notes/2026/11/05/070000/"
    assert first.select_one("a.u-bookmark-of")["href"] == "https://www.w3.org/TR/micropub/"
    assert entries[1].select_one("h2 a").get_text() == "Publishing the site"  # an article


def test_a_photo_note_shows_its_photo_with_alt_text_on_its_page(site):
    note = page(site, PHOTO_NOTE)
    img = note.select_one("img.u-photo")
    assert img["src"] == "/media/harbour.png"
    assert img["alt"] == "An orange sky over the harbour, two boats moored"
    assert (site / "media" / "harbour.png").is_file()
    assert note.title.get_text().startswith("Evening light at the harbour.")
    hashtag = note.select_one("a.hashtag")
    assert hashtag.get_text() == "#photos"
    assert hashtag["href"] == "/tags/photos/"


def test_hashtags_make_tag_pages_that_list_notes(site):
    tag = page(site, "tags/photos/index.html")
    assert "Evening light at the harbour." in tag.get_text()
    python = page(site, "tags/python/index.html")
    texts = [a.get_text() for a in python.select("article")]
    assert any("Coffee first" in t for t in texts)
    assert any("Highlighted Python" in t for t in texts)  # with the article of that tag
    assert not (site / "tags" / "code" / "index.html").read_text().count("posting client")


def test_drafts_are_not_published(site):
    assert not (site / "notes" / "2026" / "10" / "15").exists()
    assert not (site / "tags" / "someday").exists()


def test_archive_search_and_sitemap_include_notes(site):
    archive = page(site, "archive/index.html")
    link = archive.select_one('a[href="/notes/2026/10/05/120000/"]')
    assert link.get_text().startswith("Agreed: a folder of HTML")
    month = page(site, "archive/2026/09/index.html")
    assert month.select_one('a[href="/notes/2026/09/02/081500/"]') is not None

    documents = orjson.loads((site / "search.json").read_bytes())
    by_url = {d["url"]: d for d in documents["items"]}
    note = by_url["/notes/2026/09/02/081500/"]
    assert note["title"].startswith("Coffee first, then #python.")
    assert "python" in note["tags"]

    sitemap = (site / "sitemap.xml").read_text()
    assert "https://example.org/notes/2026/11/05/070000/" in sitemap
    assert "/posts/2026-11-05-070000/" not in sitemap


def test_previous_and_next_cross_between_notes_and_articles(site):
    note = page(site, "notes/2026/10/05/120000/index.html")
    newer = note.select_one('a[rel="prev"]')
    older = note.select_one('a[rel="next"]')
    assert newer["href"] == "/posts/shell-snippets/"
    assert older["href"] == "/posts/on-static-sites/"
    article = page(site, "posts/shell-snippets/index.html")
    assert article.select_one('a[rel="next"]')["href"] == "/notes/2026/10/05/120000/"
    assert article.select_one('a[rel="next"]').get_text().startswith("Agreed: a folder")


def test_a_note_is_only_at_its_own_url(site):
    assert not (site / "posts" / "2026-10-05-120000").exists()
    assert (site / "notes" / "2026" / "10" / "05" / "120000" / "index.html").is_file()


def test_under_a_sub_path_hashtags_and_photos_link_once_into_it(tmp_path):
    """The link check of the build fails on any link that points nowhere."""
    freeze = notes_freeze(tmp_path)
    out = tmp_path / "sub"
    result = freeze("--out", str(out), "--base-url", "https://example.org/blog/")
    assert result.returncode == 0, result.stderr
    note = page(out, PHOTO_NOTE)
    assert note.select_one("a.hashtag")["href"] == "/blog/tags/photos/"
    assert note.select_one("img.u-photo")["src"] == "/blog/media/harbour.png"


def write_note(content_dir: Path, slug: str, date: str, text: str) -> None:
    (content_dir / "notes" / f"{slug}.md").write_text(f"---\ndate: {date}\n---\n\n{text}\n")


def footnoted(text: str) -> str:
    """A note with a footnote and a heading, as markdown-it gives them ids on its own page."""
    return f"{text}, with a footnote[^1]. #footnotes\n\n## Details\n\n[^1]: {text}'s footnote."


def test_two_notes_with_footnotes_keep_their_own_ids_on_list_pages(tmp_path):
    freeze = notes_freeze(tmp_path)
    write_note(freeze.content_dir, "2026-11-19-083000", "2026-11-19 08:30", footnoted("Morning"))
    write_note(freeze.content_dir, "2026-11-18-090000", "2026-11-18 09:00", footnoted("Evening"))
    result = freeze()
    assert result.returncode == 0, result.stderr  # every fragment link has its id
    for path in ("index.html", "tags/footnotes/index.html"):
        listing = page(freeze.build_dir, path)
        ids = [element["id"] for element in listing.select("[id]")]
        assert len(ids) == len(set(ids)), path
        for text in ("Morning", "Evening"):
            note = next(a for a in listing.select("article.note") if text in a.get_text())
            reference = note.select_one("a.footnote-ref")["href"]
            footnote = note.select_one(f'[id="{reference.removeprefix("#")}"]')
            assert footnote.get_text().startswith(f"{text}'s footnote"), path
            back = note.select_one("a.footnote-backref")["href"].removeprefix("#")
            assert note.select_one(f'[id="{back}"]').select_one("a.footnote-ref"), path
            assert note.select_one("h2:not(.visually-hidden)")["id"] != "details"
    own = page(freeze.build_dir, "notes/2026/11/19/083000/index.html")  # as written
    assert own.select_one("a.footnote-ref")["href"] == "#fn:1"
    assert own.select_one('[id="fn:1"]').get_text().startswith("Morning's footnote")
    assert own.select_one('[id="details"]').name == "h2"


@pytest.mark.parametrize("base_url", ["https://example.org/", "https://example.org/blog/"])
def test_a_notes_relative_link_leads_to_the_same_page_from_the_index(tmp_path, base_url):
    freeze = notes_freeze(tmp_path)
    linking = (
        "Morning. Unlike [yesterday](../../18/090000/) and [its details](../../18/090000/#details)."
    )
    write_note(freeze.content_dir, "2026-11-19-083000", "2026-11-19 08:30", linking)
    write_note(freeze.content_dir, "2026-11-18-090000", "2026-11-18 09:00", "Rain.\n\n## Details")
    out = tmp_path / "out"
    result = freeze("--out", str(out), "--base-url", base_url)
    assert result.returncode == 0, result.stderr  # no broken link on index.html
    site_path = base_url.removeprefix("https://example.org")
    index = page(out, "index.html")
    note = next(a for a in index.select("article.note") if "Morning" in a.get_text())
    links = [a["href"] for a in note.select(".e-content a")]
    assert links == [
        f"{site_path}notes/2026/11/18/090000/",
        f"{site_path}notes/2026/11/18/090000/#details",
    ]
    own = page(out, "notes/2026/11/19/083000/index.html")  # as written
    assert [a["href"] for a in own.select(".e-content a")] == [
        "../../18/090000/",
        "../../18/090000/#details",
    ]

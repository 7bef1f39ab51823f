"""`flask content import jekyll`: a Jekyll site folder into content/."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.content.importers.jekyll import expand
from tests.import_helpers import IMPORTS, read_doc, refused, run_import, snapshot

SITE = IMPORTS / "jekyll"


@pytest.fixture
def imported(runner, content_dir):
    result = run_import(runner, "jekyll", SITE)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_date_and_slug_come_from_the_file_name(imported, content_dir):
    meta, body = read_doc(content_dir, "posts/second.md")
    assert meta["title"] == "The second post"
    assert str(meta["date"]).startswith("2015-02-10")
    assert meta["summary"] == "What comes second."
    assert body.startswith("\nA post dated only by its file name.")


def test_front_matter_date_categories_and_the_site_permalink_style(imported, content_dir):
    meta, _ = read_doc(content_dir, "posts/welcome-to-jekyll.md")
    assert str(meta["date"]).startswith("2014-12-31")  # 00:30 at +01:00 is the eve in UTC
    assert meta["tags"] == ["jekyll", "update", "ruby", "Tides"]
    # _config.yml's permalink, with the day as the old site wrote it
    assert meta["aliases"] == ["/jekyll/update/2015/01/01/welcome-to-jekyll/"]


def test_a_post_permalink_is_its_old_url(imported, content_dir):
    meta, _ = read_doc(content_dir, "posts/second.md")
    assert meta["aliases"] == ["/old/second-post.html"]


def test_liquid_tags_are_converted_or_reported_with_their_line(imported, content_dir):
    _, body = read_doc(content_dir, "posts/welcome-to-jekyll.md")
    assert "```ruby\ndef print_hi(name)\n" in body
    assert "{% highlight" not in body
    assert "Read [the next post](/posts/second/)." in body  # {% post_url %}
    assert "Templates look like {{ page.title }}." in body  # {% raw %} kept as text
    _, second = read_doc(content_dir, "posts/second.md")
    assert "Back to [the first](/posts/welcome-to-jekyll/)." in second  # {% link %}
    assert "never shown" not in second  # {% comment %} dropped
    assert "{% comment" not in imported  # and not reported
    assert "_posts/2015-01-01-welcome-to-jekyll.md:22: Liquid tag {% include note.html" in imported


def test_assets_are_copied_and_missing_ones_listed(imported, content_dir):
    _, body = read_doc(content_dir, "posts/welcome-to-jekyll.md")
    (logo,) = [p.name for p in (content_dir / "media").glob("logo-*.png")]
    assert f"![The logo](/media/{logo})" in body
    assert "_posts/2015-02-10-second.md:9: /assets/images/missing.png" in imported
    _, second = read_doc(content_dir, "posts/second.md")
    assert "![Gone](https://jekyll.example.net/assets/images/missing.png)" in second


def test_links_to_old_pages_not_imported_are_listed_with_the_setting_to_pass(imported):
    assert "links to old pages that are not imported (1)" in imported
    assert "LINK_CHECK_IGNORE=/category/" in imported
    assert "_posts/2015-02-10-second.md:17: /category/tides/" in imported


def test_unpublished_and_draft_folder_posts_are_drafts(imported, content_dir):
    not_yet, _ = read_doc(content_dir, "posts/not-yet.md")
    idea, _ = read_doc(content_dir, "posts/a-draft-idea.md")
    assert not_yet["draft"] is True
    assert idea["draft"] is True
    assert "aliases" not in idea  # a draft had no URL


def test_html_posts_and_pages(imported, content_dir):
    _, html = read_doc(content_dir, "posts/an-html-post.md")
    assert html.strip() == 'Written in **HTML**.\n\n```python\nprint("tide")\n```'
    page, body = read_doc(content_dir, "pages/colophon.md")
    assert page["title"] == "Colophon"
    assert body.strip() == "Made with Jekyll."
    assert "index.md: the old home or list page" in imported
    assert "layout (6x)" in imported  # dropped fields are counted


def test_an_old_url_an_existing_post_redirects_stays_with_it(runner, content_dir):
    mine = content_dir / "posts" / "mine.md"
    mine.write_text("---\ntitle: Mine\ndate: 2020-01-01\naliases: [/old/second-post.html]\n---\n")
    result = run_import(runner, "jekyll", SITE)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/second.md")
    assert "aliases" not in meta
    assert "the old URL /old/second-post.html is also an old URL of content/posts/mine.md" in (
        result.output
    )


def test_dry_run_writes_nothing(runner, content_dir):
    before = snapshot(content_dir)
    result = run_import(runner, "jekyll", SITE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "post /posts/second/ <- _posts/2015-02-10-second.md:1" in result.output
    assert snapshot(content_dir) == before


def test_one_broken_file_means_nothing_is_written(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    (site / "_posts" / "2016-01-01-broken.md").write_text("---\ntitle: [oops\n---\nText\n")
    output = refused(runner, content_dir, "jekyll", site)
    assert "_posts/2016-01-01-broken.md:" in output
    assert "malformed YAML front matter" in output


def test_a_database_never_set_up_is_migrated_first(app, runner, content_dir):
    from app.extensions import db
    from app.models import Post

    db.drop_all()  # a new checkout: 'flask db upgrade' never ran
    db.session.execute(sa.text("DROP TABLE alembic_version"))
    db.session.commit()
    result = run_import(runner, "jekyll", SITE)
    assert result.exit_code == 0, result.output
    assert db.session.query(Post).filter_by(slug="second").one().title == "The second post"


def test_a_content_folder_that_does_not_sync_means_nothing_is_written(runner, content_dir):
    (content_dir / "posts" / "broken.md").write_text("---\ntitle: Broken\n---\nNo date.\n")
    output = refused(runner, content_dir, "jekyll", SITE)
    assert "content/posts/broken.md" in output
    assert "missing 'date'" in output


@pytest.mark.slow
def test_the_imported_site_builds_without_the_drafts(imported, freeze):
    result = freeze(env={"LINK_CHECK_IGNORE": "/category/"})  # as the report advises
    assert result.returncode == 0, result.stderr
    build = freeze.build_dir
    assert "Welcome to Jekyll!" in (build / "posts/welcome-to-jekyll/index.html").read_text()
    assert (build / "colophon/index.html").exists()
    everything = "".join(p.read_text() for p in build.rglob("*.html"))
    assert "neap tides" not in everything
    assert "spring tides" not in everything
    moved = (build / "old/second-post.html").read_text()  # a post's own permalink
    assert '<a href="/posts/second/">' in moved
    assert (build / "jekyll/update/2015/01/01/welcome-to-jekyll/index.html").exists()
    assert not (build / "2015/03/01/not-yet").exists()  # published: false had no URL


def test_a_config_that_begins_with_a_document_marker_is_read(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    config = site / "_config.yml"
    config.write_text("---\n" + config.read_text().replace('baseurl: ""', "baseurl: /blog"))
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    assert "_config.yml" not in result.output  # read, not warned about
    meta, _ = read_doc(content_dir, "posts/welcome-to-jekyll.md")
    assert meta["aliases"] == ["/blog/jekyll/update/2015/01/01/welcome-to-jekyll/"]


def test_the_posts_collection_permalink_wins_over_the_site_one(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    config = site / "_config.yml"
    posts = "collections:\n  posts:\n    output: true\n    permalink: /news/:year/:title/\n"
    config.write_text(config.read_text() + posts)
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/welcome-to-jekyll.md")
    assert meta["aliases"] == ["/news/2015/welcome-to-jekyll/"]


def test_a_post_slug_is_the_title_of_its_old_url(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    post = site / "_posts" / "2015-01-01-welcome-to-jekyll.md"
    post.write_text(post.read_text().replace("---\n", "---\nslug: first-words\n", 1))
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/first-words.md")
    assert meta["aliases"] == ["/jekyll/update/2015/01/01/first-words/"]


def test_a_config_that_does_not_parse_is_warned_of_with_its_line(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    (site / "_config.yml").write_text("---\ntitle: Tides\nurl: [oops\n")
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    assert "_config.yml:4: not read: malformed YAML" in result.output  # where YAML saw it


def test_a_post_url_written_as_text_becomes_the_new_url(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    post = site / "_posts" / "2015-02-10-second.md"
    post.write_text(
        post.read_text()
        + "\nIts address is {% post_url 2015-01-01-welcome-to-jekyll %}.\n"
        + "The draft will be at {% post_url 2015-03-01-not-yet %}.\n"
    )
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/second.md")
    assert "Its address is /posts/welcome-to-jekyll/." in body
    assert "The draft will be at /posts/not-yet/." in body
    assert "import-ref" not in body
    assert "_posts/2015-02-10-second.md:20: links to /posts/not-yet/, a draft" in result.output


def test_a_link_to_a_file_not_imported_keeps_its_fragment_and_line(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    post = site / "_posts" / "2015-02-10-second.md"
    post.write_text(post.read_text() + "\nSee [the history]({% link _docs/history.md %}#v3-9).\n")
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/second.md")
    assert "[the history](https://jekyll.example.net/_docs/history.md#v3-9)" in body
    assert "_posts/2015-02-10-second.md:19: link to '_docs/history.md'" in result.output


def test_what_the_site_will_not_show_of_an_imported_body_is_said_at_import(
    runner, content_dir, tmp_path
):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    post = site / "_posts" / "2015-02-10-second.md"
    post.write_text(post.read_text() + '\n<div style="x">Kept <!-- never closed\n\nLost text.\n')
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    output = result.output
    assert "as this site renders the imported files (" in output
    rendered = output.split("as this site renders the imported files")[1]
    assert "content/posts/second.md:" in rendered
    assert "the HTML sanitizer removed text readers would not see" in rendered
    assert "content/posts/welcome-to-jekyll.md:" in rendered  # its {% include %}, left as text


def test_dates_without_an_offset_are_the_old_sites_local_time(runner, app, content_dir, tmp_path):
    """Jekyll reads a date without an offset in its ``timezone:``, and every date into it for
    the URL's day; the import keeps the moment, and writes it in SITE_TIMEZONE."""
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    config = site / "_config.yml"
    config.write_text(config.read_text() + "timezone: America/New_York\n")
    posts = site / "_posts"
    (posts / "2020-01-01-early.md").write_text(
        "---\ntitle: Early\ndate: 2020-01-01 02:00:00\n---\nA\n"
    )
    (posts / "2020-01-01-west.md").write_text(
        "---\ntitle: West\ndate: 2020-01-01 23:30:00 -0800\n---\nB\n"
    )
    app.config["SITE_TIMEZONE"] = "Europe/Paris"
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    early, _ = read_doc(content_dir, "posts/early.md")
    assert str(early["date"]) == "2020-01-01 08:00:00+01:00"  # 02:00 in New York
    assert early["aliases"] == ["/2020/01/01/early/"]
    west, _ = read_doc(content_dir, "posts/west.md")
    assert str(west["date"]) == "2020-01-02 08:30:00+01:00"
    assert west["aliases"] == ["/2020/01/02/west/"]  # 02:30 on the 2nd in New York


def test_without_a_timezone_dates_are_read_in_site_timezone(runner, app, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    (site / "_posts" / "2020-01-01-early.md").write_text(
        "---\ntitle: Early\ndate: 2020-01-01 02:00:00\n---\nA\n"
    )
    (site / "_posts" / "2020-03-04-named.md").write_text("---\ntitle: Named\n---\nB\n")
    app.config["SITE_TIMEZONE"] = "Asia/Tokyo"
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    early, _ = read_doc(content_dir, "posts/early.md")
    assert str(early["date"]) == "2020-01-01 02:00:00+09:00"
    assert early["aliases"] == ["/2020/01/01/early/"]
    named, _ = read_doc(content_dir, "posts/named.md")
    assert str(named["date"]) == "2020-03-04 00:00:00+09:00"  # the file name's day, local
    assert named["aliases"] == ["/2020/03/04/named/"]
    welcome, _ = read_doc(content_dir, "posts/welcome-to-jekyll.md")
    assert welcome["aliases"] == ["/jekyll/update/2015/01/01/welcome-to-jekyll/"]  # as written


def test_a_timezone_that_is_not_one_is_warned_of(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    config = site / "_config.yml"
    config.write_text(config.read_text() + "timezone: Mars/Olympus\n")
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    assert "_config.yml: time zone 'Mars/Olympus' is not known" in result.output


def test_one_category_of_two_words_is_one_tag(runner, content_dir, tmp_path):
    """Jekyll splits ``categories:`` text on spaces, never ``category:``."""
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    (site / "_posts" / "2020-01-01-one.md").write_text(
        "---\ntitle: One\ncategory: Brand Management\n---\nA\n"
    )
    (site / "_posts" / "2020-01-02-two.md").write_text(
        "---\ntitle: Two\ncategories: brand management\n---\nB\n"
    )
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    one, _ = read_doc(content_dir, "posts/one.md")
    assert one["tags"] == ["Brand Management"]
    assert one["aliases"] == ["/brand%20management/2020/01/01/one/"]  # as Jekyll wrote it
    two, _ = read_doc(content_dir, "posts/two.md")
    assert two["tags"] == ["brand", "management"]
    assert two["aliases"] == ["/brand/management/2020/01/02/two/"]


def test_a_category_with_a_space_is_in_the_old_url_as_jekyll_wrote_it(
    runner, content_dir, tmp_path
):
    """Jekyll downcases the categories and escapes each value it puts in a permalink
    (``UrlDrop#categories``, ``Jekyll::URL.escape_path``): 'Brand Management' was at
    ``/brand%20management/``, never ``/brand-management/``."""
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    posts = site / "_posts"
    (posts / "2015-01-02-listed.md").write_text(
        '---\ntitle: Listed\ncategories: ["Brand Management", "Café"]\n---\nA\n'
    )
    (posts / "2015-01-03-single.md").write_text(
        "---\ntitle: Single\ncategory: Brand Management\n"
        "permalink: /:categories/:year/:month/:day/:title:output_ext\n---\nB\n"
    )
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    listed, _ = read_doc(content_dir, "posts/listed.md")
    assert listed["aliases"] == ["/brand%20management/caf%C3%A9/2015/01/02/listed/"]
    single, _ = read_doc(content_dir, "posts/single.md")
    assert single["aliases"] == ["/brand%20management/2015/01/03/single.html"]
    assert "does not redirect" not in result.output


def test_a_permalink_is_filled_in_as_jekyll_does():
    day = datetime(2015, 1, 2)
    categories = ["Brand Management", "brand management", "C++", "a#b"]
    date_style = "/:categories/:year/:month/:day/:title:output_ext"
    assert expand(date_style, day, "title", categories, ".md") == (
        "/brand%20management/c++/a%23b/2015/01/02/title.html"  # one of each, downcased
    )
    assert expand("/:slugified_categories/:title/", day, "title", categories, ".md") == (
        "/brand-management/c/a-b/title/"
    )
    assert expand(date_style, day, "title", [], ".md") == "/2015/01/02/title.html"


def test_an_old_url_that_cannot_redirect_is_warned_of(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "jekyll-site")
    (site / "_posts" / "2020-01-01-moved.md").write_text(
        "---\ntitle: Moved\nredirect_from:\n  - /old page/\n  - /kept/\n---\nA\n"
    )
    result = run_import(runner, "jekyll", site)
    assert result.exit_code == 0, result.output
    moved, _ = read_doc(content_dir, "posts/moved.md")
    assert moved["aliases"] == ["/2020/01/01/moved/", "/kept/"]
    output = " ".join(result.output.split())
    assert (
        "_posts/2020-01-01-moved.md:1: the old URL /old page/ does not redirect: "
        "'/old page/' has the character ' ': write a space as %20"
    ) in output
    assert "add it to 'aliases:' of content/posts/moved.md" in output

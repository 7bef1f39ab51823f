"""`flask content import hugo`: a Hugo site folder into content/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.import_helpers import IMPORTS, read_doc, refused, run_import, snapshot

SITE = IMPORTS / "hugo"


@pytest.fixture
def imported(runner, content_dir):
    result = run_import(runner, "hugo", SITE)
    assert result.exit_code == 0, result.output
    return result.output


def test_toml_front_matter_and_its_aliases(imported, content_dir):
    meta, _ = read_doc(content_dir, "posts/tides-in-toml.md")
    assert meta["title"] == "Tides in TOML"
    assert str(meta["date"]).startswith("2021-03-04")  # 09:15 at -05:00
    assert "14:15" in str(meta["date"])
    assert meta["tags"] == ["tides", "hugo", "Notes"]
    # the section's permalinks pattern, then aliases (a relative one is in its section)
    assert meta["aliases"] == ["/2021/03/tides-in-toml/", "/old/toml/", "/posts/tides-old"]
    assert "showtoc (1x)" in imported  # dropped, and said so


def test_json_front_matter_and_static_files(imported, content_dir):
    meta, body = read_doc(content_dir, "posts/json-post.md")
    assert meta["title"] == "Written in JSON"
    assert meta["summary"] == "Front matter as a JSON object."
    assert meta["aliases"] == ["/2021/04/written-in-json/"]
    (logo,) = [p.name for p in (content_dir / "media").glob("logo-*.png")]
    assert f"![Logo](/media/{logo})" in body


def test_shortcodes_are_converted_or_reported_with_their_line(imported, content_dir):
    _, body = read_doc(content_dir, "posts/tides-in-toml.md")
    assert "```go\npackage main\n\nfunc main() {}\n```" in body
    assert "[YouTube video](https://www.youtube.com/watch?v=w7Ft2ymGmfc)" in body
    assert "See [the JSON post](/posts/json-post/)." in body  # {{< ref >}}
    assert "content/posts/toml-post.md:24: Hugo shortcode {{< tweet >}} left as text" in imported
    # an escaped shortcode is Hugo's way to show one as text
    assert 'as text this way: `{{< figure src="x.png" >}}`.' in body
    assert "{{< figure >}}" not in imported


def test_a_page_bundle_brings_its_images(imported, content_dir):
    meta, body = read_doc(content_dir, "posts/bundle-post.md")
    assert meta["title"] == "A page bundle"
    harbour = next(content_dir.glob("media/harbour-*.png")).name
    boats = next(content_dir.glob("media/boats-*.png")).name
    assert f"![Harbour](/media/{harbour})" in body
    assert f"![Boats](/media/{boats})\n\n*Boats at rest*" in body  # {{< figure >}}
    # a missing one is listed and keeps its address on the old site
    assert "content/posts/bundle-post/index.md:12: gone.png" in imported
    assert "(https://hugo.example.com/2021/06/a-page-bundle/gone.png)" in body


def test_drafts_pages_and_list_pages(imported, content_dir):
    draft, _ = read_doc(content_dir, "posts/draft-post.md")
    assert draft["draft"] is True
    page, body = read_doc(content_dir, "pages/now.md")
    assert page["aliases"] == ["/what-now/"]
    # /tags/ is this site's tag list: it cannot redirect (the build would refuse it)
    assert "content/now.md:1: the old URL /tags/ is already an address of this site" in imported
    assert body.strip() == "Counting herons."
    assert "content/_index.md: a list page" in imported


def test_malformed_toml_is_reported_with_its_line_and_nothing_written(
    runner, content_dir, tmp_path
):
    site = shutil.copytree(SITE, tmp_path / "hugo-site")
    (site / "content/posts/bad.md").write_text("+++\ntitle = 'ok'\ndate = = 2021\n+++\nText\n")
    output = refused(runner, content_dir, "hugo", site)
    assert "content/posts/bad.md:3: malformed TOML front matter" in output


def test_an_odd_file_is_an_error_naming_it_and_the_others_are_still_checked(
    runner, content_dir, tmp_path
):
    site = shutil.copytree(SITE, tmp_path / "hugo-site")
    (site / "content/posts/odd.md").write_text("+++\ntitle = 'Odd'\naliases = 5\n+++\nText\n")
    (site / "content/posts/bad.md").write_text("---\ntitle: [\n---\n")
    result = run_import(runner, "hugo", site, "--dry-run")
    assert result.exit_code == 1
    assert "content/posts/odd.md: could not be imported (TypeError" in result.output
    assert "content/posts/bad.md:" in result.output  # both, in one run
    assert "post /posts/tides-in-toml/" in result.output


def test_dry_run_writes_nothing(runner, content_dir):
    before = snapshot(content_dir)
    result = run_import(runner, "hugo", SITE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "post /posts/tides-in-toml/ <- content/posts/toml-post.md:1" in result.output
    assert snapshot(content_dir) == before


@pytest.mark.slow
def test_the_imported_site_builds_without_the_drafts(imported, freeze):
    result = freeze()
    assert result.returncode == 0, result.stderr
    build = freeze.build_dir
    assert "Tides in TOML" in (build / "posts/tides-in-toml/index.html").read_text()
    assert not (build / "posts/draft-post").exists()
    assert "mudflats" not in "".join(p.read_text() for p in build.rglob("*.html"))
    for old in ("2021/03/tides-in-toml", "old/toml", "posts/tides-old"):
        redirect = (build / old / "index.html").read_text()
        assert '<a href="/posts/tides-in-toml/">' in redirect
    assert (build / "2021/06/a-page-bundle/index.html").exists()


def test_one_alias_given_as_text_is_one_old_url(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "hugo-site")
    (site / "content/posts/single.md").write_text(
        "---\ntitle: Single\ndate: 2021-05-01\naliases: /old-single/\n---\nText\n"
    )
    result = run_import(runner, "hugo", site)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/single.md")
    assert meta["aliases"] == ["/2021/05/single/", "/old-single/"]


def test_a_relative_link_to_another_post_gets_its_new_url(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "hugo-site")
    (site / "content/posts/linking.md").write_text(
        "---\ntitle: Linking\ndate: 2021-05-02\n---\n"
        "See [the TOML post](../../03/tides-in-toml/#front-matter).\n"
    )
    result = run_import(runner, "hugo", site)
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/linking.md")
    assert "[the TOML post](/posts/tides-in-toml/#front-matter)" in body
    assert "not imported" not in result.output


def _multilingual(tmp_path, top: str, tables: str):
    """The fixture site with ``top`` settings first and ``tables`` (the languages) last."""
    site = shutil.copytree(SITE, tmp_path / "hugo-site")
    config = site / "hugo.toml"
    config.write_text(f"{top}\n{config.read_text()}\n{tables}\n")
    return site


def test_a_translation_is_a_post_of_its_own_under_its_language(runner, content_dir, tmp_path):
    site = _multilingual(
        tmp_path,
        "defaultContentLanguage = 'en'",
        "[languages.en]\n  weight = 1\n[languages.fa]\n  weight = 2",
    )
    posts = site / "content/posts"
    (posts / "toml-post.fa.md").write_text(
        "+++\ntitle = 'جزر و مد'\nslug = 'tides-in-toml'\ndate = 2021-03-04\n"
        "aliases = ['tides-old']\n+++\nمتن\n"
    )
    (posts / "english.en.md").write_text("---\ntitle: English\ndate: 2021-06-01\n---\nText\n")
    result = run_import(runner, "hugo", site)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/tides-in-toml.md")  # its aliases stay its own
    assert meta["aliases"] == ["/2021/03/tides-in-toml/", "/old/toml/", "/posts/tides-old"]
    persian, body = read_doc(content_dir, "posts/tides-in-toml-fa.md")
    assert persian["title"] == "جزر و مد"
    assert persian["aliases"] == ["/fa/2021/03/tides-in-toml/", "/fa/posts/tides-old"]
    assert body.strip() == "متن"
    english, _ = read_doc(content_dir, "posts/english.md")  # '.en' is the default language
    assert english["aliases"] == ["/2021/06/english/"]


def test_each_language_in_its_folder_and_the_default_one_under_its_code(
    runner, content_dir, tmp_path
):
    site = _multilingual(
        tmp_path,
        "defaultContentLanguageInSubdir = true",
        "[languages.en]\n  contentDir = 'content/en'\n[languages.fr]\n  contentDir = 'content/fr'",
    )
    content = site / "content"
    (content / "en").mkdir()
    shutil.move(content / "posts", content / "en" / "posts")
    (content / "fr" / "posts").mkdir(parents=True)
    (content / "fr/posts/toml-post.md").write_text(
        "+++\ntitle = 'Marées'\nslug = 'marees'\ndate = 2021-03-05\n+++\nTexte\n"
    )
    result = run_import(runner, "hugo", site)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/tides-in-toml.md")
    assert meta["aliases"] == ["/en/2021/03/tides-in-toml/", "/en/old/toml/", "/en/posts/tides-old"]
    french, _ = read_doc(content_dir, "posts/marees-fr.md")
    assert french["aliases"] == ["/fr/2021/03/marees/"]
    assert "content/fr/posts/toml-post.md" in result.output  # named by its own folder


def test_a_yaml_config_that_begins_with_a_document_marker_is_read(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "hugo-site")
    (site / "hugo.toml").unlink()
    (site / "hugo.yaml").write_text(
        "---\nbaseURL: https://hugo.example.com/blog/\npermalinks:\n  posts: /:year/:slug/\n"
    )
    result = run_import(runner, "hugo", site)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/tides-in-toml.md")
    assert meta["aliases"][0] == "/blog/2021/tides-in-toml/"


def test_a_page_whose_slug_and_old_url_are_this_sites_is_told_so_once(
    runner, content_dir, tmp_path
):
    site = shutil.copytree(SITE, tmp_path / "hugo-site")
    (site / "content/tags.md").write_text("---\ntitle: My tags\n---\nA list of my tags.\n")
    (site / "content/search.md").write_text(
        "---\ntitle: Find\nurl: /find-things/\n---\nSearch here.\n"
    )
    result = run_import(runner, "hugo", site)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert (
        "the page slug 'tags' is reserved here; imported as 'tags-page' "
        "(links to its old URL /tags/ reach this site's own page there)"
    ) in output
    assert "its old URL redirects to the new one" not in output.split("'tags-page'")[1][:60]
    assert (
        "the page slug 'search' is reserved here; imported as 'search-page' "
        "(its old URL redirects to the new one)"
    ) in output
    page, _ = read_doc(content_dir, "pages/search-page.md")
    assert page["aliases"] == ["/find-things/"]


def test_a_highlight_within_a_line_is_a_block_of_its_own(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "hugo-site")
    (site / "content/posts/inline.md").write_text(
        "---\ntitle: Inline\ndate: 2021-05-03\n---\n"
        "Body {{% highlight go %}}x := 1{{% /highlight %}} and more.\n"
    )
    result = run_import(runner, "hugo", site)
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/inline.md")
    assert body.strip() == "Body \n\n```go\nx := 1\n```\n\n and more."


def test_a_title_in_an_old_url_is_as_hugo_made_it(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "hugo-site")
    config = site / "hugo.toml"
    config.write_text(config.read_text().replace("/:year/:month/:slug/", "/:year/:title/"))
    (site / "content/posts/release.md").write_text(
        "---\ntitle: Python 3.12 — à la carte!\ndate: 2021-05-04\n---\nText\n"
    )
    result = run_import(runner, "hugo", site)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/release.md")
    assert meta["aliases"] == ["/2021/python-3.12-à-la-carte/"]  # dots and accents kept


def test_dates_without_an_offset_are_in_the_sites_time_zone(runner, app, content_dir, tmp_path):
    site = Path(shutil.copytree(SITE, tmp_path / "hugo-site"))
    config = site / "hugo.toml"
    config.write_text("timeZone = 'Asia/Tokyo'\n" + config.read_text())
    (site / "content" / "posts" / "early.md").write_text(
        "+++\ntitle = 'Early'\ndate = '2020-01-01T02:00:00'\n+++\nA\n"
    )
    app.config["SITE_TIMEZONE"] = "UTC"
    result = run_import(runner, "hugo", site)
    assert result.exit_code == 0, result.output
    early, _ = read_doc(content_dir, "posts/early.md")
    assert str(early["date"]) == "2019-12-31 17:00:00+00:00"  # 02:00 in Tokyo
    assert early["aliases"] == ["/2020/01/early/"]  # the month Hugo showed

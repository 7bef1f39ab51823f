"""`flask content import pelican`: Markdown headers and reST into content/."""

from __future__ import annotations

import shutil

import pytest

from tests.import_helpers import IMPORTS, read_doc, refused, run_import, snapshot

SITE = IMPORTS / "pelican"


@pytest.fixture
def imported(runner, content_dir):
    result = run_import(runner, "pelican", SITE)
    assert result.exit_code == 0, result.output
    return result.output


def test_markdown_metadata_headers_are_mapped(imported, content_dir):
    meta, body = read_doc(content_dir, "posts/first-light.md")
    assert meta["title"] == "First light"
    assert str(meta["date"]).startswith("2014-03-01")
    assert str(meta["updated"]).startswith("2014-03-02")
    assert meta["tags"] == ["Keeping", "lamps", "night"]  # Category, then Tags
    assert meta["summary"] == "The lamp is lit for the first time this season."
    assert meta["author"] == "Ines Faro"
    # ARTICLE_URL of pelicanconf.py
    assert meta["aliases"] == ["/posts/2014/03/first-light/"]
    assert body.startswith("\nThe lamp was lit at dusk.")


def test_rest_becomes_markdown_with_its_fields(imported, content_dir):
    meta, body = read_doc(content_dir, "posts/reef-notes.md")
    assert meta["title"] == "Reef notes"
    assert meta["tags"] == ["notes", "reef", "charts"]  # the folder is the category
    assert meta["summary"] == "Where the rocks are."
    assert "The reef lies *north* of the tower." in body
    assert "```python\ndef bearing(a, b):\n    return (b - a) % 360\n\n\nprint(" in body
    assert "[first light](/posts/first-light/)" in body  # {filename}
    assert "![The tower again](/media/lighthouse-" in body  # {static}


def test_links_and_static_files(imported, content_dir):
    _, body = read_doc(content_dir, "posts/first-light.md")
    (image,) = [p.name for p in (content_dir / "media").glob("lighthouse-*.png")]
    assert f"![The tower](/media/{image})" in body
    assert "[the reef notes](/posts/reef-notes/)" in body
    assert "[the keeping tag](/tags/keeping/)" in body
    assert "first-light.md:15: /images/gone.png" in imported
    assert "![Gone](https://pelican.example.org/images/gone.png)" in body


def test_draft_and_hidden_are_drafts(imported, content_dir):
    draft, _ = read_doc(content_dir, "posts/storm-log-unfinished.md")
    hidden, _ = read_doc(content_dir, "posts/a-hidden-entry.md")
    assert draft["draft"] is True
    assert hidden["draft"] is True


def test_save_as_is_the_old_url_and_pages_are_pages(imported, content_dir):
    renamed, _ = read_doc(content_dir, "posts/the-new-name.md")
    assert renamed["aliases"] == ["/2014/old-name.html"]
    page, body = read_doc(content_dir, "pages/about-the-lighthouse.md")
    assert page["aliases"] == ["/pages/about-the-lighthouse/"]
    assert body.strip() == "Built in 1881."
    assert "lang (2x)" in imported


def test_a_translation_has_its_own_old_url(imported, content_dir):
    meta, _ = read_doc(content_dir, "posts/first-light-2.md")
    assert meta["title"] == "Primeira luz"
    assert meta["aliases"] == ["/first-light-pt.html"]  # Pelican's {slug}-{lang}.html


def test_an_old_url_claimed_twice_redirects_to_the_first(imported, content_dir):
    copy, _ = read_doc(content_dir, "posts/a-copy-of-the-renamed-post.md")
    assert "aliases" not in copy
    assert (
        "saved-as-twice.md:1: the old URL /2014/old-name.html is also an old URL of renamed.md:1"
        in imported
    )


def test_a_content_folder_without_pelicanconf(runner, content_dir, tmp_path):
    """The defaults: '{slug}.html' and '{category}/{slug}.html'."""
    folder = shutil.copytree(SITE / "content", tmp_path / "pelican-content")
    result = run_import(runner, "pelican", folder)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/first-light.md")
    assert meta["aliases"] == ["/first-light.html", "/keeping/first-light.html"]


def test_dry_run_writes_nothing(runner, content_dir):
    before = snapshot(content_dir)
    result = run_import(runner, "pelican", SITE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "post /posts/reef-notes/ <- notes/reef.rst:1" in result.output
    assert snapshot(content_dir) == before


def test_a_file_that_is_not_utf8_means_nothing_is_written(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "pelican-site")
    (site / "content" / "latin1.md").write_bytes("Title: Caf\xe9\n\nText\n".encode("latin-1"))
    output = refused(runner, content_dir, "pelican", site)
    assert "latin1.md: cannot read it" in output


def test_a_date_that_is_not_one_is_a_warning_with_its_line(runner, content_dir, tmp_path):
    site = shutil.copytree(SITE, tmp_path / "pelican-site")
    (site / "content" / "someday.md").write_text("Title: Someday\nDate: next tuesday\n\nText\n")
    result = run_import(runner, "pelican", site, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "someday.md:2: date 'next tuesday' is not a date: it is not used" in result.output


@pytest.mark.slow
def test_the_imported_site_builds_without_the_drafts(imported, freeze):
    result = freeze()
    assert result.returncode == 0, result.stderr
    build = freeze.build_dir
    assert "Reef notes" in (build / "posts/reef-notes/index.html").read_text()
    everything = "".join(p.read_text() for p in build.rglob("*.html"))
    assert "storm surge" not in everything
    assert "keeper's cat" not in everything
    renamed = (build / "2014/old-name.html").read_text()  # Save_as
    assert '<a href="/posts/the-new-name/">' in renamed
    assert (build / "posts/2014/04/reef-notes/index.html").exists()  # ARTICLE_URL


def _with_file(tmp_path, name, text):
    """A copy of the sample site with one more content file."""
    site = shutil.copytree(SITE, tmp_path / "pelican-site")
    path = site / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return site


CODE_BLOCKS = """\
Code blocks
###########

:date: 2014-05-01 10:00

.. sourcecode:: python
    :linenos: table
    :hl_lines: 2
    :linenostart: 8
    :linenospecial: 2
    :lineanchors: foo
    :anchorlinenos:

    def tide(hour):
        return hour % 12

.. code-block:: sh
    :linenos:

    echo lamp

.. code:: ruby
    :nowrap:

    puts 'beam'
"""


def test_rest_code_blocks_keep_their_code_whatever_pelicans_options(runner, content_dir, tmp_path):
    """Pelican's sourcecode/code-block take Pygments options docutils refuses."""
    site = _with_file(tmp_path, "code.rst", CODE_BLOCKS)
    result = run_import(runner, "pelican", site)
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/code-blocks.md")
    assert "```python\ndef tide(hour):\n    return hour % 12\n```" in body
    assert "```sh\necho lamp\n```" in body
    assert "```ruby\nputs 'beam'\n```" in body


def test_what_docutils_cannot_read_is_reported_with_its_line(runner, content_dir, tmp_path):
    """A directive or role of a plugin this import does not know loses what it marks: said."""
    text = "Plugins\n#######\n\n:date: 2014-05-02\n\nA :abbr-x:`LH` here.\n\n"
    text += ".. graphviz::\n\n    digraph { a -> b }\n\nAfter.\n"
    site = _with_file(tmp_path, "plugins.rst", text)
    result = run_import(runner, "pelican", site)
    assert result.exit_code == 0, result.output
    assert "plugins.rst:6: reStructuredText: Unknown interpreted text role" in result.output
    assert (
        'plugins.rst:8: reStructuredText: Unknown directive type "graphviz". (what it marks '
        "is not imported: fix it in the source, or add it by hand)" in result.output
    )
    _, body = read_doc(content_dir, "posts/plugins.md")
    assert body == "\nA :abbr-x:`LH` here.\n\nAfter.\n"  # the role's text, not a broken link


RAW_AND_VIDEO = """\
Raw and video
#############

:date: 2014-05-03

.. raw:: html

    <p>The <b>lamp</b> room.</p>

.. youtube:: dQw4w9WgXcQ
    :width: 640

.. raw:: latex

    \\newpage

.. vimeo:: 76979871

.. raw:: html

    <script>alert("beam")</script><p>After the script.</p>
"""


def test_raw_html_and_videos_are_kept_other_raw_is_reported(runner, content_dir, tmp_path):
    site = _with_file(tmp_path, "raw.rst", RAW_AND_VIDEO)
    result = run_import(runner, "pelican", site)
    assert result.exit_code == 0, result.output
    _, body = read_doc(content_dir, "posts/raw-and-video.md")
    assert "The **lamp** room." in body
    assert "[YouTube video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)" in body
    assert "[Vimeo video](https://vimeo.com/76979871)" in body
    assert "newpage" not in body
    assert "raw.rst:13: reStructuredText: raw 'latex' content is not imported" in result.output
    assert "raw.rst:6" not in result.output
    assert "raw.rst:10" not in result.output
    assert "After the script." in body
    assert "alert" not in body
    assert "raw.rst:19: reStructuredText: a <script> or <style> in raw HTML is not" in result.output


def test_old_urls_have_pelicans_slug_of_the_title(runner, content_dir, tmp_path):
    """Pelican's slugify (unidecode, SLUG_REGEX_SUBSTITUTIONS), not ours: '_' stays."""
    site = _with_file(tmp_path, "cafe.md", "Title: Café à Paris — l'été\nDate: 2014-05-04\n\nA\n")
    (site / "content" / "cpp.md").write_text("Title: C++ & Python\nDate: 2014-05-05\n\nB\n")
    (site / "content" / "2012-11-30_filename-metadata.rst").write_text(
        "FILENAME_METADATA example\n#########################\n\nSome cool stuff!\n"
    )
    result = run_import(runner, "pelican", site)
    assert result.exit_code == 0, result.output
    cafe, _ = read_doc(content_dir, "posts/cafe-a-paris-l-ete.md")  # our slug
    assert cafe["aliases"] == ["/posts/2014/05/cafe-a-paris-lete/"]
    cpp, _ = read_doc(content_dir, "posts/c-plus-plus-and-python.md")
    assert cpp["aliases"] == ["/posts/2014/05/c-python/"]
    named, _ = read_doc(content_dir, "posts/filename-metadata-example.md")  # our slug
    assert str(named["date"]).startswith("2012-11-30")  # FILENAME_METADATA's default
    assert named["aliases"] == ["/posts/2012/11/filename_metadata-example/"]


def test_a_sites_slug_settings_make_its_old_urls(runner, content_dir, tmp_path):
    site = _with_file(
        tmp_path, "notes/Tide_Table.md", "Title: Tides & Moon\nDate: 2014-05-06\n\nC\n"
    )
    conf = site / "pelicanconf.py"
    conf.write_text(
        conf.read_text()
        + "ARTICLE_URL = '{category}/{slug}.html'\n"
        + "SLUGIFY_SOURCE = 'basename'\n"
        + "SLUGIFY_PRESERVE_CASE = True\n"
        + "SLUG_REGEX_SUBSTITUTIONS = [(r'[^\\w\\s-]', ''), (r'[-\\s]+', '_')]\n"
        + "CATEGORY_REGEX_SUBSTITUTIONS = [(r'o', '0')]\n"
    )
    result = run_import(runner, "pelican", site)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/tide-table.md")
    assert meta["aliases"] == ["/n0tes/Tide_Table.html"]


def test_the_old_url_has_the_day_as_written_and_dates_pelican_reads(runner, content_dir, tmp_path):
    site = _with_file(tmp_path, "late.md", "Title: Late\nDate: 2019-07-14 00:30+02:00\n\nA\n")
    (site / "content" / "spelled.md").write_text("Title: Spelled\nDate: 20 Jul 2019\n\nB\n")
    (site / "content" / "zoned.md").write_text("Title: Zoned\nDate: 2019-07-21 10:00 QQT\n\nC\n")
    conf = site / "pelicanconf.py"
    conf.write_text(
        conf.read_text() + "ARTICLE_URL = 'posts/{date:%Y}/{date:%m}/{date:%d}/{slug}/'\n"
    )
    result = run_import(runner, "pelican", site)
    assert result.exit_code == 0, result.output
    late, _ = read_doc(content_dir, "posts/late.md")
    assert str(late["date"]).startswith("2019-07-13 22:30")  # UTC
    assert late["aliases"] == ["/posts/2019/07/14/late/"]  # Pelican's: the day as written
    spelled, _ = read_doc(content_dir, "posts/spelled.md")
    # midnight in pelicanconf.py's TIMEZONE, Europe/Lisbon (UTC+1 in summer): not the file's time
    assert str(spelled["date"]).startswith("2019-07-19 23:00")
    assert spelled["aliases"] == ["/posts/2019/07/20/spelled/"]
    assert "spelled.md:1: no Date" not in result.output
    assert "spelled.md:2" not in result.output
    zoned, _ = read_doc(content_dir, "posts/zoned.md")
    assert zoned["aliases"] == ["/posts/2019/07/21/zoned/"]
    assert "zoned.md:2: date '2019-07-21 10:00 QQT': its time zone is not understood" in (
        result.output
    )


def test_a_missing_file_behind_filename_is_missing_media(runner, content_dir, tmp_path):
    """Pelican's {filename} may name a file, not a post: one that is not there is listed."""
    text = "Cat\n###\n\nJust an image.\n\n.. image:: |filename|/images/gone-cat.jpg\n   :alt: Cat\n"
    site = _with_file(tmp_path, "pages/cat.rst", text)
    result = run_import(runner, "pelican", site)
    assert result.exit_code == 0, result.output
    assert "pages/cat.rst:6: /images/gone-cat.jpg" in result.output
    assert "not in this import" not in result.output
    _, body = read_doc(content_dir, "pages/cat.md")
    assert "![Cat](https://pelican.example.org/images/gone-cat.jpg)" in body

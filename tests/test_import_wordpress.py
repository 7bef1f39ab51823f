"""`flask content import wordpress`: a WXR export and its uploads folder into content/."""

from __future__ import annotations

import pytest

from tests.import_helpers import IMPORTS, read_doc, refused, run_import, snapshot

EXPORT = IMPORTS / "wordpress" / "export.xml"
WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Tides</title>
<link>https://tides.example.org</link>
<wp:base_site_url>https://tides.example.org</wp:base_site_url>
<wp:base_blog_url>https://tides.example.org</wp:base_blog_url>
{authors}
<item>
<title>Tide table</title>
<link>{link}</link>
<dc:creator><![CDATA[sam]]></dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded>
<wp:post_id>10</wp:post_id>
<wp:post_date_gmt><![CDATA[2020-03-01 08:00:00]]></wp:post_date_gmt>
<wp:post_name><![CDATA[tide-table]]></wp:post_name>
{status}
<wp:post_type><![CDATA[post]]></wp:post_type>
{extra}
</item>
</channel>
</rss>
"""


def one_post(
    tmp_path,
    body,
    *,
    link="https://tides.example.org/2020/03/tide-table/",
    status="<wp:status><![CDATA[publish]]></wp:status>",
    extra="",
    authors="",
):
    """A WXR file in ``tmp_path`` with one post ``tide-table`` (its body ``body``)."""
    path = tmp_path / "tides.xml"
    text = WXR.format(body=body, link=link, status=status, extra=extra, authors=authors)
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def imported(runner, content_dir):
    result = run_import(runner, "wordpress", EXPORT)
    assert result.exit_code == 0, result.output
    return result.output


def test_posts_keep_their_fields_and_old_urls_become_aliases(imported, content_dir):
    meta, body = read_doc(content_dir, "posts/hello-harbour.md")
    assert meta["title"] == "Hello, harbour"
    assert str(meta["date"]).startswith("2019-05-01")
    assert meta["tags"] == ["Boats", "Python"]  # category and tag; 'Uncategorized' dropped
    assert meta["summary"] == "The first post."
    assert meta["author"] == "Maren Holt"
    # its link, and the permalink it had before its slug changed (_wp_old_slug)
    assert meta["aliases"] == ["/2019/05/hello-harbour/", "/2019/05/hello-world/"]
    assert "draft" not in meta
    assert "The first post of the harbour blog.\\\nIt has two lines" in body


def test_the_report_ends_with_what_was_written(imported):
    # five documents and two images
    assert "Wrote 7 file(s) and synced the database" in imported.splitlines()[-1]


def test_html_becomes_markdown_with_code_tables_and_links(imported, content_dir):
    _, body = read_doc(content_dir, "posts/hello-harbour.md")
    assert "```python\ndef knots(speed_kmh):\n    return speed_kmh / 1.852\n\n\nprint" in body
    assert "| Ærø | 7 m |" in body
    # links to other imported posts, by permalink and by ?p=ID, get the new URLs
    assert "[second post](/posts/second-post/)" in body
    assert "[the same post by its number](/posts/second-post/)" in body
    _, second = read_doc(content_dir, "posts/second-post.md")
    assert '```bash\nls -la\necho "done"\n```' in second
    assert "<https://www.youtube.com/watch?v=dQw4w9WgXcQ>" in second  # [embed]: a link


def test_caption_and_gallery_images_are_copied_into_media(imported, content_dir):
    _, body = read_doc(content_dir, "posts/hello-harbour.md")
    (harbour,) = [p.name for p in (content_dir / "media").glob("harbour-*.jpg")]
    (boats,) = [p.name for p in (content_dir / "media").glob("boats-*.png")]
    assert f"![The harbour at dawn](/media/{harbour})\n\n*The harbour at dawn*" in body
    assert f"![](/media/{harbour})" in body
    assert f"![](/media/{boats})" in body
    assert "wp-content" not in body
    assert (content_dir / "media" / harbour).read_bytes() == (
        IMPORTS / "wordpress/wp-content/uploads/2019/05/harbour.jpg"
    ).read_bytes()


def test_missing_media_and_unknown_shortcodes_are_reported_with_lines(imported, content_dir):
    assert "export.xml:110: https://old.example.org/wp-content/uploads/2019/06/lost.jpg" in (
        imported
    )
    _, second = read_doc(content_dir, "posts/second-post.md")
    assert "(https://old.example.org/wp-content/uploads/2019/06/lost.jpg)" in second
    assert "export.xml:45: [gallery] names attachment 32" in imported
    assert "export.xml:61: WordPress shortcode [contact-form-7] left as text" in imported
    assert "shortcode [k]" not in imported  # a list comprehension in a code block
    assert "fields dropped" in imported
    assert "wp:comment (1x)" in imported
    assert "wp:post_type nav_menu_item (not a post or page) (1x)" in imported


def test_unpublished_posts_are_drafts(imported, content_dir):
    draft, _ = read_doc(content_dir, "posts/follow-up-unfinished.md")
    private, _ = read_doc(content_dir, "posts/crew-only.md")
    assert draft["draft"] is True
    assert private["draft"] is True
    published, _ = read_doc(content_dir, "posts/second-post.md")
    assert "draft" not in published


def test_a_page_whose_slug_is_taken_gets_another_with_a_report_line(imported, content_dir):
    meta, body = read_doc(content_dir, "pages/about-2.md")
    assert meta["title"] == "About me"
    assert body.strip() == "I sail small boats."
    assert "content/pages/about.md already uses the slug 'about'; imported as 'about-2'" in (
        imported
    )
    # /about/ is the existing page's address: no redirect from it
    assert "aliases" not in meta
    assert "the old URL /about/ is already an address of this site" in imported
    assert (content_dir / "pages/about.md").read_text().startswith("---\ntitle: About\n")


def test_the_database_has_the_imported_posts(imported, app):
    from app.models import Post

    rows = {p.slug: p for p in Post.query.all()}
    assert {"hello-harbour", "second-post", "crew-only", "about-2"} <= rows.keys()
    assert rows["crew-only"].draft
    assert not rows["hello-harbour"].draft


def test_dry_run_prints_the_report_and_writes_nothing(runner, content_dir):
    before = snapshot(content_dir)
    result = run_import(runner, "wordpress", EXPORT, "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(content_dir) == before
    assert "post /posts/hello-harbour/ <- export.xml:31 -> content/posts/hello-harbour.md" in (
        result.output
    )
    assert "(draft)" in result.output
    assert "media copied" in result.output
    assert result.output.rstrip().endswith("Dry run: nothing was written.")


def test_a_failed_write_leaves_the_content_folder_as_it_was(runner, content_dir):
    (content_dir / "posts" / "second-post.md").mkdir()  # the import cannot write this one
    output = refused(runner, content_dir, "wordpress", EXPORT)
    assert "could not write" in output
    assert "nothing was written" in output
    assert not (content_dir / "posts" / "hello-harbour.md").exists()


def test_an_export_that_is_not_xml_fails_with_its_line(runner, content_dir, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss><channel>\n<item><title>x</title>\n</rss>\n")
    output = refused(runner, content_dir, "wordpress", broken)
    assert "broken.xml:3: not a WXR (XML) file" in output


def test_a_second_import_skips_what_is_there_unless_overwrite(imported, runner, content_dir):
    path = content_dir / "posts" / "hello-harbour.md"
    path.write_text(path.read_text().replace("two lines", "2 lines"))
    again = run_import(runner, "wordpress", EXPORT)
    assert again.exit_code == 0, again.output
    assert "content/posts/hello-harbour.md exists (imported before?)" in again.output
    assert "2 lines" in path.read_text()
    assert not (content_dir / "posts" / "hello-harbour-2.md").exists()
    replaced = run_import(runner, "wordpress", EXPORT, "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert "two lines" in path.read_text()


def test_links_to_posts_imported_before_still_find_them(imported, runner, content_dir):
    (content_dir / "posts" / "hello-harbour.md").unlink()  # the author wants it again
    again = run_import(runner, "wordpress", EXPORT)
    assert again.exit_code == 0, again.output
    assert "content/posts/second-post.md exists (imported before?)" in again.output
    _, body = read_doc(content_dir, "posts/hello-harbour.md")
    assert "[second post](/posts/second-post/)" in body
    assert "not imported" not in again.output


@pytest.mark.slow
def test_the_imported_site_builds_without_the_drafts(imported, freeze):
    result = freeze()
    assert result.returncode == 0, result.stderr
    build = freeze.build_dir
    assert "Hello, harbour" in (build / "posts/hello-harbour/index.html").read_text()
    assert not (build / "posts/crew-only").exists()
    assert not (build / "posts/follow-up-unfinished").exists()
    everything = "".join(
        p.read_text() for p in build.rglob("*") if p.is_file() and p.suffix in (".html", ".xml")
    )
    assert "Private words for the crew" not in everything
    assert "secret draft text" not in everything
    # old permalinks, the one before the slug changed too, redirect to the new URL
    for old in ("2019/05/hello-harbour", "2019/05/hello-world"):
        redirect = (build / old / "index.html").read_text()
        assert '<a href="/posts/hello-harbour/">' in redirect
    assert not (build / "2019/08/crew-only").exists()  # a private post had no public URL


def test_classic_lists_and_tables_are_blocks_not_paragraph_lines(runner, content_dir, tmp_path):
    body = (
        "Intro line.\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\nHigh water:\n<table>\n"
        "<tr>\n<th>Port</th>\n<th>Time</th>\n</tr>\n<tr>\n<td>Ærø</td>\n<td>06:10</td>\n</tr>\n"
        "</table>\n<blockquote>Wait for\nthe tide.</blockquote>\nFirst line\nsecond line"
    )
    result = run_import(runner, "wordpress", one_post(tmp_path, body))
    assert result.exit_code == 0, result.output
    _, text = read_doc(content_dir, "posts/tide-table.md")
    assert "Intro line.\n\n- one\n- two\n\nHigh water:\n\n| Port | Time |" in text
    assert "| Ærø | 06:10 |" in text
    assert "> Wait for\\\n> the tide." in text  # a line break in a paragraph stays one
    assert text.endswith("First line\\\nsecond line\n")
    assert "<br" not in text
    assert "\\\n\n" not in text  # no hard break before a block


def test_code_shortcodes_keep_their_lines_without_breaks(runner, content_dir, tmp_path):
    body = (
        'Before:\n[sourcecode language="php"]\n<?php\necho "a_b" . $x;\n?>\n[/sourcecode]\n'
        "After.\n\n[code]\nls -la\n\necho done\n[/code]"
    )
    result = run_import(runner, "wordpress", one_post(tmp_path, body))
    assert result.exit_code == 0, result.output
    _, text = read_doc(content_dir, "posts/tide-table.md")
    assert 'Before:\n\n```php\n<?php\necho "a_b" . $x;\n?>\n```\n\nAfter.' in text
    assert "```\nls -la\n\necho done\n```" in text


def test_a_bare_address_keeps_its_underscores(runner, content_dir, tmp_path):
    from app.content.render import render_markdown

    body = "A video:\n\nhttps://www.youtube.com/watch?v=O_HyZ5aW76c\n\n"
    body += "Or (https://x.org/a_b*c*). snake_case"
    result = run_import(runner, "wordpress", one_post(tmp_path, body))
    assert result.exit_code == 0, result.output
    _, text = read_doc(content_dir, "posts/tide-table.md")
    assert "<https://www.youtube.com/watch?v=O_HyZ5aW76c>" in text
    assert "Or (<https://x.org/a_b*c*>). snake\\_case" in text
    assert 'href="https://www.youtube.com/watch?v=O_HyZ5aW76c"' in render_markdown(text).html


def test_a_caption_ending_in_a_line_break_is_still_in_italics(runner, content_dir, tmp_path):
    body = (
        '<!-- wp:embed {"url":"https://wordpress.tv/2009/03/16/anberrykuh/"} -->\n'
        '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">\n'
        "https://wordpress.tv/2009/03/16/anberrykuh/\n"
        "</div><figcaption>WordPress TV, full width<br></figcaption></figure>\n"
        "<!-- /wp:embed -->"
    )
    result = run_import(runner, "wordpress", one_post(tmp_path, body))
    assert result.exit_code == 0, result.output
    _, text = read_doc(content_dir, "posts/tide-table.md")
    assert text.endswith("\n*WordPress TV, full width*\n")


def test_term_and_author_names_are_unescaped(runner, content_dir, tmp_path):
    author = (
        "<wp:author><wp:author_login><![CDATA[sam]]></wp:author_login>"
        "<wp:author_display_name><![CDATA[Sam &amp; Kit]]></wp:author_display_name></wp:author>"
    )
    terms = (
        '<category domain="category" nicename="news-views"><![CDATA[News &amp; Views]]></category>'
        '<category domain="post_tag" nicename="q-a"><![CDATA[Q&amp;A]]></category>'
    )
    export = one_post(tmp_path, "High water at six.", extra=terms, authors=author)
    result = run_import(runner, "wordpress", export)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/tide-table.md")
    assert meta["tags"] == ["News & Views", "Q&A"]
    assert meta["author"] == "Sam & Kit"


def test_an_old_slug_is_no_redirect_on_a_site_with_plain_permalinks(runner, content_dir, tmp_path):
    old_slug = (
        "<wp:postmeta><wp:meta_key><![CDATA[_wp_old_slug]]></wp:meta_key>"
        "<wp:meta_value><![CDATA[old-first]]></wp:meta_value></wp:postmeta>"
    )
    export = one_post(
        tmp_path, "Low water.", link="https://tides.example.org/?p=10", extra=old_slug
    )
    result = run_import(runner, "wordpress", export)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/tide-table.md")
    assert "aliases" not in meta  # /?p=10 is only used for links between the posts
    assert "/old-first" not in result.output


def test_a_post_without_a_status_is_a_draft(runner, content_dir, tmp_path):
    result = run_import(runner, "wordpress", one_post(tmp_path, "Neap tide.", status=""))
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/tide-table.md")
    assert meta["draft"] is True
    assert "tides.xml:11: post 'Tide table' has no wp:status: imported as a draft" in result.output


FOOTNOTED = (
    "<!-- wp:paragraph -->\n<p>Spring tide"
    '<sup data-fn="aa48-9e" class="fn"><a href="#aa48-9e" id="aa48-9e-link">1</a></sup>'
    " and neap tide"
    '<sup data-fn="f51b-38" class="fn"><a href="#f51b-38" id="f51b-38-link">2</a></sup>.</p>\n'
    "<!-- /wp:paragraph -->\n\n<!-- wp:footnotes /-->\n\n"
    "<!-- wp:paragraph -->\n<p>After the notes.</p>\n<!-- /wp:paragraph -->"
)


def test_block_footnotes_become_markdown_footnotes(runner, content_dir, tmp_path):
    notes = (
        "<wp:postmeta><wp:meta_key><![CDATA[footnotes]]></wp:meta_key><wp:meta_value><![CDATA["
        '[{"id":"aa48-9e","content":"At <em>full</em> moon"},{"id":"f51b-38","content":"Less"}]'
        "]]></wp:meta_value></wp:postmeta>"
    )
    result = run_import(runner, "wordpress", one_post(tmp_path, FOOTNOTED, extra=notes))
    assert result.exit_code == 0, result.output
    _, text = read_doc(content_dir, "posts/tide-table.md")
    assert (
        "Spring tide[^1] and neap tide[^2].\n\n[^1]: At *full* moon\n\n[^2]: Less\n\nAfter" in text
    )
    assert "#aa48-9e" not in text
    assert "wp:postmeta footnotes (1x)" not in result.output  # mapped, not dropped


def test_footnotes_without_their_texts_are_reported(runner, content_dir, tmp_path):
    result = run_import(runner, "wordpress", one_post(tmp_path, FOOTNOTED))
    assert result.exit_code == 0, result.output
    assert "tides.xml:16: 'Tide table' has footnotes whose texts are not in the export" in (
        result.output
    )


def test_line_breaks_in_a_preformatted_block_are_newlines(runner, content_dir, tmp_path):
    body = (
        '<!-- wp:preformatted -->\n<pre class="wp-block-preformatted">High  06:10<br>'
        "Low   12:25<br><br>High  18:40</pre>\n<!-- /wp:preformatted -->"
    )
    result = run_import(runner, "wordpress", one_post(tmp_path, body))
    assert result.exit_code == 0, result.output
    _, text = read_doc(content_dir, "posts/tide-table.md")
    assert "```\nHigh  06:10\nLow   12:25\n\nHigh  18:40\n```" in text


def test_a_script_or_style_in_a_post_leaves_no_text(runner, content_dir, tmp_path):
    body = "Before.\n<script>alert('tide')</script>\n<style>p { color: red }</style>\nAfter."
    result = run_import(runner, "wordpress", one_post(tmp_path, body))
    assert result.exit_code == 0, result.output
    _, text = read_doc(content_dir, "posts/tide-table.md")
    assert "Before." in text
    assert "After." in text
    assert "alert" not in text
    assert "color" not in text


def test_a_footnote_text_is_not_taken_for_a_link(runner, content_dir, tmp_path):
    body = "<!-- wp:paragraph --><p>Ebb.</p><!-- /wp:paragraph -->"
    path = one_post(tmp_path, body)
    text = path.read_text().replace("Ebb.", "Ebb.\n\n[^1]: images/tide.png shows it.")
    path.write_text(text)
    result = run_import(runner, "wordpress", path)
    assert result.exit_code == 0, result.output
    _, markdown = read_doc(content_dir, "posts/tide-table.md")
    assert "images/tide.png shows it." in markdown
    assert "missing" not in result.output


def _dated(tmp_path, local, gmt, *, status="draft"):
    """One post whose dates are ``local`` (``wp:post_date``) and ``gmt``, and a published
    page of the same blog dated 2020-03-01 09:00 local, 08:00 GMT (an hour east of UTC)."""
    page = (
        "<item><title>About</title><content:encoded><![CDATA[Us.]]></content:encoded>"
        "<wp:post_id>11</wp:post_id>"
        "<wp:post_date><![CDATA[2020-03-01 09:00:00]]></wp:post_date>"
        "<wp:post_date_gmt><![CDATA[2020-03-01 08:00:00]]></wp:post_date_gmt>"
        "<wp:post_name><![CDATA[about]]></wp:post_name>"
        "<wp:status><![CDATA[publish]]></wp:status>"
        "<wp:post_type><![CDATA[page]]></wp:post_type></item>"
    )
    path = one_post(tmp_path, "Neap tide.", status=f"<wp:status><![CDATA[{status}]]></wp:status>")
    text = path.read_text("utf-8").replace(
        "<wp:post_date_gmt><![CDATA[2020-03-01 08:00:00]]></wp:post_date_gmt>",
        f"<wp:post_date><![CDATA[{local}]]></wp:post_date>"
        f"<wp:post_date_gmt><![CDATA[{gmt}]]></wp:post_date_gmt>",
    )
    path.write_text(text.replace("</channel>", page + "</channel>"), "utf-8")
    return path


def test_a_draft_without_a_gmt_date_is_read_in_the_blogs_own_offset(
    runner, app, content_dir, tmp_path
):
    """A draft's ``wp:post_date_gmt`` is zero: its ``wp:post_date`` is the blog's local
    time, whose offset the export's other posts show (WXR does not name the zone)."""
    app.config["SITE_TIMEZONE"] = "America/New_York"
    export = _dated(tmp_path, "2020-03-02 10:30:00", "0000-00-00 00:00:00")
    result = run_import(runner, "wordpress", export)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/tide-table.md")
    assert meta["draft"] is True
    assert str(meta["date"]) == "2020-03-02 04:30:00-05:00"  # 09:30 UTC


def test_without_any_gmt_date_a_local_date_is_read_in_site_timezone(
    runner, app, content_dir, tmp_path
):
    app.config["SITE_TIMEZONE"] = "Asia/Tokyo"
    export = _dated(tmp_path, "2020-03-02 10:30:00", "0000-00-00 00:00:00")
    text = export.read_text("utf-8").replace("2020-03-01 08:00:00", "0000-00-00 00:00:00")
    export.write_text(text, "utf-8")
    result = run_import(runner, "wordpress", export)
    assert result.exit_code == 0, result.output
    meta, _ = read_doc(content_dir, "posts/tide-table.md")
    assert str(meta["date"]) == "2020-03-02 10:30:00+09:00"

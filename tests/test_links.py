"""The link checker over small hand-made sites."""

import pytest

from app.build.links import check_links


def page(root, rel, body):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!doctype html><html><body>{body}</body></html>")


def test_finds_missing_pages_assets_and_anchors(tmp_path):
    page(tmp_path, "index.html", '<a href="/a/">a</a><a href="/b/">b</a><img src="/x.png">')
    page(
        tmp_path, "a/index.html", '<h2 id="here">h</h2><a href="#here">ok</a><a href="#nope">x</a>'
    )
    broken = {(b.page, b.url) for b in check_links(tmp_path, "https://example.org/")}
    assert broken == {("index.html", "/b/"), ("index.html", "/x.png"), ("a/index.html", "#nope")}


def test_relative_external_and_sub_path_links(tmp_path):
    page(
        tmp_path,
        "posts/x/index.html",
        '<a href="../../">home</a><a href="https://other.example/">ext</a>'
        '<a href="mailto:a@b.c">m</a><a href="https://example.org/blog/posts/x/">self</a>'
        '<a href="/elsewhere/">out</a>',
    )
    page(tmp_path, "index.html", "")
    broken = [b.url for b in check_links(tmp_path, "https://example.org/blog/")]
    assert broken == ["/elsewhere/"]


def test_the_reason_tells_a_folder_without_index_from_a_missing_file(tmp_path):
    page(tmp_path, "docs/guide.html", "")  # a folder 'docs/' with no index.html
    page(tmp_path, "not/index.html", "")  # a folder 'not/', which 'notindex.html' is not
    page(
        tmp_path,
        "index.html",
        '<a href="/docs/">docs</a><a href="/notindex.html">n</a><a href="/gone/">g</a>'
        '<a href="/not">no slash</a>',
    )
    reasons = {b.url: b.reason for b in check_links(tmp_path, "https://example.org/")}
    assert reasons == {
        "/docs/": "a folder without index.html",
        "/notindex.html": "no such file",
        "/gone/": "no such file",
        "/not": "a folder: end the link with '/'",
    }


def test_protocol_relative_links_to_the_site_are_checked(tmp_path):
    page(tmp_path, "a/index.html", "")
    page(
        tmp_path,
        "index.html",
        '<a href="//example.org/a/">a</a><a href="//example.org/nope/">nope</a>'
        '<a href="//other.example/nope/">other site</a>',
    )
    broken = [b.url for b in check_links(tmp_path, "https://example.org/")]
    assert broken == ["//example.org/nope/"]


def test_each_reference_resolves_as_from_its_own_page():
    from app.build.links import page_links

    html = (
        '<a href="#top">t</a><a href="../b/">b</a><a href="c/">c</a><a href="/blog/d/">d</a>'
        '<a href="https://example.org/blog/e/#f">e</a><a href="HTTPS://example.org/blog/g">g</a>'
        '<a href="mailto:x@y.z">m</a><img src="i.png"><a href=" /out/">o</a>'
    )
    found = {}
    for rel in ("posts/a/index.html", "tags/x/index.html", "posts/a/index.html"):
        links = page_links(rel, html, "https://example.org/blog/")
        assert links.broken == [(" /out/", "outside the site root /blog/")]
        found[rel] = [(target, fragment) for _raw, target, fragment in links.refs]
    same = [("d/index.html", ""), ("e/index.html", "f"), ("g", "")]
    assert found["posts/a/index.html"] == [
        ("posts/a/index.html", "top"),
        ("posts/b/index.html", ""),
        ("posts/a/c/index.html", ""),
        *same,
        ("posts/a/i.png", ""),
    ]
    assert found["tags/x/index.html"] == [
        ("tags/x/index.html", "top"),
        ("tags/b/index.html", ""),
        ("tags/x/c/index.html", ""),
        *same,
        ("tags/x/i.png", ""),
    ]


def test_reads_every_kind_of_reference_and_id_as_the_html_parser_does():
    from app.build.links import _references

    html = (
        '<A HREF="/a/">upper</A><img src="/i.png" srcset="/s1.png 1x, /s2.png 2x,">'
        '<video poster="/p.jpg" src="/v.mp4"></video><object data="/o.svg"></object>'
        '<a href="/x?a=1&amp;b=2">entity</a><a href="">empty</a><a href>bare</a>'
        '<a href="/first/" href="/second/">duplicate</a><a name="old-anchor"></a>'
        '<span name="not-an-anchor"></span><h2 id="h">h</h2><p id="">no id</p>'
        '<div id="d" data-href="/not/a/reference/"></div>'
        '<!-- <a href="/commented/"></a> --><script>var s = \'<a href="/scripted/">\';</script>'
        '<svg><a href="/svg/" id="in-svg"></a></svg><template><a href="/tpl/"></a></template>'
    )
    urls, ids = _references(html)
    # Not a comment's, a script's or an inert template's.
    expected = ["/a/", "/i.png", "/s1.png", "/s2.png", "/p.jpg", "/v.mp4", "/o.svg"]
    assert sorted(urls) == sorted([*expected, "/x?a=1&b=2", "/first/", "/svg/"])
    assert ids == {"old-anchor", "h", "d", "in-svg"}


REFERENCES = [
    "/",
    "/a/",
    "/a/b.png",
    "/blog/",
    "/blog/a/",
    "/blog/a.b/c",
    "/blog/.well-known/x",
    "/blog/a/./b/",
    "/blog/a/../b/",
    "/blog/a/..",
    "/blog/a/.",
    "/blog//a/",
    "//blog/a/",
    "/blog/a%20b/",
    "/blog/a?q=1",
    "/blog/a/#x",
    "/blog/a:b@c/",
    "/blog/(x)/",
    " /blog/a/",
    "/blog/a\tb/",
    "https://example.org/blog/a/",
    "https://example.org/blog",
    "https://example.org",
    "https://example.org//blog/a/",
    "https://example.org/out/",
    "HTTPS://example.org/blog/a/",
    "https://example.org:443/blog/a/",
    "https://example.org.evil/blog/",
    "http://example.org/blog/",
    "https://other.example/blog/",
    "mailto:a@b.c",
    "javascript:void(0)",
    "tel:+1",
]


def test_references_read_the_same_everywhere_resolve_as_urljoin_does():
    """The shortcut for plain site paths agrees with the general resolution on every kind."""
    from app.build.links import _outcome, _site_outcome

    for base in ("https://example.org/blog/", "https://example.org/", "http://localhost:8000/"):
        for raw in REFERENCES:
            assert _site_outcome(base, raw) == _outcome(base, "/", raw), (base, raw)


def test_a_fragment_of_the_page_itself_resolves_to_its_own_file():
    from app.build.links import _outcome, page_links, page_url

    base = "https://example.org/blog/"
    for rel in ("index.html", "a/index.html", "a/b.html", "404.html", "notindex.html"):
        for raw in ("#main", "#", "#a.b-c_d:e", "#a%20b", "#x y"):
            found = page_links(rel, f'<a href="{raw}">x</a>', base)
            expected = _outcome(base, page_url(rel, "/blog/"), raw)
            assert found.refs == [expected], (rel, raw)
            assert not found.broken
            assert found.refs[0][1] == rel


def test_a_broken_link_names_the_page_the_file_and_line_and_what_to_do(tmp_path):
    from app.build.blame import locate
    from app.build.links import BrokenLink

    text = "---\ntitle: Linker\n---\nFirst.\n\nSee [gone](/posts/gone/) and [x](#nope).\n"
    sources = {"posts/linker/index.html": ("content/posts/linker.md", text)}
    broken = [
        BrokenLink("posts/linker/index.html", "/blog/posts/gone/", "no such file"),
        BrokenLink("posts/linker/index.html", "#nope", "no element with id 'nope'"),
        BrokenLink("posts/linker/index.html", "/blog/static/x.css", "no such file"),
        BrokenLink("tags/index.html", "/blog/nowhere/", "no such file"),
    ]
    said = [str(b) for b in locate(broken, sources.get, "/blog/")]
    assert said[0] == (
        "posts/linker/index.html: broken link /blog/posts/gone/ (no such file); written at "
        "content/posts/linker.md:6: correct the link, or add what it points to"
    )
    assert "written at content/posts/linker.md:6: correct the link, or add that id" in said[1]
    assert "the page comes from content/posts/linker.md (or its template" in said[2]
    assert "not in the page's content file: look in site/templates/" in said[3]


@pytest.mark.slow
def test_a_build_names_the_content_file_and_line_of_a_broken_link(freeze):
    (freeze.content_dir / "posts" / "linker.md").write_text(
        "---\ntitle: Linker\ndate: 2026-01-01\n---\nIntro.\n\nSee [gone](/posts/nowhere/).\n"
    )
    (freeze.content_dir / "pages" / "colophon.md").write_text(
        "---\ntitle: Colophon\n---\n[x](../missing/)\n"
    )
    result = freeze()
    assert result.returncode == 1
    assert (
        "posts/linker/index.html: broken link /posts/nowhere/ (no such file); "
        "written at content/posts/linker.md:7: correct the link" in result.stderr
    )
    assert "colophon/index.html: broken link ../missing/ (no such file); " in result.stderr
    assert "written at content/pages/colophon.md:4" in result.stderr


def test_a_full_url_to_another_part_of_a_sub_path_sites_host_is_a_link_elsewhere():
    from app.build.links import page_links

    html = (
        '<a href="https://example.org/">home</a><a href="https://example.org/shop/">shop</a>'
        '<a href="//example.org/about/">about</a><a href="/shop/">rooted</a>'
        '<a href="../../../up/">up</a><a href="https://example.org/blog/x/">in</a>'
    )
    links = page_links("posts/a/index.html", html, "https://example.org/blog/")
    # a site-rooted or relative link that misses /blog/ is a mistake in the site ...
    assert links.broken == [
        ("/shop/", "outside the site root /blog/"),
        ("../../../up/", "outside the site root /blog/"),
    ]
    # ... a full URL to the host's other pages is a link out, as to another site
    assert [target for _raw, target, _fragment in links.refs] == ["x/index.html"]

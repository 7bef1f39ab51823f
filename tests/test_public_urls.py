"""Links inside rendered content: site-rooted paths follow the sub-path; feeds get absolute URLs."""

from types import SimpleNamespace

import pytest
from flask import Flask, request
from werkzeug.test import EnvironBuilder

from app.build.requests import environ_for, request_context
from app.public.listbody import in_list
from app.public.urls import absolute, site_relative

HTML = (
    '<p><a href="/posts/a/">a</a> <a href="../b/">b</a> <a href="#fn:1">note</a> '
    '<a href="https://other.example/x?a=1&amp;b=2">other</a> '
    '<a href="mailto:me@example.org">me</a> '
    '<a href="//cdn.example/lib.js">cdn</a> <img alt="" src="/media/p.png"></p>'
)


def test_site_rooted_links_get_the_sub_path_and_nothing_else_changes():
    out = site_relative(HTML, "/blog/")
    assert 'href="/blog/posts/a/"' in out
    assert 'src="/blog/media/p.png"' in out
    for unchanged in ('href="../b/"', 'href="#fn:1"', 'href="//cdn.example/lib.js"', "&amp;b=2"):
        assert unchanged in out


CODE = (
    '<p>Write <code>&lt;a href="/x"&gt;</code>, or:</p>\n<pre><code>&lt;img src="/media/a.png"&gt;'
    '</code></pre>\n<p><a title="a > b" href="/posts/a/">a</a></p>'
)


def test_links_written_as_text_in_code_are_left_as_they_are():
    out = site_relative(CODE, "/blog/")
    assert '<code>&lt;a href="/x"&gt;</code>' in out
    assert '&lt;img src="/media/a.png"&gt;' in out
    assert '<a title="a > b" href="/blog/posts/a/">' in out
    feed = absolute(CODE, "https://ex.org/blog/posts/c/", "https://ex.org/blog/")
    assert '<code>&lt;a href="/x"&gt;</code>' in feed
    assert 'href="https://ex.org/blog/posts/a/"' in feed


def test_at_the_domain_root_content_is_left_byte_for_byte():
    assert site_relative(HTML, "/") == HTML


def test_absolute_resolves_every_kind_of_link_for_feeds():
    out = absolute(HTML, "https://ex.org/blog/posts/c/", "https://ex.org/blog/")
    assert 'href="https://ex.org/blog/posts/a/"' in out
    assert 'href="https://ex.org/blog/posts/b/"' in out
    assert 'href="https://ex.org/blog/posts/c/#fn:1"' in out
    assert 'src="https://ex.org/blog/media/p.png"' in out
    assert 'href="https://other.example/x?a=1&amp;b=2"' in out
    assert 'href="mailto:me@example.org"' in out


NOTE = SimpleNamespace(kind="note", slug="2026-11-19-083000")


def test_on_a_list_page_a_bodys_ids_and_its_links_to_them_are_its_own(app):
    html = (
        '<h2 id="details">D</h2><p><a href="#details">up</a> <a href="#main">skip</a> '
        '<code>&lt;b id="details"&gt;</code></p>'
        '<table><tr><th id="h">H</th><td headers="h elsewhere">1</td></tr></table>'
    )
    with app.test_request_context():
        out = in_list(html, NOTE)
    assert '<h2 id="note-2026-11-19-083000-details">' in out
    assert 'href="#note-2026-11-19-083000-details"' in out
    assert 'href="#main"' in out  # not an id of the body: the page's own
    assert '<code>&lt;b id="details"&gt;</code>' in out  # text, not a tag
    assert '<td headers="note-2026-11-19-083000-h elsewhere">' in out


def test_on_a_list_page_a_bodys_relative_links_lead_where_they_do_on_its_own_page(app):
    with app.test_request_context():
        out = in_list(HTML, NOTE)
    assert out == HTML.replace('href="../b/"', 'href="/notes/2026/11/19/b/"')


@pytest.mark.parametrize("base_url", ["https://example.org/", "http://127.0.0.1:8000/blog/"])
@pytest.mark.parametrize(
    "url", ["/", "/posts/a-b/", "/posts/café/", "/posts/日本/", "/static/css/site.css", "/404.html"]
)
def test_a_page_is_requested_as_werkzeugs_test_client_would(base_url, url):
    """The build makes each page's environ from one per site; it must equal a fresh one."""
    expected = EnvironBuilder(path=url, base_url=base_url).get_environ()
    made = environ_for(base_url, url)
    assert made["wsgi.input"].read() == expected.pop("wsgi.input").read() == b""
    assert made is not environ_for(base_url, url)
    assert {k: v for k, v in made.items() if k != "wsgi.input"} == expected


#: Sites, and whether werkzeug leaves their root's URL as it is (an IDNA host it decodes, a
#: space in the sub-path it escapes).
BASE_URLS = [
    ("https://example.org/", True),
    ("http://127.0.0.1:8000/blog/", True),
    ("http://[::1]:8000/", True),
    ("https://example.org/caf%C3%A9/", True),
    ("https://example.org/a%2Fb/", True),
    ("https://xn--n3h.net/", False),
    ("https://example.org/my%20blog/", False),
]
#: As the build requests them: unquoted (a '%' is the character itself).
PATHS = [
    "/",
    "/posts/a-b/",
    "/posts/café/",
    "/posts/100%/",
    "/posts/a%2Fb/",
    "/tags/c++/",
    "/posts/a;b=c/",
    "/posts/a:b@c/",
    "/posts/it's~(1)!/",
    "//x//y/",
    "/search.json",
    "/posts/a b/",
]


@pytest.mark.parametrize(("base_url", "plain_root"), BASE_URLS)
def test_a_pages_base_url_is_werkzeugs_for_every_path(base_url, plain_root):
    """``request.base_url`` worked out once per site equals werkzeug's own, page by page."""
    app = Flask(__name__)
    app.config["FREEZER_BASE_URL"] = base_url
    shortcut = 0
    for path in PATHS:
        context = request_context(app, path)
        shortcut += "base_url" in context.request.__dict__
        fresh = app.request_class(environ_for(base_url, path))  # werkzeug's own base_url
        with context:
            assert request.base_url == fresh.base_url, path
    # Plain paths on a plain root take the shortcut; the rest are werkzeug's every time.
    plain = [p for p in PATHS if p.isascii() and "%" not in p and " " not in p]
    assert len(plain) == 8
    assert shortcut == (len(plain) if plain_root else 0)

"""``aliases:``: old site paths that redirect to a post or page, checked with file:line,
kept through sync and round trips, and written by the build as redirect pages."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.content import ContentError
from app.content.aliases import (
    Clash,
    alias_file,
    alias_url,
    check_aliases,
    clashes,
    own_url,
    url_file,
)
from app.content.document import parse_document, serialize_document
from app.content.sync import sync_content
from app.extensions import db
from app.models import Post
from tests.admin_helpers import post_form
from tests.test_html_validity import nu_check

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
        ("/a b/", "the character ' ': write a space as %20"),
        ("/a/%2e%2e/b/", "'..'"),
        ("/a/%2E%2E/", "'..'"),
        ("/%2e/", "'.'"),
        ("/a%2Fb/", "an escaped '/'"),
        ("/a%2f..%2fb/", "an escaped '/'"),
        ("/a%5Cb/", "the character '\\\\'"),
        ("/a%0Ab/", "the character '\\n'"),
        ("/a%09b/", "the character '\\t'"),
        ("/a%00b/", "the character '\\x00'"),
        ("/a%2/", "a '%' that is not an escape"),
        ("/100%/", "a '%' that is not an escape"),
        ("/a%zz/", "a '%' that is not an escape"),
        ("/a%FFb/", "not UTF-8"),
        ("/a%22b/", "the character '\"'"),
        ("/a%3Fb/", "a query"),
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


def test_an_escaped_space_is_kept_as_written_and_its_page_is_at_the_unquoted_path():
    """A static host serving ``/brand%20management/x.html`` reads ``brand management/x.html``."""
    alias = "/brand%20management/2015/01/02/title.html"
    assert check_aliases([alias]) == [alias]
    assert alias_file(alias) == "brand management/2015/01/02/title.html"
    assert alias_url(alias) == "/brand management/2015/01/02/title.html"
    assert alias_url("/brand%20management") == "/brand management/"
    assert alias_file("/old%2Ehtml") == "old.html"  # an escaped dot is a dot
    assert alias_url("/caf%C3%A9/") == "/café/"
    # Unquoted once, as a host does: '%25' is a '%' of the name, never read again.
    assert check_aliases(["/a%2541/"]) == ["/a%2541/"]
    assert alias_url("/a%2541/") == "/a%41/"
    assert url_file(alias_url("/a%2541/")) == "a%41/index.html"
    assert url_file("/brand management/x.html") == "brand management/x.html"
    claimed = [("/about/", "posts/a.md")]
    assert clashes([(alias_url("/ab%6Fut/"), "posts/a.md")], {"/about/": "it"}.get) == clashes(
        claimed, {"/about/": "it"}.get
    )


def test_one_rule_of_old_urls_names_both_sides():
    assert own_url("post", "x") == "/posts/x/"
    assert own_url("page", "about") == "/about/"
    assert own_url("note", "2026-12-03-181530-2") == "/notes/2026/12/03/181530-2/"
    assert own_url("note", "odd-name") == "/notes/odd-name/"
    pages = {"/about/": "the page of content/pages/about.md"}
    claimed = [("/old/", "posts/a.md"), ("/old/", "posts/b.md"), ("/about/", "posts/b.md")]
    found = clashes(claimed, pages.get)
    assert found == [
        Clash("posts/b.md", "/old/", "content/posts/a.md", as_alias=True),
        Clash("posts/b.md", "/about/", "the page of content/pages/about.md", as_alias=False),
    ]
    assert found[0].message() == (
        "content/posts/b.md: the alias /old/ is also an alias of content/posts/a.md "
        "(keep it in one file's 'aliases:')"
    )
    assert clashes([("/old/", "posts/a.md"), ("/new/", "posts/a.md")], pages.get) == []


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


def _add_aliases(path: Path, *aliases: str) -> None:
    """Give the content file at ``path`` these ``aliases:`` (after its first line)."""
    text = path.read_text(encoding="utf-8")
    lines = "".join(f"  - '{alias}'\n" for alias in aliases)
    path.write_text(text.replace("---\n", f"---\naliases:\n{lines}", 1), encoding="utf-8")


def test_the_build_writes_a_redirect_page_at_each_alias(freeze):
    posts = freeze.content_dir / "posts"
    _add_aliases(posts / "hello-world.md", "/2015/01/hello/", "/hello.html", "/old", "/hello.xml")
    about = freeze.content_dir / "pages" / "about.md"
    _add_aliases(about, "/about-me/")
    # Old links in migrated posts reach the redirect pages, fragments and all.
    about.write_text(about.read_text() + "\n[Old](/2015/01/hello/#comments), [x](/hello.html#a)\n")
    _add_aliases(posts / "unfinished-thoughts.md", "/draft-old/")  # a draft: no redirect
    notes = freeze.content_dir / "notes"
    notes.mkdir(exist_ok=True)
    (notes / "2026-09-02-081500.md").write_text(
        "---\ndate: 2026-09-02 08:15\naliases: [/status/1234/]\n---\n\nCoffee first.\n"
    )
    result = freeze()
    assert result.returncode == 0, result.stderr
    build = freeze.build_dir
    page = (build / "2015" / "01" / "hello" / "index.html").read_text()
    target = "/posts/hello-world/"
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
    assert f'<link rel="canonical" href="https://example.org{target}">' in page
    assert f'<a href="{target}">Hello, world</a>' in page
    assert '<meta name="robots" content="noindex">' in page
    assert "<script" not in page
    assert target in (build / "hello.html").read_text()
    assert target in (build / "old" / "index.html").read_text()
    assert not (build / "hello.xml").exists()  # not HTML: the hosts' redirects only
    assert "/about/" in (build / "about-me" / "index.html").read_text()
    assert not (build / "draft-old").exists()
    note = (build / "status" / "1234" / "index.html").read_text()
    assert '<a href="/notes/2026/09/02/081500/">' in note
    netlify = (build / "_redirects").read_text().splitlines()
    assert netlify[1:] == [
        "/2015/01/hello/ /posts/hello-world/ 301",
        "/about-me/ /about/ 301",
        "/hello.html /posts/hello-world/ 301",
        "/hello.xml /posts/hello-world/ 301",
        "/old/ /posts/hello-world/ 301",
        "/status/1234/ /notes/2026/09/02/081500/ 301",
    ]
    nginx = (build / "redirects.nginx.conf").read_text()
    assert "map $uri $microblog_redirect {" in nginx
    assert '    "/2015/01/hello/" "/posts/hello-world/";\n' in nginx
    assert '    "/2015/01/hello" "/posts/hello-world/";\n' in nginx
    assert '    "/hello.html" "/posts/hello-world/";\n' in nginx
    assert "draft-old" not in nginx
    for name in ("sitemap.xml", "feed.xml", "search.json"):
        assert "2015/01/hello" not in (build / name).read_text(), name
    assert nu_check(build / "2015" / "01" / "hello" / "index.html", build / "hello.html") == []


def test_an_alias_with_escapes_gets_its_page_at_the_unquoted_path(freeze):
    """Redirect pages are files at the path a host reads (escapes read); ``_redirects`` has
    the escaped path (its fields are split on spaces, and Cloudflare matches the request's
    escaped path); nginx's ``$uri`` is unquoted. Links to the old URL pass the link check."""
    posts = freeze.content_dir / "posts"
    spaced = "/brand%20management/2015/01/02/hello.html"
    _add_aliases(posts / "hello-world.md", spaced, "/caf%C3%A9%20bar/", "/100%25/")
    about = freeze.content_dir / "pages" / "about.md"
    about.write_text(about.read_text() + f"\n[Old]({spaced}), [cent](/100%25/)\n")
    result = freeze()
    assert result.returncode == 0, result.stderr
    build = freeze.build_dir
    page = (build / "brand management" / "2015" / "01" / "02" / "hello.html").read_text()
    assert '<a href="/posts/hello-world/">Hello, world</a>' in page
    assert (build / "café bar" / "index.html").exists()
    assert (build / "100%" / "index.html").exists()
    assert not list(build.glob("brand%20*"))
    netlify = (build / "_redirects").read_text().splitlines()
    assert "/brand%20management/2015/01/02/hello.html /posts/hello-world/ 301" in netlify
    assert "/caf%C3%A9%20bar/ /posts/hello-world/ 301" in netlify
    assert "/100%25/ /posts/hello-world/ 301" in netlify
    nginx = (build / "redirects.nginx.conf").read_text()
    assert '    "/brand management/2015/01/02/hello.html" "/posts/hello-world/";\n' in nginx
    assert '    "/café bar/" "/posts/hello-world/";\n' in nginx
    assert '    "/100%/" "/posts/hello-world/";\n' in nginx


def test_an_escaped_alias_through_the_api_is_kept_and_checked_unquoted(api):
    spaced = api.post("/posts", json={"title": "A", "aliases": ["/brand%20management/a/"]})
    assert spaced.status_code == 201, spaced.text
    assert spaced.json()["aliases"] == ["/brand%20management/a/"]
    about = api.post("/posts", json={"title": "B", "aliases": ["/ab%6Fut/"]})
    assert about.status_code == 409, about.text
    assert "is the URL of the page of content/pages/about.md" in about.text
    raw = api.post("/posts", json={"title": "C", "aliases": ["/brand management/c/"]})
    assert raw.status_code == 422, raw.text


def test_an_alias_that_is_a_page_or_another_file_s_alias_is_a_build_error(freeze):
    posts = freeze.content_dir / "posts"
    _add_aliases(posts / "hello-world.md", "/about/", "/shared/")
    _add_aliases(posts / "publishing.md", "/shared/", "/tags/")
    result = freeze()
    assert result.returncode != 0
    err = result.stderr
    assert (
        "content/posts/hello-world.md: the alias /about/ is the URL of the page of "
        "content/pages/about.md" in err
    )
    assert (
        "content/posts/publishing.md: the alias /shared/ is also an alias of "
        "content/posts/hello-world.md" in err
    )
    assert "content/posts/publishing.md: the alias /tags/ is the URL of the site's own page" in err
    assert not freeze.build_dir.exists()


def test_an_alias_whose_redirect_stands_where_the_site_writes_a_file_is_a_build_error(freeze):
    """'/_redirects' is the folder '_redirects/' (its redirect page's index.html), and
    '/robots.txt/x/' needs robots.txt to be a folder: each would wipe out the site's file."""
    posts = freeze.content_dir / "posts"
    _add_aliases(posts / "hello-world.md", "/_redirects", "/robots.txt/x/")
    _add_aliases(posts / "publishing.md", "/tags/", "/posts/")
    result = freeze()
    assert result.returncode != 0
    err = " ".join(result.stderr.split())
    assert (
        "content/posts/hello-world.md: the alias /_redirects/ would put its redirect page at "
        "_redirects/index.html, where the site's own page _redirects needs the path"
    ) in err
    assert "the alias /robots.txt/x/ would put its redirect page at robots.txt/x/index.html" in err
    assert "content/posts/publishing.md: the alias /tags/ is the URL of the site's own page" in err
    assert "3 alias(es) cannot redirect" in err  # '/posts/' is free: the site has no page there
    assert not freeze.build_dir.exists()


def _row(slug: str) -> Post | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Post).where(Post.slug == slug))


def _editor_hash(client, post_id: int) -> str:
    html = client.get(f"/admin/posts/{post_id}/edit").get_data(as_text=True)
    marker = 'id="source_hash" name="source_hash" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _rename_hello_world(author_client):
    """The admin's save of the sample post 'hello-world' under the slug 'hello-again': the
    answer, and the form sent."""
    post = _row("hello-world")
    assert post is not None
    form = post_form(
        title="Hello, world",
        slug="hello-again",
        date="2026-09-01T00:00",
        source_hash=_editor_hash(author_client, post.id),
    )
    return author_client.post(f"/admin/posts/{post.id}/edit", data=form), form


def test_renaming_a_published_post_in_the_admin_keeps_its_old_url(
    synced, author_client, content_dir: Path
):
    response, form = _rename_hello_world(author_client)
    assert response.status_code == 302, response.text
    renamed = _row("hello-again")
    assert renamed is not None
    assert renamed.aliases == ["/posts/hello-world/"]
    text = (content_dir / "posts" / "hello-again.md").read_text()
    assert "aliases: [/posts/hello-world/]" in text
    # Renamed back: the old URL is the post's own again, and the second name redirects.
    form.update(slug="hello-world", source_hash=_editor_hash(author_client, renamed.id))
    response = author_client.post(f"/admin/posts/{renamed.id}/edit", data=form)
    assert response.status_code == 302, response.text
    back = _row("hello-world")
    assert back is not None
    assert back.aliases == ["/posts/hello-again/"]


def test_renaming_a_draft_adds_no_alias(synced, author_client):
    post = _row("unfinished-thoughts")
    assert post is not None
    form = post_form(
        title="Unfinished thoughts",
        slug="half-thoughts",
        status="draft",
        source_hash=_editor_hash(author_client, post.id),
    )
    response = author_client.post(f"/admin/posts/{post.id}/edit", data=form)
    assert response.status_code == 302, response.text
    renamed = _row("half-thoughts")
    assert renamed is not None
    assert renamed.aliases == []


def test_the_api_renames_with_patch_and_keeps_the_old_url(api):
    before = api.get("/posts/publishing")
    assert before.json()["aliases"] == []
    renamed = api.patch(
        "/posts/publishing",
        json={"slug": "how-to-publish"},
        headers={"If-Match": before.headers["ETag"]},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["aliases"] == ["/posts/publishing/"]
    assert api.get("/posts/publishing").status_code == 404
    put = api.put(
        "/posts/how-to-publish",
        json={"title": "How to publish"},
        headers={"If-Match": renamed.headers["ETag"]},
    )
    assert put.status_code == 200, put.text
    assert put.json()["aliases"] == ["/posts/publishing/"]  # left out: kept
    bad = api.patch("/posts/how-to-publish", json={"aliases": ["https://old.example/x/"]})
    assert bad.status_code == 422, bad.text
    assert bad.json()["errors"][0]["field"] == "aliases.0"
    assert "a site path such as" in bad.text
    draft = api.post("/posts", json={"title": "A draft to rename", "draft": True})
    assert draft.status_code == 201, draft.text
    moved = api.patch("/posts/a-draft-to-rename", json={"slug": "renamed-draft"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["aliases"] == []


def test_a_new_post_at_a_renamed_post_s_old_url_is_409_and_the_build_still_works(
    api, freeze, content_dir: Path
):
    created = api.post("/posts", json={"title": "Rename me", "date": "2026-11-01T10:00:00Z"})
    assert created.status_code == 201, created.text
    renamed = api.patch("/posts/rename-me", json={"slug": "renamed-one"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["aliases"] == ["/posts/rename-me/"]
    again = api.post("/posts", json={"title": "Rename me"})
    assert again.status_code == 409, again.text
    problem = again.json()
    assert problem["errors"][0]["field"] == "slug"
    assert "the URL /posts/rename-me/ is an old URL of content/posts/renamed-one.md" in again.text
    assert (
        "first remove /posts/rename-me/ from the aliases of content/posts/renamed-one.md"
        in (problem["errors"][0]["detail"])
    )
    assert not (content_dir / "posts" / "rename-me.md").exists()
    assert _row("rename-me") is None
    # Another slug is fine; renaming the post back to its old slug is too (its own old URL).
    assert api.post("/posts", json={"title": "Rename me", "slug": "rename-me-2"}).ok
    back = api.patch("/posts/renamed-one", json={"slug": "rename-me"})
    assert back.status_code == 200, back.text
    assert back.json()["aliases"] == ["/posts/renamed-one/"]
    result = freeze()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("alias", "words"),
    [
        ("/posts/hello-world/", "is the URL of the page of content/posts/hello-world.md"),
        ("/about/", "is the URL of the page of content/pages/about.md"),
        ("/about", "is the URL of the page of content/pages/about.md"),
        ("/tags/", "is the URL of the site's own page /tags/"),
        ("/feed.xml", "is the URL of the site's own page /feed.xml"),
        ("/tags/python/", "is the URL of the site's own page /tags/python/"),
        ("/posts/unfinished-thoughts/", "content/posts/unfinished-thoughts.md"),  # a draft
        ("/posts/a/", "the page of content/posts/a.md itself"),
    ],
)
def test_an_alias_that_is_another_post_s_url_or_a_site_page_is_409(api, freeze, alias, words):
    response = api.post("/posts", json={"title": "A", "aliases": [alias]})
    assert response.status_code == 409, response.text
    error = response.json()["errors"][0]
    assert error["field"] == "aliases"
    assert words in error["detail"]
    assert f"remove {alias} from this post's aliases" in error["detail"]
    assert _row("a") is None
    result = freeze()
    assert result.returncode == 0, result.stderr


def test_an_alias_another_post_has_is_409_by_post_and_patch(api):
    first = api.post("/posts", json={"title": "First", "aliases": ["/old/first/"]})
    assert first.status_code == 201, first.text
    second = api.post("/posts", json={"title": "Second", "aliases": ["/old/first"]})
    assert second.status_code == 409, second.text
    assert "the alias /old/first/ is also an alias of content/posts/first.md" in second.text
    patched = api.patch("/posts/hello-world", json={"aliases": ["/old/x/", "/old/first/"]})
    assert patched.status_code == 409, patched.text
    assert "content/posts/first.md" in patched.text
    assert api.get("/posts/hello-world").json()["aliases"] == []
    # The post that holds an alias may still be edited, and keeps it.
    edited = api.patch("/posts/first", json={"title": "First, edited"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["aliases"] == ["/old/first/"]


def test_the_admin_refuses_a_slug_kept_as_another_post_s_old_url_at_the_field(
    synced, author_client, content_dir: Path
):
    assert _rename_hello_world(author_client)[0].status_code == 302
    typed = post_form(title="Hello world", slug="hello-world", body="My *new* words.\r\n")
    response = author_client.post("/admin/posts/new", data=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html[html.index('id="slug-error"') :].split("</p>", 1)[0]
    assert "the URL /posts/hello-world/ is an old URL of content/posts/hello-again.md" in error
    assert "first remove /posts/hello-world/ from the aliases" in error
    assert 'value="hello-world"' in html
    assert "My *new* words." in html
    assert not (content_dir / "posts" / "hello-world.md").exists()

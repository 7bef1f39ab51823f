"""Public pages through the app, as the freezer and the preview see them."""

from datetime import datetime, timedelta

import feedparser
import sqlalchemy as sa

from app.extensions import db
from app.models import Post


def test_index_paginates_newest_first(synced, client):
    first = client.get("/").get_data(as_text=True)
    assert first.index("Publishing the site") < first.index("Shell snippets")
    assert 'href="/page/2/"' in first
    second = client.get("/page/2/")
    assert second.status_code == 200
    assert "Hello, world" in second.get_data(as_text=True)
    assert client.get("/page/3/").status_code == 404


def test_page_one_redirects_to_the_index(synced, client):
    response = client.get("/page/1/")
    assert response.status_code in (301, 308)
    assert response.location.endswith("/")


def test_post_page_has_meta_tags_and_neighbours(synced, client):
    html = client.get("/posts/python-code/").get_data(as_text=True)
    assert '<meta name="description" content="Fenced code blocks' in html
    assert 'href="/posts/footnotes-and-tables/"' in html  # newer
    assert 'href="/posts/writing-posts/"' in html  # older
    assert "min read" in html


def test_drafts_and_future_posts_are_hidden(synced, client):
    assert client.get("/posts/unfinished-thoughts/").status_code == 404
    assert client.get("/posts/letter-to-the-future/").status_code == 404
    assert "Unfinished" not in client.get("/tags/essay/").get_data(as_text=True)


def test_scheduled_post_appears_once_its_date_passes(synced, client):
    post = db.session.scalar(sa.select(Post).where(Post.slug == "letter-to-the-future"))
    post.published_at = datetime.now() - timedelta(minutes=1)
    db.session.commit()
    assert client.get("/posts/letter-to-the-future/").status_code == 200


def test_tag_pages(synced, client):
    html = client.get("/tags/").get_data(as_text=True)
    assert 'href="/tags/python/"' in html
    tag = client.get("/tags/python/").get_data(as_text=True)
    assert "Highlighted Python" in tag
    assert client.get("/tags/no-such-tag/").status_code == 404


def test_static_page_and_404(synced, client):
    assert "This is a sample microblog" in client.get("/about/").get_data(as_text=True)
    missing = client.get("/nope/")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    assert client.get("/404.html").status_code == 200


def test_atom_feed(synced, client):
    response = client.get("/feed.xml")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert titles[0] == "Publishing the site"
    assert "Unfinished thoughts" not in titles
    entry = feed.entries[0]
    assert entry.link == "http://localhost/posts/publishing/"
    assert "<p>" in entry.content[0].value


def test_highlight_css_has_light_and_dark(client):
    css = client.get("/css/highlight.css").get_data(as_text=True)
    assert ".highlight" in css
    assert "prefers-color-scheme: dark" in css

"""The search index and the page that searches it in the browser."""

from __future__ import annotations


def test_search_index_has_every_published_post_and_page(synced, client):
    response = client.get("/search.json")
    assert response.mimetype == "application/json"
    items = response.get_json()["items"]
    by_title = {item["title"]: item for item in items}
    assert len([i for i in items if i["url"].startswith("/posts/")]) == 7
    python = by_title["Highlighted Python"]
    assert python["url"] == "/posts/python-code/"
    assert python["date"] == "2026-09-08"
    assert python["tags"] == ["code", "python"]
    assert python["summary"].startswith("Fenced code blocks")
    assert "dataclass" in python["text"]
    assert "<" not in python["text"]
    assert by_title["About"]["url"] == "/about/"
    assert "Unfinished thoughts" not in by_title
    assert "A letter to the future" not in by_title


def test_search_index_trims_long_bodies(synced, client, content_dir):
    words = " ".join(f"word{n}" for n in range(3000))
    (content_dir / "posts" / "long.md").write_text(
        f"---\ntitle: Long\ndate: 2026-01-01\n---\n{words}\n"
    )
    assert synced.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    items = client.get("/search.json").get_json()["items"]
    (long,) = (i for i in items if i["title"] == "Long")
    assert 1000 < len(long["text"]) <= 3002
    assert long["text"].endswith(" …")


def test_search_page_needs_javascript_and_says_so(synced, client):
    html = client.get("/search/").get_data(as_text=True)
    assert "Search needs JavaScript" in html
    assert 'href="/archive/"' in html
    assert 'data-index="/search.json"' in html
    assert 'src="/static/js/search.js"' in html
    assert "https://" not in html.split("<body>")[1]  # no third-party service or CDN

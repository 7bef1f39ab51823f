"""Two writers on one post, and a bounded mixed load: no lost edit, no 5xx."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post
from tests.admin_helpers import post_form
from tests.conftest import ApiClient

pytestmark = pytest.mark.slow


def row(slug: str) -> Post:
    db.session.expire_all()
    return db.session.scalar(sa.select(Post).where(Post.slug == slug))


def test_admin_then_api_on_one_post_conflicts_instead_of_losing_an_edit(
    api, author_client, content_dir
):
    post = row("hello-world")
    loaded_hash = post.source_hash  # the admin's editor is open on this version

    etag = api.get("/posts/hello-world").headers["ETag"]
    changed = api.patch(
        "/posts/hello-world", json={"body": "Edited through the API.\n"}, headers={"If-Match": etag}
    )
    assert changed.status_code == 200

    form = post_form(
        title="Hello, world",
        slug="hello-world",
        date="2026-09-01T00:00",
        tags="meta",
        body="Edited in the admin.\n",
        source_hash=loaded_hash,
    )
    response = author_client.post(f"/admin/posts/{post.id}/edit", data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Edited through the API." in page  # both versions are shown
    assert "Edited in the admin." in page
    text = (content_dir / "posts" / "hello-world.md").read_text()
    assert "Edited through the API." in text
    assert "Edited in the admin." not in text


def test_api_with_a_stale_etag_after_an_admin_save_gets_412(api, author_client, content_dir):
    etag = api.get("/posts/python-code").headers["ETag"]
    post = row("python-code")
    form = post_form(
        title="Highlighted Python",
        slug="python-code",
        date="2026-09-08T00:00",
        tags="python, code",
        body="Admin wins this one.\n",
        source_hash=post.source_hash,
    )
    assert author_client.post(f"/admin/posts/{post.id}/edit", data=form).status_code == 302
    stale = api.patch(
        "/posts/python-code", json={"body": "API would overwrite.\n"}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert "Admin wins this one." in (content_dir / "posts" / "python-code.md").read_text()


def test_bounded_mixed_load_has_no_5xx_and_loses_no_write(api, live_server, content_dir):
    clients, seconds = 20, float(os.environ.get("LOAD_SECONDS", "5"))
    statuses: Counter[int] = Counter()
    last_written: dict[str, str] = {}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(n: int) -> None:
        slug = f"load-{n}"
        with ApiClient(live_server, api.token) as http:
            created = http.post(
                "/posts",
                json={
                    "title": f"Load {n}",
                    "slug": slug,
                    "body": "v0\n",
                    "date": "2026-01-01T00:00:00Z",
                },
            )
            with lock:
                statuses[created.status_code] += 1
            if created.status_code != 201:
                errors.append(f"create {slug}: {created.status_code} {created.text[:200]}")
                return
            etag, version = created.headers["ETag"], 0
            while time.monotonic() < deadline and version < 200:
                reads = [http.get("/posts?per_page=5"), http.get("/posts/hello-world")]
                version += 1
                body = f"v{version}\n"
                write = http.patch(
                    f"/posts/{slug}", json={"body": body}, headers={"If-Match": etag}
                )
                with lock:
                    for r in (*reads, write):
                        statuses[r.status_code] += 1
                if write.status_code != 200:
                    errors.append(f"patch {slug}: {write.status_code} {write.text[:200]}")
                    return
                etag = write.headers["ETag"]
                with lock:
                    last_written[slug] = body

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)

    total = sum(statuses.values())
    print(f"\nload: {clients} clients, {seconds:.0f}s, {total} requests, statuses {dict(statuses)}")
    assert errors == []
    assert not [s for s in statuses if s >= 500]
    assert len(last_written) == clients
    for slug, body in last_written.items():  # every acknowledged write is on disk and in the DB
        assert (content_dir / "posts" / f"{slug}.md").read_text().endswith(body), slug
        assert row(slug).body == body, slug

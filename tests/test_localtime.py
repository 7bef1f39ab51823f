"""The site's time zone and language: files, admin, pages, archive months and feeds (#30)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.build import build_site
from app.content.document import parse_document, serialize_document
from app.dates import LanguageError
from app.extensions import db
from app.localtime import TimeZoneError
from app.models import Post
from config import TestingConfig
from tests.admin_helpers import post_form

LA = "America/Los_Angeles"
LA_ZONE = ZoneInfo(LA)

#: Written at 23:30 on 3 December in Los Angeles: 07:30 on the 4th in UTC.
LATE_NIGHT = """---
title: Late night
date: 2025-12-03T23:30:00-08:00
tags: [night]
---

Written late in Los Angeles.
"""
#: No offset: the site's local time, 23:30 on 30 November (UTC: 1 December).
MONTH_END = """---
title: Month end
date: 2025-11-30 23:30
---

The last evening of November.
"""


def public_app(tmp_path: Path, content_dir: Path, site_dir: Path, **settings: str) -> Flask:
    return create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.db'}",
            "CONTENT_DIR": content_dir,
            "SITE_DIR": site_dir,
            "BUILD_DIR": tmp_path / "build",
            "SITE_URL": "https://example.org/",
            **settings,
        },
        authoring=False,
    )


def shows_time(html: str, iso: str, text: str) -> bool:
    """Whether ``html`` has a ``<time datetime=iso>text</time>`` (whatever its classes)."""
    pattern = rf'<time[^>]* datetime="{re.escape(iso)}"[^>]*>{re.escape(text)}</time>'
    return re.search(pattern, html) is not None


def _search_date(build_dir: Path, title: str) -> str:
    documents = json.loads((build_dir / "search.json").read_text())["items"]
    return str(next(doc["date"] for doc in documents if doc["title"] == title))


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def la_build(tmp_path: Path, content_dir: Path, site_dir: Path) -> Path:
    """The sample site and two late-evening posts, built in Los Angeles time."""
    (content_dir / "posts" / "late-night.md").write_text(LATE_NIGHT)
    (content_dir / "posts" / "month-end.md").write_text(MONTH_END)
    app = public_app(tmp_path, content_dir, site_dir, SITE_TIMEZONE=LA)
    build_site(app, incremental=False)
    return tmp_path / "build"


def test_a_post_at_2330_in_los_angeles_shows_that_date_on_its_page(la_build):
    page = (la_build / "posts" / "late-night" / "index.html").read_text()
    assert shows_time(page, "2025-12-03T23:30:00-08:00", "December 3, 2025")
    assert 'content="2025-12-03T23:30:00-08:00"' in page  # article:published_time
    assert "December 4" not in page
    assert "2025-12-04" not in page


def test_a_post_at_2330_in_los_angeles_is_in_its_local_archive_month(la_build):
    december = (la_build / "archive" / "2025" / "12" / "index.html").read_text()
    assert "Late night" in december
    assert "Month end" not in december
    assert shows_time(december, "2025-12-03T23:30:00-08:00", "Dec 3")
    november = (la_build / "archive" / "2025" / "11" / "index.html").read_text()
    assert "Month end" in november
    assert "Nov 30" in november
    whole = (la_build / "archive" / "index.html").read_text()
    december_link, november_link = (f'href="/archive/2025/{m}/"' for m in ("12", "11"))
    assert whole.index(december_link) < whole.index("Late night") < whole.index(november_link)
    assert whole.index(november_link) < whole.index("Month end")


def test_feeds_give_the_local_time_with_its_offset(la_build):
    atom = (la_build / "feed.xml").read_text()
    assert "2025-12-03T23:30:00-08:00" in atom
    assert "2025-12-04" not in atom
    items = json.loads((la_build / "feed.json").read_text())["items"]
    late = next(item for item in items if item.get("title") == "Late night")
    assert late["date_published"] == "2025-12-03T23:30:00-08:00"


def test_in_utc_the_same_post_is_dated_the_next_day(tmp_path, content_dir, site_dir):
    """The control: the time zone, not the file, moves the date."""
    (content_dir / "posts" / "late-night.md").write_text(LATE_NIGHT)
    build_site(public_app(tmp_path, content_dir, site_dir), incremental=False)
    page = (tmp_path / "build" / "posts" / "late-night" / "index.html").read_text()
    assert shows_time(page, "2025-12-04T07:30:00+00:00", "December 4, 2025")


def test_a_date_without_offset_is_the_sites_local_time_and_files_keep_the_offset():
    doc = parse_document(MONTH_END, "content/posts/month-end.md", zone=LA_ZONE)
    assert doc.date == datetime(2025, 12, 1, 7, 30)  # the database keeps UTC
    assert "\ndate: 2025-11-30T23:30:00-08:00\n" in serialize_document(doc, zone=LA_ZONE)
    in_utc = parse_document(MONTH_END, "content/posts/month-end.md")
    assert in_utc.date == datetime(2025, 11, 30, 23, 30)


@pytest.mark.parametrize(
    ("written", "utc", "offset"),
    [
        # 8 March 2026: clocks go from 02:00 PST to 03:00 PDT.
        ("2026-03-08 01:30", datetime(2026, 3, 8, 9, 30), "2026-03-08T01:30:00-08:00"),
        ("2026-03-08 03:30", datetime(2026, 3, 8, 10, 30), "2026-03-08T03:30:00-07:00"),
        # 1 November 2026: 01:00-02:00 comes twice; the offset tells which.
        ("2026-11-01T01:30:00-07:00", datetime(2026, 11, 1, 8, 30), "2026-11-01T01:30:00-07:00"),
        ("2026-11-01T01:30:00-08:00", datetime(2026, 11, 1, 9, 30), "2026-11-01T01:30:00-08:00"),
    ],
)
def test_dates_around_a_dst_change_keep_their_moment(written, utc, offset):
    text = f"---\ntitle: Switch\ndate: {written}\n---\nx\n"
    doc = parse_document(text, "content/posts/switch.md", zone=LA_ZONE)
    assert doc.date == utc
    again = serialize_document(doc, zone=LA_ZONE)
    assert f"\ndate: {offset}\n" in again
    assert parse_document(again, "content/posts/switch.md", zone=LA_ZONE).date == utc


def test_pages_around_a_dst_change_show_the_local_offset(tmp_path, content_dir, site_dir):
    for slug, date in (("before", "2026-03-08 01:30"), ("after", "2026-03-08 03:30")):
        (content_dir / "posts" / f"{slug}.md").write_text(
            f"---\ntitle: {slug}\ndate: {date}\n---\nx\n"
        )
    build_site(public_app(tmp_path, content_dir, site_dir, SITE_TIMEZONE=LA), incremental=False)
    before = (tmp_path / "build" / "posts" / "before" / "index.html").read_text()
    after = (tmp_path / "build" / "posts" / "after" / "index.html").read_text()
    assert shows_time(before, "2026-03-08T01:30:00-08:00", "March 8, 2026")
    assert shows_time(after, "2026-03-08T03:30:00-07:00", "March 8, 2026")


# -- the admin ---------------------------------------------------------------------------


def _row(slug: str) -> Post:
    db.session.expire_all()
    post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
    assert post is not None
    return post


def test_the_admin_takes_and_shows_local_time_exactly(app, author_client, content_dir):
    app.config["SITE_TIMEZONE"] = LA
    response = author_client.post(
        "/admin/posts/new", data=post_form(title="Evening", date="2025-12-03T23:30")
    )
    assert response.status_code == 302, response.text
    path = content_dir / "posts" / "evening.md"
    assert "\ndate: 2025-12-03T23:30:00-08:00\n" in path.read_text()
    post = _row("evening")
    assert post.published_at == datetime(2025, 12, 4, 7, 30)

    editor = author_client.get(f"/admin/posts/{post.id}/edit").text
    assert 'value="2025-12-03T23:30:00"' in editor
    dashboard = author_client.get("/admin/").text
    assert "Date (America/Los_Angeles)" in dashboard
    assert '<time datetime="2025-12-03T23:30:00-08:00">2025-12-03 23:30</time>' in dashboard
    assert "Date (America/Los_Angeles)" in editor

    before = path.read_bytes()
    response = author_client.post(
        f"/admin/posts/{post.id}/edit",
        data=post_form(title="Evening", date="2025-12-03T23:30:00", source_hash=post.source_hash),
    )
    assert response.status_code == 302, response.text
    assert path.read_bytes() == before
    assert _row("evening").published_at == datetime(2025, 12, 4, 7, 30)


def test_the_admin_keeps_the_second_of_two_equal_local_times(app, author_client, content_dir):
    """At the end of DST 01:30 comes twice: an edit that leaves the field keeps which one."""
    app.config["SITE_TIMEZONE"] = LA
    path = content_dir / "posts" / "twice.md"
    path.write_text("---\ntitle: Twice\ndate: 2026-11-01T01:30:00-08:00\n---\n\nBody.\n")
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    post = _row("twice")
    editor = author_client.get(f"/admin/posts/{post.id}/edit").text
    assert 'value="2026-11-01T01:30:00"' in editor
    response = author_client.post(
        f"/admin/posts/{post.id}/edit",
        data=post_form(
            title="Twice, edited",
            slug="twice",
            date="2026-11-01T01:30:00",
            source_hash=post.source_hash,
            tags="",
        ),
    )
    assert response.status_code == 302, response.text
    assert "\ndate: 2026-11-01T01:30:00-08:00\n" in path.read_text()
    assert _row("twice").published_at == datetime(2026, 11, 1, 9, 30)


# -- language ----------------------------------------------------------------------------

MARCH = "---\ntitle: Spring\ndate: 2026-03-05 12:00\n---\n\nBlossoms.\n"


@pytest.mark.parametrize(
    ("language", "day", "heading"),
    [
        ("de", "5. März 2026", "Archiv: März 2026"),
        ("fr-CA", "5 mars 2026", "Archives\u00a0: mars 2026"),  # fr.toml: fr-CA's base
    ],
)
def test_month_names_and_dates_in_the_sites_language(
    app, client, content_dir, language, day, heading
):
    app.config["SITE_LANGUAGE"] = language
    (content_dir / "posts" / "spring.md").write_text(MARCH)
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    page = client.get("/posts/spring/").text
    assert f'<html lang="{language}">' in page
    assert shows_time(page, "2026-03-05T12:00:00+00:00", f"{day}")
    archive = client.get("/archive/2026/03/").text
    assert f"{heading}</h1>" in archive
    assert "March" not in page + archive


def test_an_unknown_time_zone_or_language_stops_the_app_with_a_clear_error(tmp_path):
    with pytest.raises(TimeZoneError, match=r"SITE_TIMEZONE='Mars/Olympus' .*IANA"):
        create_app(TestingConfig, {"SITE_TIMEZONE": "Mars/Olympus"})
    with pytest.raises(LanguageError, match=r"SITE_LANGUAGE='zz-Nowhere' .*BCP 47"):
        create_app(TestingConfig, {"SITE_LANGUAGE": "zz-Nowhere"})


# -- builds ------------------------------------------------------------------------------


def test_changing_the_time_zone_renders_only_the_pages_that_show_dates(
    tmp_path, content_dir, site_dir
):
    (content_dir / "posts" / "early.md").write_text(  # 03:00 UTC: the 4th in Los Angeles
        "---\ntitle: Early\ndate: 2025-09-05T03:00:00+00:00\n---\n\nAt dawn.\n"
    )
    app = public_app(tmp_path, content_dir, site_dir)
    first = build_site(app)
    assert first.rendered == first.pages
    assert _search_date(tmp_path / "build", "Early") == "2025-09-05"
    app.config["SITE_TIMEZONE"] = LA
    about = tmp_path / "build" / "about" / "index.html"
    about_inode = about.stat().st_ino

    second = build_site(app)

    assert 0 < second.rendered < second.pages
    assert about.stat().st_ino == about_inode  # a page without a date is kept
    page = (tmp_path / "build" / "posts" / "hello-world" / "index.html").read_text()
    assert 'datetime="2026-09-01T00:00:00-07:00"' in page  # the file's date is local time now
    # The file and its row did not change, its local day did: search.json does not copy it.
    assert _search_date(tmp_path / "build", "Early") == "2025-09-04"

    incremental = files(tmp_path / "build")
    clean_dir = tmp_path / "clean"
    clean = public_app(tmp_path / "x", content_dir, site_dir, SITE_TIMEZONE=LA)
    clean.config["BUILD_DIR"] = clean_dir
    build_site(clean, incremental=False)
    assert files(clean_dir) == incremental

"""The command line's kept posts (``app.build.keptfile``): each build is a new ``Build`` with
no memory, as a new process is; it brings the last build's listing up to date from the file
beside the build cache, and builds what a clean build builds."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.build import keptfile
from app.build.pipeline import Build
from app.extensions import db
from app.models import Post
from app.public.snapshot import Listed
from tests.test_recorded_deps import _assert_like_a_clean_build, _fixture_site


def _build(app: Flask, *, incremental: bool = True) -> Build:
    build = Build(app, incremental=incremental)
    build.run()
    return build


def _write(app: Flask, slug: str, **values: object) -> None:
    """A write behind the build's back (psql, another tool): only the triggers see it."""
    with app.app_context():
        db.session.execute(sa.update(Post).where(Post.slug == slug).values(**values))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def site(tmp_path: Path) -> Flask:
    app, _, _ = _fixture_site(tmp_path)
    return app


def test_a_new_build_reads_again_only_the_posts_written_since(site: Flask, tmp_path: Path):
    first = _build(site)
    assert first.kept is not None
    assert first.kept_file is not None
    assert first.kept.last == {"timeline": "whole", "pages": "whole"}
    base = first.kept_file.stat()

    again = _build(site)
    assert again.kept is not None
    assert again.kept.origin is not None
    assert again.kept.last == {"timeline": 0, "pages": 0}

    _write(site, "hello-world", summary="Written with SQL.")
    edited = _build(site)
    assert edited.kept is not None
    assert edited.kept.last["timeline"] == 1
    assert "Written with SQL." in (site.config["BUILD_DIR"] / "feed.json").read_text()
    _assert_like_a_clean_build(site, tmp_path / "clean-1", "after a write with SQL")
    # The edit wrote a delta beside the base, not the base again.
    assert first.kept_file.stat().st_mtime_ns == base.st_mtime_ns
    assert Path(f"{first.kept_file}-delta").is_file()

    _write(site, "on-static-sites", draft=True)
    _write(site, "hello-world", title="Renamed")
    _build(site)
    _assert_like_a_clean_build(site, tmp_path / "clean-2", "after two more writes")
    kept = keptfile.load(first.kept_file)  # base and delta: the last build's listing
    titles = {p.__dict__["slug"]: p.__dict__["title"] for p in kept.kept["timeline"].posts.values()}
    assert titles["hello-world"] == "Renamed"
    assert "on-static-sites" not in titles


def test_a_delta_past_its_limit_writes_the_base_again(site: Flask, monkeypatch: pytest.MonkeyPatch):
    first = _build(site)
    assert first.kept_file is not None
    base = keptfile.load(first.kept_file).origin
    monkeypatch.setattr(keptfile, "COMPACT", 0)
    _write(site, "hello-world", summary="Changed.")
    _build(site)
    assert keptfile.load(first.kept_file).origin.base_id != base.base_id  # a new base
    assert not Path(f"{first.kept_file}-delta").exists()
    again = _build(site)
    assert again.kept is not None
    assert again.kept.last == {"timeline": 0, "pages": 0}


def test_a_file_in_many_parts_reads_back_whole(
    site: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(keptfile, "PART", 1)  # a part per post: the memo cleared between
    first = _build(site)
    assert first.kept is not None
    assert first.kept_file is not None
    kept = keptfile.load(first.kept_file)
    assert kept.kept["timeline"].posts.keys() == first.kept.kept["timeline"].posts.keys()
    assert len(kept.kept["timeline"].posts) > 1
    tags = {t for p in kept.kept["timeline"].posts.values() for t in p.__dict__["tags"]}
    assert tags == {
        t for p in first.kept.kept["timeline"].posts.values() for t in p.__dict__["tags"]
    }
    _write(site, "hello-world", summary="In parts.")
    again = _build(site)
    assert again.kept is not None
    assert again.kept.last["timeline"] == 1  # the others came from the file
    _assert_like_a_clean_build(site, tmp_path / "clean", "from a file in parts")


def test_a_damaged_or_foreign_file_is_read_whole_and_never_run(site: Flask, tmp_path: Path):
    first = _build(site)
    assert first.kept_file is not None
    first.kept_file.write_bytes(b"not a pickle")
    assert _build(site).kept.last == {"timeline": "whole", "pages": "whole"}  # type: ignore[union-attr]

    ran = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return os.system, (f"touch {ran}",)

    head = (keptfile.FORMAT, "x", {}, "", [])
    for payload in [(head, Payload()), ((*head[:2], Payload(), *head[3:]),)]:
        first.kept_file.write_bytes(b"".join(pickle.dumps(value) for value in payload))
        assert keptfile.load(first.kept_file).kept == {}
        assert not ran.exists()
    # Our format, not our shape (a row that is not one): read as none, not a failed build.
    listings = {"timeline": ("token", ("id",), {1: 5})}
    head = (keptfile.FORMAT, "x", listings, "", frozenset())
    for part in [
        ({1: {"id": 1, "tags": []}}, {1: 7}),
        ({1: 5}, {}),
        ({1: Listed({"id": 1}, [])}, {}),
    ]:
        first.kept_file.write_bytes(b"".join(pickle.dumps(value) for value in (head, part, None)))
        assert keptfile.load(first.kept_file).kept == {}
    # A file cut short (no end): read as none.
    _build(site)
    whole = first.kept_file.read_bytes()
    first.kept_file.write_bytes(whole[: len(whole) - len(pickle.dumps(None))])
    assert keptfile.load(first.kept_file).kept == {}
    first.kept_file.write_bytes(whole)
    assert keptfile.load(first.kept_file).kept != {}
    _build(site)
    _assert_like_a_clean_build(site, tmp_path / "clean", "after a foreign file")


def test_clean_builds_and_the_off_switch_do_not_read_it(site: Flask):
    first = _build(site)
    assert first.kept_file is not None
    clean = _build(site, incremental=False)
    assert clean.kept is not None  # read whole, saved anew
    assert clean.kept.last == {"timeline": "whole", "pages": "whole"}
    keptfile.forget(first.kept_file)
    site.config["SPEED_TRICKS_OFF"] = "kept-posts"
    off = _build(site)
    assert off.kept is None
    assert off.kept_file is None
    assert off.snapshot.source is None
    assert not first.kept_file.exists()

"""cached_partial: one render per key and build, nothing from the page it is on."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, render_template_string

from app import create_app, recording
from app.build import build_site
from app.public.partials import cached_partial
from config import TestingConfig
from tests.snapshot_helpers import as_a_build


def _public_app(tmp_path: Path, content_dir: Path, site_dir: Path, build_dir: str) -> Flask:
    return create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / (build_dir + '.db')}",
            "CONTENT_DIR": content_dir,
            "SITE_DIR": site_dir,
            "BUILD_DIR": tmp_path / build_dir,
        },
        authoring=False,
    )


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


#: The theme's cached partials, by template: the call, and the include it stands for.
CACHED = {
    "layouts/list.html": [
        (
            '{{ cached_partial("partials/note_entry.html" if post.kind == "note" else '
            '"partials/post_summary.html", post.id, post=post) }}',
            '{% include "partials/note_entry.html" if post.kind == "note" else '
            '"partials/post_summary.html" %}',
        )
    ],
    "base.html": [
        ('{{ cached_partial("partials/header.html") }}', '{% include "partials/header.html" %}'),
        ('{{ cached_partial("partials/footer.html") }}', '{% include "partials/footer.html" %}'),
    ],
}


def test_cached_partials_build_the_very_site_included_ones_do(tmp_path, content_dir, site_dir):
    cached = _public_app(tmp_path, content_dir, site_dir, "cached")
    assert build_site(cached).rendered > 10
    for name, calls in CACHED.items():
        template = site_dir / "templates" / name
        source = template.read_text()
        for call, include in calls:
            assert call in source
            source = source.replace(call, include)
        template.write_text(source)
    included = _public_app(tmp_path, content_dir, site_dir, "included")
    build_site(included)
    built = _tree(tmp_path / "cached")
    assert built == _tree(tmp_path / "included")
    assert sum(rel.startswith("tags/") for rel in built) > 3  # posts shown on several lists


def test_a_key_renders_once_per_build_without_the_page_variables(app, site_dir):
    (site_dir / "templates" / "partials" / "probe.html").write_text(
        "{{ n }}/{{ tag | default('no tag') }}/{{ site.title }}"
    )
    page = "{% set tag = 'x' %}{{ cached_partial('partials/probe.html', key, n=n) }}"
    with app.test_request_context("/"):
        title = app.config["SITE_TITLE"]
        assert render_template_string(page, key=1, n=1) == f"1/no tag/{title}"
        assert render_template_string(page, key=1, n=2) == f"2/no tag/{title}"  # a preview
        with as_a_build():
            assert cached_partial("partials/probe.html", 1, n=1) == f"1/no tag/{title}"
            assert cached_partial("partials/probe.html", 1, n=2) == f"1/no tag/{title}"
            assert cached_partial("partials/probe.html", 2, n=2) == f"2/no tag/{title}"
        with as_a_build():  # a new build
            assert cached_partial("partials/probe.html", 1, n=3) == f"3/no tag/{title}"


def test_fragments_of_a_build_share_the_parts_their_reads_have_alike(app, site_dir):
    """Each post's summary is kept with its reads: only the post differs between them, so
    the rest is one object for all (``Recorder.freeze``), and each page still takes in
    every read of the fragments it shows."""
    (site_dir / "templates" / "partials" / "probe.html").write_text("{{ n }}/{{ site.title }}")
    with app.test_request_context("/"), as_a_build() as build:
        for key in (1, 2):
            with recording.recording() as page:
                cached_partial("partials/probe.html", key, n=key)
            assert "partials/probe.html" in page.templates
            assert page.settings  # the site title's digest
        assert build.fragments is not None
        (_, one), (_, two) = build.fragments.values()
        assert one.templates == two.templates
        assert one.templates is two.templates
        assert one.settings == two.settings
        assert one.settings is two.settings
        assert one.calls is two.calls
        assert one.model is two.model
    reads = recording.Recorder()
    reads.fields = {"title": {7}, "slug": {7}, "tags": {7, 8}}
    frozen = reads.freeze()
    assert {name: set(ids) for name, ids in frozen.fields} == reads.fields
    assert frozen.fields[0][1] is frozen.fields[1][1]  # one tuple of ids per fragment

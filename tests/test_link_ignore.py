"""LINK_CHECK_IGNORE: broken links under an old site's sections are warnings, not errors;
and a broken link on a page made of many posts is still named by its content file."""

import json

import pytest

from app.build.links import BrokenLink, exempt_links, exempt_prefix, ignore_prefixes

PREFIXES = ("/docs/", "/wiki")


@pytest.mark.parametrize(
    ("page", "url", "base", "prefix"),
    [
        ("posts/a/index.html", "/docs/setup/", "/", "/docs/"),
        ("posts/a/index.html", "../../docs/setup/", "/", "/docs/"),
        ("posts/a/index.html", "https://example.org/wiki/Page", "/", "/wiki"),
        ("posts/a/index.html", "/blog/docs/x/", "/blog/", "/docs/"),  # under a sub-path
        ("posts/a/index.html", "/posts/nowhere/", "/", None),
        ("posts/a/index.html", "/documents/", "/", None),
    ],
)
def test_a_prefix_exempts_links_pointing_under_it(page, url, base, prefix):
    link = BrokenLink(page, url, "no such file")
    assert exempt_prefix(link, PREFIXES, base) == prefix


def test_the_setting_is_read_as_site_paths():
    assert ignore_prefixes("/docs/, wiki/ ,,") == ("/docs/", "/wiki/")
    assert ignore_prefixes("") == ()


def test_exempt_links_are_split_into_warnings():
    kept = BrokenLink("a/index.html", "/gone/", "no such file")
    exempt = BrokenLink("a/index.html", "/docs/x/", "no such file", "content/pages/a.md:3")
    errors, warnings = exempt_links([kept, exempt], PREFIXES, "/")
    assert errors == [kept]
    (warning,) = warnings
    assert warning.startswith("a/index.html: broken link /docs/x/ (no such file); written at ")
    assert warning.endswith("(a warning only: LINK_CHECK_IGNORE exempts /docs/)")
    assert exempt_links([kept], (), "/") == ([kept], [])


LINKER = """---
title: Linker
date: 2026-01-01
---
Intro.

See [the docs](/docs/setup/) and [the wiki](/wiki/Home) of the old site.
"""


@pytest.mark.slow
def test_the_build_warns_of_exempt_links_and_fails_on_the_others(freeze):
    (freeze.content_dir / "posts" / "linker.md").write_text(LINKER)
    env = {"LINK_CHECK_IGNORE": "/docs/, wiki/"}
    result = freeze("--json", env=env)
    assert result.returncode == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    exempt = [w for w in warnings if "LINK_CHECK_IGNORE" in w]
    assert len(exempt) == 2
    assert (
        "broken link /docs/setup/ (no such file); written at content/posts/linker.md:7"
        in (exempt[0])
    )
    assert exempt[1].endswith("(a warning only: LINK_CHECK_IGNORE exempts /wiki/)")

    without = freeze()
    assert without.returncode == 1
    assert "2 broken link(s)" in without.stderr

    (freeze.content_dir / "posts" / "linker.md").write_text(LINKER + "\n[gone](/posts/gone/)\n")
    printed = freeze(env=env)
    assert printed.returncode == 1
    assert "1 broken link(s)" in printed.stderr
    assert "broken link /posts/gone/ (no such file); written at content/posts/linker.md:9" in (
        printed.stderr
    )
    assert "/docs/setup/" not in printed.stderr  # a warning: a failed build prints errors


@pytest.mark.slow
def test_a_broken_link_on_a_list_page_is_named_by_its_content_file(freeze):
    notes = freeze.content_dir / "notes"
    notes.mkdir(exist_ok=True)
    (notes / "2026-09-02-081500.md").write_text(
        "---\ndate: 2026-09-02 08:15\n---\n\nRead [this](/posts/never-written/).\n"
    )
    result = freeze()
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "never-written" in line]
    assert lines
    for line in lines:  # the note's page, and the home page that shows the note in full
        assert "written at content/notes/2026-09-02-081500.md:5" in line, line

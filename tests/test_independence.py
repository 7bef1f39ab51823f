"""The suite is independent of the author's content/: it passes over a copy full of other posts.

A copy of the repository (its files as a fresh clone has them) gets a content/ an author might
have written: many posts on other subjects, tags such as `api`, a Python code block ruff would
reformat, media, other pages, a draft, a scheduled post, a half-written file. Lint, format check
and a representative part of the suite (builds, freeze, feeds, search, API) run there in a
subprocess, must pass, and must leave that content/ as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ROOT

#: What runs in the copy: the tests that build sites, feeds and search, and drive the API.
SUITE = [
    "tests/test_public.py",
    "tests/test_public_build.py",
    "tests/test_public_search.py",
    "tests/test_freeze.py",
    "tests/test_feeds.py",
    "tests/test_api_posts.py",
]
TAGS = ["api", "python", "travel", "cooking", "music", "api", "notes", "web"]
#: Valid Python that `ruff format` would rewrite: lint and format must leave posts alone.
UNFORMATTED_PYTHON = "def  greet( name ):\n    return 'hello, '+name\nprint( greet('world') )\n"


def _repository_files() -> list[str]:
    """The repository's files as a fresh clone has them (tracked, plus new ones not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def _copy_repository(dest: Path) -> None:
    for name in _repository_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def _post(n: int) -> str:
    tag = TAGS[n % len(TAGS)]
    day = 1 + n % 28
    body = f"Entry {n} about {tag}: nothing like the suite's own sample posts.\n"
    if n % 5 == 0:
        body += f"\n```python\n{UNFORMATTED_PYTHON}```\n"
    if n % 7 == 0:
        body += "\n![A grey square](/media/square.png)\n"
    if n % 9 == 0:
        body += "\nSee <https://example.com/api/v1/posts> and [the API tag](/tags/api/).\n"
    return (
        f"---\ntitle: Field note {n}\ndate: 2025-{1 + n % 12:02d}-{day:02d}\n"
        f"tags: [{tag}, field-notes]\n---\n\n{body}"
    )


def _write_authors_content(content: Path) -> None:
    """Replace the copy's content/ with a different author's site."""
    shutil.rmtree(content)
    posts, pages, media = content / "posts", content / "pages", content / "media"
    for folder in (posts, pages, media):
        folder.mkdir(parents=True)
    for n in range(60):
        (posts / f"field-note-{n}.md").write_text(_post(n))
    # The suite's own slugs and page names, saying other things.
    (posts / "hello-world.md").write_text(
        "---\ntitle: Not the sample's hello\ndate: 2024-02-29\ntags: [api]\n---\n\nMine.\n"
    )
    (posts / "someday.md").write_text(
        "---\ntitle: Someday\ndate: 2098-05-05\ntags: [notes]\n---\n\nScheduled.\n"
    )
    (posts / "private.md").write_text(
        "---\ntitle: Private\ndate: 2025-01-01\ndraft: true\n---\n\nA draft.\n"
    )
    # A file the author is in the middle of writing: any test reading content/ would trip on it.
    (posts / "half-written.md").write_text("---\ntitle: Half\ndate: [unclosed\n")
    (pages / "about.md").write_text("---\ntitle: About me\n---\n\nSomeone else entirely.\n")
    (pages / "colophon.md").write_text("---\ntitle: Colophon\n---\n\nSet in system fonts.\n")
    Image.new("RGB", (8, 8), "grey").save(media / "square.png")


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _run(copy: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=copy, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.slow
@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="independent of the database: checked once, in the SQLite run",
)
def test_lint_and_the_suite_pass_over_another_authors_content(tmp_path: Path) -> None:
    copy = tmp_path / "clone"
    _copy_repository(copy)
    _write_authors_content(copy / "content")
    before = _digest(copy / "content")

    # The copy's own code runs there, not this checkout's (the venv's install is editable).
    where = _run(copy, sys.executable, "-c", "import app, tests; print(app.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(copy), where.stdout + where.stderr

    # `make test` fails on any lint or format error; here: none is about the author's posts.
    ruff = str(Path(sys.executable).parent / "ruff")
    for lint in (["check", "."], ["format", "--check", "."]):
        result = _run(copy, ruff, *lint, "--no-cache", "--output-format=concise", timeout=60)
        report = result.stdout + result.stderr
        assert "content/" not in report, f"ruff {' '.join(lint)} read content/:\n{report}"
    listed = _run(copy, ruff, "check", ".", "--no-cache", "--show-files", timeout=60).stdout
    assert "/tests/conftest.py" in listed
    assert "/app/content/render.py" in listed  # the package of that name is linted
    assert f"{copy}/content/" not in listed

    suite = _run(
        copy,
        *(sys.executable, "-m", "pytest", *SUITE, "-q", "-x", "--tb=short"),
        *("-p", "no:cacheprovider", f"--basetemp={tmp_path / 'runs'}"),
    )
    assert suite.returncode == 0, suite.stdout[-4000:] + suite.stderr[-2000:]
    assert " passed" in suite.stdout.splitlines()[-1]

    assert _digest(copy / "content") == before, "a test changed the author's content/"
    assert not (copy / "build").exists(), "a test wrote the author's build/"
    assert not (copy / "instance").exists(), "a test wrote the author's instance/"

"""A command-line build that finds every input as the last one stamped it reports that
build again without loading the app (``app/build/stamps.py``); any change runs the build."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.build import dbmark, stamps
from tests.conftest import ROOT, FreezeRunner, sample_freeze
from tests.test_freeze import tree_digest

#: ``freeze.main`` in a fresh interpreter, saying on stderr whether Flask was loaded.
PROBE = (
    "import sys, freeze\n"
    "code = freeze.main(sys.argv[1:])\n"
    "print('app loaded' if 'flask' in sys.modules else 'app not loaded', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def probe(freeze: FreezeRunner, *args: str, env: dict[str, str] | None = None) -> tuple[bool, str]:
    """Run a build as ``python freeze.py`` would; (whether it loaded the app, its stdout)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        env={**freeze.env, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return "app loaded" in result.stderr, result.stdout


def stamped(freeze: FreezeRunner, *args: str) -> None:
    """Build until the stamps hold (the build after one that wrote the database saves them)."""
    for _ in range(4):
        loaded, _out = probe(freeze, *args)
        if not loaded:
            return
        time.sleep(0.01)  # past the file system's clock tick
    pytest.fail("the stamps never held")


@pytest.fixture
def freeze(tmp_path: Path) -> FreezeRunner:
    """The sample site on SQLite, built until its stamps hold."""
    runner = sample_freeze(tmp_path)
    stamped(runner)
    return runner


def same_as_clean(freeze: FreezeRunner, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    result = freeze("--clean", "--out", str(clean))
    assert result.returncode == 0, result.stderr
    assert tree_digest(freeze.build_dir) == tree_digest(clean)


def test_nothing_changed_is_reported_as_the_build_would_without_loading_the_app(freeze):
    loaded, quick = probe(freeze, "--json")
    assert not loaded
    slow = freeze("--json", env={"SPEED_TRICKS_OFF": "stamps"})
    assert slow.returncode == 0, slow.stderr
    fast, plain = json.loads(quick), json.loads(slow.stdout)
    assert fast.pop("seconds") < 5
    assert plain.pop("seconds") > 0
    assert fast == plain
    assert fast["written"] == 0
    assert fast["pages"] > 10
    loaded, text = probe(freeze)
    assert not loaded
    assert text.startswith(f"Built {fast['pages']} pages (0 written")
    assert "Next scheduled post: 'A letter to the future'" in text


def _post(freeze: FreezeRunner) -> Path:
    return freeze.content_dir / "posts" / "hello-world.md"


def _same_size_edit(freeze: FreezeRunner) -> None:
    post = _post(freeze)
    post.write_text(post.read_text().replace("Welcome to", "Welcome To"))


def _edit_with_old_times(freeze: FreezeRunner) -> None:
    """An edit that keeps the size and puts the modification time back (``ctime`` moves)."""
    post = _post(freeze)
    before = post.stat()
    _same_size_edit(freeze)
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))


def _new_post(freeze: FreezeRunner) -> None:
    (freeze.content_dir / "posts" / "new-one.md").write_text(
        "---\ntitle: New one\ndate: 2026-01-02\n---\nHello.\n"
    )


def _template(freeze: FreezeRunner) -> None:
    template = freeze.site_dir / "templates" / "post.html"
    template.write_text(template.read_text().replace("</article>", "<!-- x --></article>", 1))


def _static(freeze: FreezeRunner) -> None:
    (freeze.site_dir / "static" / "humans.txt").write_text("Us.\n")


def _hand_edited_page(freeze: FreezeRunner) -> None:
    page = freeze.build_dir / "index.html"
    page.write_text(page.read_text().replace("</body>", "<!-- hand --></body>"))


def _deleted_page(freeze: FreezeRunner) -> None:
    (freeze.build_dir / "about" / "index.html").unlink()


def _killed_build_left_staging(freeze: FreezeRunner) -> None:
    (freeze.build_dir.parent / ".build-staging-killed").mkdir()


CHANGES: dict[str, Callable[[FreezeRunner], None]] = {
    "a post edited, same size": _same_size_edit,
    "a post edited, times put back": _edit_with_old_times,
    "a new post": _new_post,
    "a post deleted": lambda f: _post(f).unlink(),
    "a template": _template,
    "a static file": _static,
    "a page of build/ edited by hand": _hand_edited_page,
    "a page of build/ deleted": _deleted_page,
    "a killed build's staging folder": _killed_build_left_staging,
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_runs_the_build_and_gives_what_a_clean_build_gives(freeze, tmp_path, change):
    CHANGES[change](freeze)
    loaded, _out = probe(freeze)
    assert loaded
    same_as_clean(freeze, tmp_path)
    assert not list(freeze.build_dir.parent.glob(".build-staging-*"))


def test_a_setting_from_the_environment_runs_the_build(freeze):
    loaded, _out = probe(freeze, env={"SITE_TITLE": "Another title"})
    assert loaded
    assert "Another title" in (freeze.build_dir / "index.html").read_text()


def test_the_shells_last_argument_variable_is_no_setting(freeze):
    """A shell sets ``_`` to the command it runs (``/usr/bin/time``, ``make``, a path to
    python): a build run another way with nothing changed is still no build."""
    assert not probe(freeze, env={"_": "/usr/bin/time"})[0]
    assert not probe(freeze, env={"_": "/usr/bin/make"})[0]


def test_other_arguments_run_the_build(freeze):
    assert probe(freeze, "--base-url", "https://example.org/blog/")[0]
    assert "https://example.org/blog/" in (freeze.build_dir / "feed.xml").read_text()
    assert probe(freeze, "--clean")[0]


def test_builds_beside_a_running_authoring_app_are_answered_too(freeze, tmp_path):
    """The authoring app keeps a connection open, so the write-ahead log stays; each build's
    connection touches it (run as root, SQLite gives it to the database's owner): that is
    not a change."""
    database = sqlite3.connect(tmp_path / "freeze.db")
    try:
        database.execute("PRAGMA journal_mode=WAL")
        database.execute("SELECT count(*) FROM post").fetchone()
        assert (tmp_path / "freeze.db-wal").exists()
        stamped(freeze)
        assert not probe(freeze)[0]
    finally:
        database.close()


def test_a_write_to_the_database_runs_the_build(freeze, tmp_path):
    """Whoever writes (psql, a script): the database's files change, the build runs."""
    database = sqlite3.connect(tmp_path / "freeze.db")
    with database:
        database.execute("UPDATE post SET title = title || '!' WHERE slug = 'hello-world'")
    database.close()
    assert probe(freeze)[0]


def test_the_build_after_an_edit_is_answered_until_the_database_is_written(freeze, tmp_path):
    """An edit's build wrote the database (its sync) and rendered pages: the mark it took
    after its sync, and no page of the clock, vouch for the next build; a write to the
    database by anyone after that runs the build again."""
    _same_size_edit(freeze)
    loaded, _out = probe(freeze)
    assert loaded
    loaded, text = probe(freeze, "--json")
    assert not loaded
    assert json.loads(text)["written"] == 0
    same_as_clean(freeze, tmp_path)
    page = freeze.build_dir / "posts" / "hello-world" / "index.html"
    assert "Hello, world!" not in page.read_text()
    _write(
        tmp_path / "freeze.db", "UPDATE post SET title = 'Hello, world!' WHERE slug = 'hello-world'"
    )
    loaded, _out = probe(freeze)
    assert loaded
    assert "Hello, world!" in page.read_text()


_UNIQUE = ("slug", "source_path")


def _write(path: Path, *statements: str) -> None:
    database = sqlite3.connect(path)
    with database:
        for statement in statements:
            if statement == "copy a post":  # every column but the id, another slug and file
                columns = [row[1] for row in database.execute("PRAGMA table_info(post)")]
                values = [f"{c} || '-2'" if c in _UNIQUE else c for c in columns if c != "id"]
                names = ", ".join(c for c in columns if c != "id")
                statement = (
                    f"INSERT INTO post ({names}) SELECT {', '.join(values)} FROM post LIMIT 1"
                )
            database.execute(statement)
    database.close()


@pytest.mark.parametrize(
    "statements",
    [
        ["UPDATE post SET word_count = word_count WHERE slug = 'hello-world'"],  # same value
        ["UPDATE post SET summary = 'x' WHERE slug = 'about'"],
        ["DELETE FROM post WHERE slug = 'hello-world'"],
        ["copy a post"],
        [
            "UPDATE post_tags SET tag_id = (SELECT max(id) FROM tag)"
            " WHERE rowid = (SELECT min(rowid) FROM post_tags)"
        ],
        ["DELETE FROM post_tags WHERE rowid = (SELECT min(rowid) FROM post_tags)"],
        ["UPDATE tag SET name = name || '!' WHERE id = (SELECT min(id) FROM tag)"],
        ["INSERT INTO tag (name, slug) VALUES ('New', 'new')"],
        ["PRAGMA foreign_keys = OFF", "DELETE FROM tag WHERE id = (SELECT min(id) FROM tag)"],
        ["UPDATE data_revision SET token = 'another-database'"],
        ["CREATE INDEX ix_extra ON post (title)"],
    ],
)
def test_the_database_mark_changes_with_every_write(freeze, tmp_path, statements):
    """Whatever a build could read, written through any connection, changes the mark."""
    path = tmp_path / "freeze.db"
    before = dbmark.database_mark(path)
    assert before is not None
    assert dbmark.database_mark(path) == before
    _write(path, "PRAGMA wal_checkpoint(TRUNCATE)")  # the files move, not the data
    assert dbmark.database_mark(path) == before
    _write(path, *statements)
    assert dbmark.database_mark(path) != before


def test_the_database_mark_cannot_vouch_without_its_triggers_or_a_database(freeze, tmp_path):
    path = tmp_path / "freeze.db"
    assert dbmark.database_mark(tmp_path / "none.db") is None
    assert not (tmp_path / "none.db").exists()
    _write(path, "DROP TRIGGER tag_revision_delete")
    assert dbmark.database_mark(path) is None
    for _ in range(2):  # every build runs whole: the revisions may have missed a write
        loaded, _out = probe(freeze)
        assert loaded
    same_as_clean(freeze, tmp_path)


def test_a_scheduled_post_going_live_runs_the_build(tmp_path):
    freeze = sample_freeze(tmp_path)
    soon = datetime.now(UTC) + timedelta(seconds=4)
    (freeze.content_dir / "posts" / "soon.md").write_text(
        f"---\ntitle: Soon\ndate: {soon:%Y-%m-%dT%H:%M:%S}Z\n---\nAny moment now.\n"
    )
    stamped(freeze)
    assert not (freeze.build_dir / "posts" / "soon").exists()
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.5)
    loaded, text = probe(freeze)
    assert loaded, text
    assert (freeze.build_dir / "posts" / "soon" / "index.html").is_file()


def test_a_theme_that_shows_the_time_of_the_build_is_built_every_time(freeze):
    """A page that reads the clock is rendered by every build: stamps never answer for it."""
    footer = freeze.site_dir / "templates" / "partials" / "footer.html"
    footer.write_text(footer.read_text() + "<p>built {{ site.now }}</p>\n")
    shown = set()
    for _ in range(3):
        loaded, _out = probe(freeze)
        assert loaded
        page = (freeze.build_dir / "index.html").read_text()
        shown.add(page.split("<p>built ", 1)[1].split("</p>", 1)[0])
    assert len(shown) == 3


def test_a_build_with_warnings_is_never_skipped(freeze):
    """Warnings are told by every build: such a build saves no stamps."""
    (freeze.content_dir / "posts" / "notes.txt").write_text("not a post\n")
    for _ in range(3):
        result = freeze()
        assert result.returncode == 0, result.stderr
        assert "content/posts/notes.txt: ignored" in result.stderr
    assert probe(freeze)[0]


def _inputs(freeze: FreezeRunner) -> stamps.Inputs:
    settings = {
        "SQLALCHEMY_DATABASE_URI": freeze.env["DATABASE_URL"],
        "BUILD_DIR": str(freeze.build_dir),
        "CONTENT_DIR": str(freeze.content_dir),
        "SITE_DIR": str(freeze.site_dir),
    }
    instance = Path(freeze.env["MICROBLOG_INSTANCE_DIR"])
    found = stamps.Inputs.of(settings=settings, instance_dir=instance, project=ROOT, key=[1])
    assert found is not None
    return found


def _observe(inputs: stamps.Inputs, now: datetime | None = None) -> stamps.Observed:
    seen = stamps.observe(inputs, now)
    assert seen is not None
    return seen


def _save(inputs: stamps.Inputs, seen: stamps.Observed, until: datetime | None = None) -> None:
    """Save as a build that saw the database as it is now would."""
    mark = dbmark.database_mark(inputs.database)
    assert mark is not None
    assert stamps.save(
        inputs, seen, {"pages": 1}, until, {}, mark=mark, renders_again=False, warned=False
    )


def test_a_change_while_a_build_runs_vouches_for_nothing(freeze):
    """The build may have read the file before the change: its stamps from before differ
    from the file next time; one within the clock tick before them is never trusted."""
    inputs = _inputs(freeze)
    seen = _observe(inputs)
    time.sleep(0.02)
    _same_size_edit(freeze)
    _save(inputs, seen)
    again = _observe(inputs)
    assert again.unchanged is None
    assert again.changed == ["posts/hello-world.md"]
    time.sleep(0.02)
    _save(inputs, _observe(inputs))
    assert _observe(inputs).unchanged == {"pages": 1}


def test_a_file_changed_in_the_tick_before_the_stamps_is_never_trusted(freeze):
    inputs = _inputs(freeze)
    post = _post(freeze)
    seen = _observe(inputs)
    future = seen.since + 10**9  # as if changed in the same tick the stamps were taken
    os.utime(post, ns=(future, future))
    _save(inputs, _observe(inputs))
    again = _observe(inputs)
    assert again.unchanged is None
    assert again.changed is None


def test_no_answer_while_another_build_holds_the_lock_or_past_a_scheduled_time(freeze):
    import fcntl

    inputs = _inputs(freeze)
    time.sleep(0.02)
    later = datetime(2099, 1, 1)
    _save(inputs, _observe(inputs), later)
    assert _observe(inputs).unchanged == {"pages": 1}
    assert _observe(inputs, now=later).unchanged is None
    fd = os.open(freeze.build_dir.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert _observe(inputs).unchanged is None
    finally:
        os.close(fd)


def test_the_changed_documents_are_named_only_while_the_database_is_as_left(freeze):
    inputs = _inputs(freeze)
    time.sleep(0.02)
    _save(inputs, _observe(inputs))
    _new_post(freeze)
    _post(freeze).unlink()
    assert _observe(inputs).changed == ["posts/hello-world.md", "posts/new-one.md"]
    (freeze.content_dir / "media" / "x.txt").write_text("media")
    assert _observe(inputs).changed is None  # not a document: the sync looks at everything
    time.sleep(0.02)
    _save(inputs, _observe(inputs))
    assert _observe(inputs).changed == []
    database = sqlite3.connect(freeze.env["DATABASE_URL"].removeprefix("sqlite:///"))
    with database:
        database.execute("UPDATE post SET title = title || '!' WHERE slug = 'about'")
    database.close()
    assert _observe(inputs).changed is None


def test_a_linked_file_is_stamped_through_its_link(freeze, tmp_path):
    """A theme may link a template from elsewhere: a change there is a change."""
    elsewhere = tmp_path / "elsewhere.html"
    template = freeze.site_dir / "templates" / "partials" / "footer.html"
    elsewhere.write_text(template.read_text())
    template.unlink()
    template.symlink_to(elsewhere)
    stamped(freeze)
    elsewhere.write_text(elsewhere.read_text().replace("</footer>", "<p>linked</p></footer>"))
    loaded, _out = probe(freeze)
    assert loaded
    assert "<p>linked</p>" in (freeze.build_dir / "index.html").read_text()


def _nothing(_freeze: FreezeRunner) -> None:
    """No change at all."""


def test_edits_named_by_the_stamps_build_what_the_plain_path_builds(tmp_path):
    """Two copies of the sample site, one with the stamps off: after each edit, and in the
    build after it, the same summary (but the time) and the same files."""
    sites = [sample_freeze(tmp_path / "on"), sample_freeze(tmp_path / "off")]
    off = {"SPEED_TRICKS_OFF": "stamps"}
    for site, env in zip(sites, [None, off], strict=True):
        assert site(env=env).returncode == 0
    edits: list[Callable[[FreezeRunner], None]] = [
        _same_size_edit,
        _new_post,
        lambda f: (f.content_dir / "posts" / "new-one.md").unlink(),
        lambda f: (f.content_dir / "pages" / "about.md").write_text(
            "---\ntitle: About us\n---\nWe write.\n"
        ),
    ]
    for step in [step for edit in edits for step in (edit, _nothing)]:  # and the build after
        said = []
        for site, env in zip(sites, [None, off], strict=True):
            step(site)
            result = site("--json", env=env)
            assert result.returncode == 0, result.stderr
            summary = json.loads(result.stdout)
            del summary["seconds"], summary["out_dir"]
            said.append(summary)
        assert said[0] == said[1]
        assert tree_digest(sites[0].build_dir) == tree_digest(sites[1].build_dir)


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://u@localhost/db", "sqlite://", "sqlite:///:memory:", "mysql:///x"],
)
def test_only_a_sqlite_file_can_be_stamped(url):
    settings = {"SQLALCHEMY_DATABASE_URI": url, "BUILD_DIR": "b", "CONTENT_DIR": "c"}
    settings["SITE_DIR"] = "s"
    assert stamps.Inputs.of(settings=settings, instance_dir=ROOT, project=ROOT, key=[]) is None


AUDIT = """
import json, os, sys
opened, listed = set(), set()
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        mode, flags = args[1], args[2] or 0
        writes = (mode is not None and any(c in mode for c in "wax+")) or (
            mode is None and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if not writes:
            opened.add(os.path.abspath(os.fsdecode(args[0])))
    elif event in ("os.listdir", "os.scandir") and args[0] is not None:
        listed.add(os.path.abspath(os.fsdecode(args[0])))
sys.addaudithook(hook)
import freeze
code = freeze.main(sys.argv[1:])
json.dump({"opened": sorted(opened), "listed": sorted(listed)}, open(os.environ["AUDIT_OUT"], "w"))
sys.exit(code)
"""


def test_every_file_a_build_reads_is_stamped(tmp_path):
    """An audit hook on every file opened for reading and every folder listed in builds
    (rendered in one process): the first, an edit's (named by the stamps), and one that
    syncs every file (the stamps off): each lies in a stamped input, the build's own memory
    or output, or a library (its folder is stamped); nothing else but the system's files."""
    freeze = sample_freeze(tmp_path)
    seen: dict[str, list[str]] = {"opened": [], "listed": []}
    for step, off in enumerate(["", "", "stamps"]):
        if step == 1:
            _same_size_edit(freeze)
        elif step == 2:
            _new_post(freeze)
        out = tmp_path / f"audit-{step}.json"
        env = {**freeze.env, "AUDIT_OUT": str(out), "BUILD_WORKERS": "1"}
        result = subprocess.run(
            [sys.executable, "-c", AUDIT, "--quiet"],
            cwd=ROOT,
            env={**env, "SPEED_TRICKS_OFF": off},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        for kind, paths in json.loads(out.read_text()).items():
            seen[kind] += paths
    inputs = _inputs(freeze)
    instance = Path(freeze.env["MICROBLOG_INSTANCE_DIR"]).resolve()
    covered = [
        *inputs.trees,
        inputs.build_dir,
        inputs.build_dir.parent / ".build-spare",  # the build's own output, and staging:
        *inputs.files,
        *inputs.memory,
        inputs.path.parent,  # the build caches' folder: the build's own memory
        instance / "sync-cache",  # what the sync hashed: a memo, the same output without it
        Path(sys.prefix),  # libraries: their folders are stamped (``_library_folders``)
        Path(sys.base_prefix),
        Path("/dev"),
        Path("/proc"),
    ]
    system = ("/etc/", "/usr/share/zoneinfo")  # not followed by a build either

    staging = str(inputs.build_dir.parent / stamps.staging_prefix(inputs.build_dir))

    def is_covered(path: str) -> bool:
        return path.startswith((*system, staging)) or any(
            path == str(c) or path.startswith(f"{c}/") for c in covered
        )

    database = tmp_path / "freeze.db"
    loose = [
        p
        for p in seen["opened"] + seen["listed"]
        if not is_covered(p)
        and "/__pycache__/" not in p  # compiled from a stamped source
        and not p.startswith(str(database))
        and Path(p) not in (ROOT, tmp_path, freeze.build_dir.parent)
    ]
    assert loose == [], "\n".join(loose)


def test_a_reader_that_goes_away_gets_no_traceback(freeze):
    """``python freeze.py --json | head -c 10``: the summary's reader closes the pipe."""
    process = subprocess.Popen(
        [sys.executable, "freeze.py", "--json"],
        cwd=ROOT,
        env=freeze.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # before the build prints a word
    with process.stderr:
        errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert "Traceback" not in errors, errors


@given(
    count=st.integers(min_value=0, max_value=300),
    changes=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 4)), max_size=12),
    renamed=st.booleans(),
)
def test_the_stamps_that_differ_are_found_as_one_by_one(count, changes, renamed):
    """``_differences`` (halves compared whole, or by path when the paths differ) finds
    the paths whose stamps differ, as comparing every stamp does."""
    from array import array

    names = [f"/c/posts/p{i}.md" for i in range(count)]
    values = array("q", [i * 7 + j for i in range(count) for j in range(5)])
    after = array("q", values)
    for index, field in changes:
        if count:
            after[5 * (index % count) + field] += 1
    new_names = list(names)
    if renamed and count:
        new_names[count // 2] = "/c/posts/renamed.md"
    before = ("\0".join(names), values.tobytes())
    now = ("\0".join(new_names), after.tobytes())
    old, new = stamps._differences(before, now)
    one_by_one = stamps._by_path(before), stamps._by_path(now)
    expected_old = {p: s for p, s in one_by_one[0].items() if one_by_one[1].get(p) != s}
    expected_new = {p: s for p, s in one_by_one[1].items() if one_by_one[0].get(p) != s}
    assert (old, new) == (expected_old, expected_new)

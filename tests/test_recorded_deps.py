"""Incremental builds are correct by construction: a page renders again exactly when something
it read while rendering changed, whatever the theme shows. No test here tells the build what a
page type depends on; each compares an incremental build with a clean one, byte for byte."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app, recording
from app.build import build_site
from app.build.deps import build_posts
from app.build.jobs import BuildRunner
from app.build.manifest import load as load_manifest
from app.build.manifest import manifest_path
from app.build.memory import BuildMemory
from app.build.sources import Changes
from app.content.document import parse_document, serialize_document
from app.extensions import db
from app.models import Post
from app.public import search
from app.public.snapshot import Listed, ListedTag
from config import TestingConfig
from tests import test_incremental
from tests.conftest import FIXTURE_CONTENT, ROOT, SAMPLE_SITE
from tests.snapshot_helpers import as_a_build
from tests.test_incremental import clean_build_of, tree

#: The public app of the incremental-build tests (built without an app context around it).
app = test_incremental.app

#: The photo the note edits attach.
NOTE_PHOTO = ROOT / "tests" / "fixtures" / "notes" / "media" / "harbour.png"
NEIGHBOUR_SUMMARIES = (
    "← {{ newer.display_name }}</a>{% endif %}",
    '← {{ newer.display_name }}</a> <small class="n">{{ newer.summary }}</small>{% endif %}',
)


def _edit_template(site_dir: Path, name: str, old: str, new: str) -> None:
    path = site_dir / "templates" / name
    text = path.read_text()
    assert old in text, f"{name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1))


def _edit_post(content_dir: Path, rel: str, **changes: object) -> None:
    path = content_dir / rel
    doc = parse_document(path.read_text(), path, "page" if rel.startswith("pages/") else "post")
    doc = dataclasses.replace(doc, **changes)
    path.write_text(serialize_document(doc, path.stem))


def _listing_order(built: Path) -> list[str]:
    """The post slugs in index order, as the built search index lists them."""
    items = json.loads((built / "search.json").read_text())["items"]
    return [
        item["url"].rstrip("/").rsplit("/", 1)[-1] for item in items if "/posts/" in item["url"]
    ]


def test_a_neighbours_summary_shown_by_the_theme_is_never_stale(
    app, content_dir, site_dir, tmp_path
):
    """The issue's reproduction: the theme starts showing the neighbours' summaries, one
    post's summary changes, and the neighbour's page must show the new one."""
    _edit_template(site_dir, "post.html", *NEIGHBOUR_SUMMARIES)
    build_site(app)
    built = app.config["BUILD_DIR"]
    order = _listing_order(built)
    # The page of order[1] shows the summary of its newer neighbour, order[0].
    _edit_post(content_dir, f"posts/{order[0]}.md", summary="A summary changed after the build.")
    result = build_site(app)
    neighbour_page = (built / "posts" / order[1] / "index.html").read_text()
    assert "A summary changed after the build." in neighbour_page
    assert result.rendered < result.pages / 2  # and still incremental
    assert tree(built) == clean_build_of(app, tmp_path)


def test_a_theme_change_renders_the_pages_using_the_template_and_only_those(
    app, site_dir, tmp_path
):
    build_site(app)
    built = app.config["BUILD_DIR"]
    _edit_template(site_dir, "tags.html", "{%", "{# a comment #}{%")
    result = build_site(app)
    assert result.rendered == 1  # tags/index.html alone extends nothing else that changed
    assert tree(built) == clean_build_of(app, tmp_path)


def test_a_page_reading_outside_the_read_model_is_rendered_every_time(app, site_dir, tmp_path):
    """A filter of a plugin that queries the database itself (around the read model) cannot
    be described by its reads, so its page is never kept: correct, if slower."""

    def rows(_value: object) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(Post)) or 0

    app.jinja_env.filters["rows"] = rows
    _edit_template(site_dir, "tags.html", "{{ tag.name }}", "{{ tag.name }} {{ tag|rows }}")
    build_site(app)
    again = build_site(app)
    assert again.rendered == 1  # tags/index.html, and no other page
    assert again.renders_again == 1  # so the command line's stamps never answer for it
    records = load_manifest(
        manifest_path(Path(app.instance_path), app.config["BUILD_DIR"]), app.config["BUILD_DIR"]
    ).records
    assert records["tags/index.html"].deps is None
    assert records["tags/python/index.html"].deps is not None
    assert tree(app.config["BUILD_DIR"]) == clean_build_of(app, tmp_path)


def test_cached_fragments_carry_what_they_read_to_every_page_using_them(
    app, content_dir, site_dir, tmp_path
):
    """The header is rendered once per build and reused; the pages using it depend on what
    it read (here: the pages of the site, which the navigation lists)."""
    build_site(app)
    _edit_post(content_dir, "pages/about.md", title="About this site")
    build_site(app)
    built = app.config["BUILD_DIR"]
    assert "About this site" in (built / "index.html").read_text()
    assert tree(built) == clean_build_of(app, tmp_path)


def test_a_builds_read_model_answers_from_its_posts_alone(app):
    """Every recorded question of a build is answered from the build's posts (``build_posts``)
    without another query: so when no post changed, no answer did (``Reads._calls_hold``)."""
    build_site(app)
    built = app.config["BUILD_DIR"]
    records = load_manifest(manifest_path(Path(app.instance_path), built), built).records
    calls = {
        (name, tuple(args))
        for record in records.values()
        if record.deps
        for name, args, _digest in orjson.loads(record.deps)[0]
    }
    assert {name for name, _args in calls} >= {"index_page", "get_visible", "neighbours"}
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    with app.test_request_context(), as_a_build():
        build_posts()
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", seen)
        try:
            for name, args in sorted(calls, key=repr):
                recording.REGISTRY[name](*args)
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", seen)
    assert statements == []


def test_a_list_is_identified_item_by_item_whatever_it_holds():
    """A listing of posts (one pass of the posts' identity) and a list of mixed values
    identify each item as it would on its own."""
    posts = [Listed({"id": n, "slug": f"p{n}"}, []) for n in range(5)]
    tag = ListedTag(3, "Python", "python")
    for answer in [posts, tuple(posts), [posts[0], 7, "x", None, tag, (posts[1], [posts[2]])], []]:
        assert recording.identity(answer) == [recording.identity(item) for item in answer]
    assert recording.identity(posts) == [0, 1, 2, 3, 4]
    assert recording.identity([tag, tag]) == [tag.__identity__()] * 2


def test_search_documents_note_the_fields_they_read(app):
    """``DOCUMENT_FIELDS`` (what a copied document stands for) is what making one reads."""
    build_site(app)
    with app.test_request_context(), as_a_build(datetime(2030, 1, 1)):
        from app.public import queries

        post = queries.listing()[0]
        with recording.recording() as reads:
            search._document(post)
    assert set(reads.fields) == set(search.DOCUMENT_FIELDS)


# -- random sequences of edits, through the CLI, --watch and the admin's Publish ----------


def _posts(content_dir: Path) -> list[Path]:
    return sorted((content_dir / "posts").glob("*.md"))


def _pick(rng: random.Random, content_dir: Path) -> tuple[Path, str]:
    path = rng.choice(_posts(content_dir))
    return path, path.relative_to(content_dir).as_posix()


def _body(content_dir: Path, rng: random.Random) -> None:
    _path, rel = _pick(rng, content_dir)
    path = content_dir / rel
    path.write_text(path.read_text() + f"\nAnother sentence {rng.random()}.\n")


def _summary(content_dir: Path, rng: random.Random) -> None:
    _edit_post(content_dir, _pick(rng, content_dir)[1], summary=f"Summary {rng.random()}")


def _date(content_dir: Path, rng: random.Random) -> None:
    when = datetime(2024, 1, 1) + timedelta(days=rng.randrange(900), hours=rng.randrange(24))
    _edit_post(content_dir, _pick(rng, content_dir)[1], date=when)


def _tags(content_dir: Path, rng: random.Random) -> None:
    # Spellings of one tag too: its name comes from the files, whatever their history.
    names = ["alpha", "beta", "gamma", "python", "Python", "PYTHON", "web", "Web"]
    tags = rng.sample(names, rng.randrange(0, 3))
    _edit_post(content_dir, _pick(rng, content_dir)[1], tags=tags)


def _draft(content_dir: Path, rng: random.Random) -> None:
    path, rel = _pick(rng, content_dir)
    doc = parse_document(path.read_text(), path)
    _edit_post(content_dir, rel, draft=not doc.draft)


def _schedule(content_dir: Path, rng: random.Random) -> None:
    _edit_post(content_dir, _pick(rng, content_dir)[1], date=datetime(2099, 1, 1))


def _delete(content_dir: Path, rng: random.Random) -> None:
    if len(_posts(content_dir)) > 3:
        _pick(rng, content_dir)[0].unlink()


def _rename(content_dir: Path, rng: random.Random) -> None:
    path = _pick(rng, content_dir)[0]
    doc = parse_document(path.read_text(), path)
    slug = f"renamed-{rng.randrange(10**6)}"
    path.unlink()
    new = dataclasses.replace(doc, slug=slug, explicit_slug=False)
    (content_dir / "posts" / f"{slug}.md").write_text(serialize_document(new, slug))


def _new_post(content_dir: Path, rng: random.Random) -> None:
    n = rng.randrange(10**6)
    (content_dir / "posts" / f"new-{n}.md").write_text(
        f"---\ntitle: New {n}\ndate: 2025-0{rng.randrange(1, 9)}-1{rng.randrange(10)}\n"
        f"tags: [fresh]\n---\n\nA new post {n}, linking [home](/).\n"
    )


def _aliases(content_dir: Path, rng: random.Random) -> None:
    """Give a post another old URL (a folder or an .html file), or take its aliases away."""
    path, rel = _pick(rng, content_dir)
    doc = parse_document(path.read_text(), path)
    n = rng.randrange(10**6)
    old = rng.choice([f"/old/{doc.slug}-{n}/", f"/{doc.slug}-{n}.html"])
    aliases = [] if doc.aliases and rng.random() < 0.3 else [*doc.aliases, old]
    _edit_post(content_dir, rel, aliases=aliases)


def _page(content_dir: Path, rng: random.Random) -> None:
    _edit_post(content_dir, "pages/about.md", title=f"About {rng.randrange(100)}")


def _notes(content_dir: Path) -> list[Path]:
    return sorted((content_dir / "notes").glob("*.md"))


def _new_note(content_dir: Path, rng: random.Random) -> Path:
    when = datetime(2026, 9, 1) + timedelta(days=rng.randrange(80), seconds=rng.randrange(86400))
    path = content_dir / "notes" / f"{when:%Y-%m-%d-%H%M%S}.md"
    path.parent.mkdir(exist_ok=True)
    tag = rng.choice(["python", "essay", "notes", "harbour"])
    path.write_text(f"---\ndate: {when:%Y-%m-%d %H:%M:%S}\n---\n\nA note {rng.random()} #{tag}\n")
    return path


def _a_note(content_dir: Path, rng: random.Random) -> Path:
    notes = _notes(content_dir)
    return rng.choice(notes) if notes else _new_note(content_dir, rng)


def _note_body(content_dir: Path, rng: random.Random) -> None:
    path = _a_note(content_dir, rng)
    path.write_text(path.read_text() + f"\nAnd then {rng.random()}.\n")


def _note_hashtag(content_dir: Path, rng: random.Random) -> None:
    path = _a_note(content_dir, rng)
    text = path.read_text()
    tag = rng.choice(["web", "beta", "python", "fresh"])
    path.write_text(re.sub(r"#\w+", f"#{tag}", text) if "#" in text else f"{text} #{tag}\n")


def _note_photo(content_dir: Path, rng: random.Random) -> None:
    path = _a_note(content_dir, rng)
    shutil.copy(NOTE_PHOTO, content_dir / "media" / NOTE_PHOTO.name)
    text = path.read_text()
    if "photos:" in text:  # taken away again
        path.write_text(re.sub(r"photos:\n(  .*\n)+", "", text))
    else:
        photo = f"photos:\n  - src: media/{NOTE_PHOTO.name}\n    alt: Photo {rng.randrange(100)}\n"
        path.write_text(text.replace("---\n", "---\n" + photo, 1))


#: What a note answers, by how many pages: none, one, two (a list).
NOTE_REFS = [
    "",
    "in-reply-to: https://example.com/a/\n",
    "in-reply-to:\n- https://example.com/a/\n- https://example.com/b/\n",
]


def _note_refs(content_dir: Path, rng: random.Random) -> None:
    """A note answers one more page than it did: none, one, two, then none again."""
    path = _a_note(content_dir, rng)
    text = path.read_text()
    found = re.search(r"^in-reply-to:(.*)\n((?:- .*\n)*)", text, re.MULTILINE)
    answered = 0 if found is None else found[2].count("- ") or 1
    without = text if found is None else text.replace(found[0], "", 1)
    path.write_text(without.replace("---\n", "---\n" + NOTE_REFS[(answered + 1) % 3], 1))


def _note_delete(content_dir: Path, rng: random.Random) -> None:
    notes = _notes(content_dir)
    if notes:
        rng.choice(notes).unlink()


def _theme_neighbour_summary(site_dir: Path, rng: random.Random) -> None:
    path = site_dir / "templates" / "post.html"
    if (
        NEIGHBOUR_SUMMARIES[0] in path.read_text()
        and NEIGHBOUR_SUMMARIES[1] not in path.read_text()
    ):
        _edit_template(site_dir, "post.html", *NEIGHBOUR_SUMMARIES)


def _theme_listed_word_count(site_dir: Path, rng: random.Random) -> None:
    path = site_dir / "templates" / "partials" / "post_summary.html"
    if "word_count" not in path.read_text():
        _edit_template(
            site_dir,
            "partials/post_summary.html",
            '<p class="p-summary">{{ post.summary }}</p>',
            '<p class="p-summary">{{ post.summary }} ({{ post.word_count }} words)</p>',
        )


def _theme_new_partial(site_dir: Path, rng: random.Random) -> None:
    partial = site_dir / "templates" / "partials" / "extra.html"
    partial.write_text(f"<p class='extra'>{{{{ site.title }}}} {rng.randrange(100)}</p>\n")
    base = site_dir / "templates" / "base.html"
    if "partials/extra.html" not in base.read_text():
        _edit_template(
            site_dir,
            "base.html",
            "{% block scripts %}",
            '{% include "partials/extra.html" %}{% block scripts %}',
        )


def _static(site_dir: Path, rng: random.Random) -> None:
    css = site_dir / "static" / "css" / "site.css"
    css.write_text(css.read_text() + f"\n/* {rng.random()} */\n")


def _translation(site_dir: Path, rng: random.Random) -> None:
    """The theme's English word for its tags (site/i18n: every page's navigation)."""
    texts = site_dir / "i18n" / "en.toml"
    word = f"Tags {rng.randrange(1000)}"
    texts.write_text(re.sub(r'(?m)^tags = ".*"$', f'tags = "{word}"', texts.read_text()))


CONTENT_EDITS: list[Callable[[Path, random.Random], None]] = [
    _body,
    _summary,
    _date,
    _tags,
    _draft,
    _schedule,
    _delete,
    _rename,
    _new_post,
    _aliases,
    _page,
    _new_note,
    _note_body,
    _note_hashtag,
    _note_photo,
    _note_refs,
    _note_delete,
]
THEME_EDITS: list[Callable[[Path, random.Random], None]] = [
    _theme_neighbour_summary,
    _theme_listed_word_count,
    _theme_new_partial,
    _static,
    _translation,
]
EDITS = [(edit, "content") for edit in CONTENT_EDITS] + [(edit, "site") for edit in THEME_EDITS]


def _publish(app: Flask) -> None:
    """A build as the admin's Publish button starts it: from the authoring app, in a thread."""
    authoring = create_app(TestingConfig, {k: v for k, v in app.config.items() if k.isupper()})
    runner = BuildRunner()
    job = runner.start(authoring)
    runner.wait(120)
    assert job.state == "succeeded", job.errors


def _fixture_site(base: Path) -> tuple[Flask, Path, Path]:
    """A build-only app over copies of the fixture content and the sample theme in ``base``."""
    content_dir = Path(shutil.copytree(FIXTURE_CONTENT, base / "content"))
    site_dir = Path(shutil.copytree(SAMPLE_SITE, base / "site"))
    app = create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'site.db'}",
            "CONTENT_DIR": content_dir,
            "SITE_DIR": site_dir,
            "BUILD_DIR": base / "build",
        },
        authoring=False,
    )
    return app, content_dir, site_dir


def _assert_like_a_clean_build(app: Flask, folder: Path, *what: object) -> None:
    """The app's build/ is byte for byte what a clean build into ``folder`` makes; ``what``
    names the step in the message, with the files that differ."""
    built = tree(app.config["BUILD_DIR"])
    clean = clean_build_of(app, folder)
    differ = sorted(rel for rel in built.keys() | clean.keys() if built.get(rel) != clean.get(rel))
    assert built == clean, (*what, differ)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(range(len(EDITS))), st.sampled_from(["cli", "watch", "publish"])),
        min_size=3,
        max_size=6,
    ),
    seed=st.integers(0, 2**16),
)
def test_any_sequence_of_edits_builds_what_a_clean_build_builds(tmp_path_factory, steps, seed):
    base = tmp_path_factory.mktemp("seq")
    app, content_dir, site_dir = _fixture_site(base)
    rng = random.Random(seed)
    memory = BuildMemory()
    build_site(app, changes=Changes(memory, set()))
    for number, (index, how) in enumerate(steps):
        edit, folder = EDITS[index]
        edit(content_dir if folder == "content" else site_dir, rng)
        if how == "cli":
            build_site(app)
        elif how == "watch":
            changed = {str(p) for folder in (content_dir, site_dir) for p in folder.rglob("*")}
            memory.check_files()  # as the watch does when the first change comes
            build_site(app, changes=Changes(memory, changed))
        else:
            _publish(app)
        _assert_like_a_clean_build(app, base / f"clean-{number}", number, edit.__name__, how)
    assert tree(app.config["BUILD_DIR"]) == _fresh_build_of(app, base / "fresh")


def _fresh_build_of(app: Flask, folder: Path) -> dict[str, str]:
    """A build of the same files and theme from an empty database: a fresh clone's."""
    config = {k: v for k, v in app.config.items() if k.isupper()}
    config |= {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}.db", "BUILD_DIR": folder}
    build_site(create_app(TestingConfig, config, authoring=False))
    return tree(folder)


NOTE_EDITS = [
    _new_note,
    _new_note,
    _note_body,
    _note_hashtag,
    _note_photo,
    _note_refs,
    _note_refs,
    _note_refs,
    _note_delete,
]


@pytest.mark.parametrize("how", ["cli", "watch"])
def test_every_note_edit_builds_what_a_clean_build_builds(tmp_path, how):
    """Each note edit in turn (create, body, hashtags, photo, one reply then two then none,
    delete): incremental = clean."""
    app, content_dir, _ = _fixture_site(tmp_path)
    rng = random.Random(28)
    memory = BuildMemory()
    build_site(app, changes=Changes(memory, set()))
    for number, edit in enumerate(NOTE_EDITS):
        before = tree(app.config["BUILD_DIR"])
        edit(content_dir, rng)
        if how == "cli":
            build_site(app)
        else:
            changed = {str(p) for p in content_dir.rglob("*")}
            build_site(app, changes=Changes(memory, changed))
        assert tree(app.config["BUILD_DIR"]) != before, edit.__name__  # the edit shows
        _assert_like_a_clean_build(app, tmp_path / f"clean-{number}", edit.__name__, how)


@pytest.mark.parametrize("edit", THEME_EDITS, ids=lambda e: e.__name__)
def test_each_theme_edit_changes_the_built_site(app, site_dir, edit):
    """The theme edits of the sequences above do change pages (or they would prove nothing)."""
    build_site(app)
    before = tree(app.config["BUILD_DIR"])
    edit(site_dir, random.Random(1))
    result = build_site(app)
    assert result.written > 0
    assert tree(app.config["BUILD_DIR"]) != before


def _hello(**changes: object) -> Callable[[Path, random.Random], None]:
    def edit(content_dir: Path, rng: random.Random) -> None:
        _edit_post(content_dir, "posts/hello-world.md", **changes)

    edit.__name__ = f"hello_{'_'.join(changes)}"
    return edit


#: An alias, the title its redirect page shows, an .html alias, then none.
ALIAS_EDITS = [
    _hello(aliases=["/2015/01/hello/"]),
    _hello(title="Hello again"),
    _hello(aliases=["/2015/01/hello/", "/hello.html"]),
    _hello(aliases=[]),
]


@pytest.mark.parametrize("how", ["cli", "watch"])
def test_every_alias_edit_builds_what_a_clean_build_builds(tmp_path, how):
    """Redirect pages and the hosts' redirect files follow each edit: incremental = clean."""
    app, content_dir, _ = _fixture_site(tmp_path)
    memory = BuildMemory()
    build_site(app, changes=Changes(memory, set()))
    for number, edit in enumerate(ALIAS_EDITS):
        before = tree(app.config["BUILD_DIR"])
        edit(content_dir, random.Random(number))
        if how == "cli":
            build_site(app)
        else:
            build_site(app, changes=Changes(memory, {str(p) for p in content_dir.rglob("*")}))
        assert tree(app.config["BUILD_DIR"]) != before, edit.__name__  # the edit shows
        _assert_like_a_clean_build(app, tmp_path / f"clean-{number}", edit.__name__, how)
    assert "2015/01/hello/index.html" not in tree(app.config["BUILD_DIR"])

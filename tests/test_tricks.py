"""Every speed trick makes the same bytes as its plain path, and its library still allows it."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request

from app import tricks
from app.content import codeblocks, lexing
from app.content.render import render_markdown
from app.extensions import db
from app.public import snapshot, visibility
from tests import test_incremental
from tests.snapshot_helpers import as_a_build
from tests.test_incremental import build, clean_build_of, tree

#: The public app of the incremental-build tests (built without an app context around it).
app = test_incremental.app


def _append(content_dir: Path, sentence: str) -> None:
    """An author's edit: one sentence more in the body of a post with a code block."""
    path = next(p for p in sorted((content_dir / "posts").glob("*.md")) if "```" in p.read_text())
    path.write_text(path.read_text() + f"\n{sentence}\n")


@pytest.mark.parametrize("trick", sorted(tricks.TRICKS))
def test_a_build_with_a_trick_off_is_byte_for_byte_the_same(
    app: Flask, content_dir: Path, tmp_path: Path, trick: str
) -> None:
    """Off for a clean build, and off for an incremental build after an edit made with it
    on (and the other way round): the same files as with every trick on."""
    build(app)
    built = app.config["BUILD_DIR"]
    app.config["SPEED_TRICKS_OFF"] = trick
    with app.app_context():
        assert not tricks.enabled(trick)
    assert clean_build_of(app, tmp_path / "off") == tree(built)

    _append(content_dir, "A sentence added with the trick off.")
    assert build(app).written > 0
    app.config["SPEED_TRICKS_OFF"] = ""
    assert tree(built) == clean_build_of(app, tmp_path / "on")

    _append(content_dir, "A sentence added with every trick on.")
    build(app)
    app.config["SPEED_TRICKS_OFF"] = trick
    assert tree(built) == clean_build_of(app, tmp_path / "off-again")


def test_every_trick_off_at_once_builds_the_same(app: Flask, tmp_path: Path) -> None:
    build(app)
    app.config["SPEED_TRICKS_OFF"] = "all"
    with app.app_context():
        assert tricks.disabled() == frozenset(tricks.TRICKS)
    assert clean_build_of(app, tmp_path / "plain") == tree(app.config["BUILD_DIR"])


def test_an_unknown_trick_is_a_clear_error(app: Flask) -> None:
    app.config["SPEED_TRICKS_OFF"] = "fragments, warp-drive"
    with app.app_context(), pytest.raises(ValueError, match="unknown tricks warp-drive"):
        tricks.disabled()


# -- private APIs of other libraries: each fails here, loudly, where a release breaks it ------


def test_res_private_parser_still_joins_lexer_rules() -> None:
    """``joined-lexers`` reads regexes with ``re._parser`` (CPython 3.11+); without it
    ``codeblocks`` falls back to Pygments' own loop, silently slower: say so here."""
    assert codeblocks.accelerate is lexing.accelerate, "re._parser is gone: lexing is slow"
    lexer = codeblocks._lexer_of("python", True)
    assert lexer.get_tokens_unprocessed.__name__ == "get_tokens_unprocessed"
    plain = codeblocks._lexer_of("python", False)
    source = "def f(x):\n    return x ** 2  # square\n"
    assert list(lexer.get_tokens(source)) == list(plain.get_tokens(source))


def test_werkzeugs_base_url_is_still_a_cached_property() -> None:
    """``fast-requests`` fills ``request.base_url`` in per page, as werkzeug's
    ``cached_property`` keeps it in the instance's ``__dict__``."""
    assert isinstance(inspect.getattr_static(Request, "base_url"), cached_property)


def test_rows_read_off_the_cursor_are_the_rows_sqlalchemy_gives(app: Flask, tmp_path) -> None:
    """``plain-rows`` converts the DB-API cursor's values with each column's own result
    processor: the same values (and types) as SQLAlchemy's rows."""
    build(app)
    with app.test_request_context(), as_a_build() as snap:
        query = snapshot.listed_columns(visibility.visible())
        fast = snapshot.plain_rows(query)
        snap.plain_rows = False
        plain = snapshot.plain_rows(query)
        rows = [list(row) for row in db.session.execute(query)]
    assert fast == plain == rows
    assert fast
    assert [[type(v) for v in row] for row in fast] == [[type(v) for v in row] for row in rows]


def test_code_blocks_highlight_the_same_with_rules_joined_or_not(app: Flask) -> None:
    """``joined-lexers`` (bodies are rendered when a post is saved or synced, so a build
    comparison would not see it): every code block of the fixture site, both ways."""
    posts = (Path(app.config["CONTENT_DIR"]) / "posts").glob("*.md")
    bodies = [path.read_text() for path in sorted(posts) if "```" in path.read_text()]
    assert bodies
    with app.app_context():
        joined = [render_markdown(body).html for body in bodies]
        app.config["SPEED_TRICKS_OFF"] = "joined-lexers"
        plain = [render_markdown(body).html for body in bodies]
    assert joined == plain
    assert any('class="highlight"' in html for html in plain)

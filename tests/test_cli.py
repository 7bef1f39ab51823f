"""The ``flask`` commands authors and scripts use."""

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import User
from config import TestingConfig


def test_content_sync_prints_counts(runner, content_dir):
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0
    total = len(list(content_dir.glob("*/*.md")))
    assert f"{total} added, 0 updated, 0 removed, 0 unchanged" in result.output
    again = runner.invoke(args=["content", "sync"])
    assert f"0 added, 0 updated, 0 removed, {total} unchanged" in again.output


def test_content_sync_reports_bad_files_and_fails(runner, content_dir):
    (content_dir / "posts" / "bad.md").write_text("---\ntitle: x\ndate: 2026-13-01\n---\n")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1
    assert "content/posts/bad.md:3: invalid 'date'" in result.output
    assert "nothing was changed" in result.output


def test_content_export_writes_missing_files(synced, runner, content_dir):
    (content_dir / "posts" / "hello-world.md").unlink()
    result = runner.invoke(args=["content", "export"])
    assert result.exit_code == 0
    assert "1 file(s) written" in result.output
    assert "title: Hello, world" in (content_dir / "posts" / "hello-world.md").read_text()


def test_user_create_with_password_option(app, runner):
    result = runner.invoke(
        args=["user", "create", "ada", "--email", "ada@example.org", "--password", "s3cret-pass"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "ada"))
    assert user.password_hash != "s3cret-pass"
    assert user.check_password("s3cret-pass")
    assert not user.check_password("wrong")


def test_user_create_prompts_for_the_password(app, runner):
    result = runner.invoke(args=["user", "create", "bob"], input="long-enough\nlong-enough\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).where(User.username == "bob")) is not None


def test_user_create_refuses_duplicates_and_short_passwords(app, runner):
    assert runner.invoke(args=["user", "create", "ada", "--password", "long-enough"]).exit_code == 0
    dup = runner.invoke(args=["user", "create", "ada", "--password", "long-enough"])
    assert dup.exit_code != 0
    assert "exists" in dup.output
    short = runner.invoke(args=["user", "create", "cy", "--password", "short"])
    assert short.exit_code != 0
    assert "at least 8" in short.output


@pytest.mark.parametrize(
    "args",
    [
        ["user", "create", "ada", "--password", "correct horse battery"],
        ["token", "list"],
        ["content", "sync"],
    ],
)
def test_a_database_not_set_up_yet_says_what_to_run(tmp_path, content_dir, database_url, args):
    """A fresh checkout: 'flask user create' before any build or upgrade (no tables yet)."""
    app = create_app(
        TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "CONTENT_DIR": content_dir}
    )
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1, result.output
    assert "run 'flask db upgrade' first" in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        db.engine.dispose()

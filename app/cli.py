"""``flask`` commands: content sync/export and user management."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from app.content import ContentErrors, export_content, sync_content
from app.extensions import db
from app.models import User

content_cli = AppGroup("content", help="Sync content/ with the database.")
user_cli = AppGroup("user", help="Manage authors.")


def report_content_errors(errors: ContentErrors) -> None:
    """Print each content error on its own line, file first, as compilers do."""
    for error in errors.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    click.echo(f"{len(errors.errors)} file(s) need fixing; nothing was changed.", err=True)


@content_cli.command("sync")
def content_sync() -> None:
    """Import new and changed files from content/, remove rows whose file is gone."""
    try:
        report = sync_content(
            current_app.config["CONTENT_DIR"], current_app.config["MAX_CONTENT_FILE_BYTES"]
        )
    except ContentErrors as exc:
        report_content_errors(exc)
        raise SystemExit(1) from None
    for warning in report.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    for label, paths in (
        ("added", report.added),
        ("updated", report.updated),
        ("removed", report.removed),
    ):
        for path in paths:
            click.echo(f"{label}: {path}")
    click.echo(f"Synced content: {report.summary()}.")


@content_cli.command("export")
def content_export() -> None:
    """Write every post in the database to its file in content/."""
    written = export_content(current_app.config["CONTENT_DIR"])
    click.echo(f"Exported content: {written} file(s) written.")


@user_cli.command("create")
@click.argument("username")
@click.option("--email", help="Defaults to USERNAME@localhost.")
@click.password_option(
    envvar="MICROBLOG_PASSWORD", help="Prompted for when not given (or set MICROBLOG_PASSWORD)."
)
def user_create(username: str, email: str | None, password: str) -> None:
    """Create an author who can log in to the admin."""
    email = email or f"{username}@localhost"
    clash = db.session.scalar(
        sa.select(User).where(sa.or_(User.username == username, User.email == email))
    )
    if clash is not None:
        raise click.ClickException(f"a user named {username!r} or with email {email!r} exists")
    if len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters")
    user = User(username=username, email=email)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created author {username!r}.")


def register(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(user_cli)

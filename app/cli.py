"""``flask`` commands: content sync/export and user management."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from app.accounts import (
    SCOPES,
    create_token,
    find_token,
    revoke_token,
    set_role,
    sign_out_everywhere,
    tokens_for,
)
from app.content import ContentErrors, export_content, sync_content
from app.content.importers import KINDS, import_content
from app.content.importers import Options as ImportOptions
from app.extensions import db
from app.models import ApiToken, User
from app.permissions import AUTHOR, OWNER, ROLES

#: What the database says of a table or column it lacks: SQLite's words, PostgreSQL's codes.
_NOT_SET_UP = ("no such table", "no such column")
_NOT_SET_UP_CODES = frozenset({"42P01", "42703"})  # undefined table, undefined column


class DatabaseGroup(AppGroup):
    """Commands that use the database: one that is not set up yet (or is behind the code)
    is a one-line error that says what to run, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
            if not _not_set_up(exc):
                raise
            raise click.ClickException(
                "the database has no tables yet, or older ones than this code: run "
                "'flask db upgrade' first (python freeze.py does it too)"
            ) from None


def _not_set_up(exc: sa.exc.DBAPIError) -> bool:
    if getattr(exc.orig, "sqlstate", None) in _NOT_SET_UP_CODES:
        return True
    return any(words in str(exc.orig) for words in _NOT_SET_UP)


content_cli = DatabaseGroup("content", help="Sync content/ with the database.")
user_cli = DatabaseGroup("user", help="Manage authors.")
token_cli = DatabaseGroup("token", help="Manage personal API tokens.")


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


@content_cli.command("import")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--media",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The export's images folder (WordPress wp-content/uploads, Ghost content/images).",
)
@click.option("--dry-run", is_flag=True, help="Print the full report; write nothing.")
@click.option("--overwrite", is_flag=True, help="Replace files the import would write over.")
@click.option(
    "--old-url",
    metavar="URL",
    help="The old site's address, when the export does not say (Ghost): missing files and "
    "absolute links are resolved against it.",
)
def content_import(
    kind: str,
    source: Path,
    media: Path | None,
    dry_run: bool,
    overwrite: bool,
    old_url: str | None,
) -> None:
    """Import posts and pages from WordPress, Ghost, Jekyll, Hugo or Pelican (docs/migrate.md)."""
    options = ImportOptions(dry_run=dry_run, overwrite=overwrite, media=media, old_url=old_url)
    report = import_content(kind, source, Path(current_app.config["CONTENT_DIR"]), options)
    for line in report.lines(dry_run=dry_run):
        click.echo(line)
    if not report.ok:
        raise SystemExit(1)


@content_cli.command("export")
def content_export() -> None:
    """Write every post in the database to its file in content/."""
    written = export_content(current_app.config["CONTENT_DIR"])
    click.echo(f"Exported content: {written} file(s) written.")


@user_cli.command("create")
@click.argument("username")
@click.option("--email", help="Defaults to USERNAME@localhost.")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    help="owner, editor, author or contributor (default: owner for the first user, else author).",
)
@click.password_option(
    envvar="MICROBLOG_PASSWORD", help="Prompted for when not given (or set MICROBLOG_PASSWORD)."
)
def user_create(username: str, email: str | None, role: str | None, password: str) -> None:
    """Create an author who can log in to the admin."""
    email = email or f"{username}@localhost"
    if role is None:
        first = not db.session.scalar(sa.select(sa.func.count(User.id)))
        role = OWNER if first else AUTHOR
    clash = db.session.scalar(
        sa.select(User).where(sa.or_(User.username == username, User.email == email))
    )
    if clash is not None:
        raise click.ClickException(f"a user named {username!r} or with email {email!r} exists")
    if len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters")
    user = User(username=username, email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created author {username!r} ({role}).")


@user_cli.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def user_role(username: str, role: str) -> None:
    """Give an author a role: owner, editor, author or contributor (takes effect at once,
    for their sessions and API tokens alike)."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no author named {username!r}")
    try:
        set_role(user, role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{username!r} is now {role}.")


@user_cli.command("password")
@click.argument("username")
@click.password_option(
    envvar="MICROBLOG_PASSWORD", help="Prompted for when not given (or set MICROBLOG_PASSWORD)."
)
def user_password(username: str, password: str) -> None:
    """Change an author's password; their sessions end in every browser."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no author named {username!r}")
    if len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters")
    user.set_password(password)
    db.session.commit()
    click.echo(f"Changed the password of {username!r}; their sessions are logged out.")


@user_cli.command("logout")
@click.argument("username")
def user_logout(username: str) -> None:
    """Log an author out in every browser (remember-me cookies too; API tokens stay)."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no author named {username!r}")
    sign_out_everywhere(user)
    click.echo(f"Logged {username!r} out everywhere.")


@token_cli.command("create")
@click.option("--user", "username", required=True, help="The author who owns the token.")
@click.option("--name", required=True, help="A label, e.g. 'laptop' or 'ci'.")
@click.option("--read-only", is_flag=True, help="The token may read but not change anything.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(SCOPES),
    help="Only what this scope allows (repeat for several); default: every scope.",
)
@click.option(
    "--days",
    type=click.FloatRange(min=0, min_open=True),
    help="The token stops working after this many days; default: never (until revoked).",
)
def token_create(
    username: str, name: str, read_only: bool, scopes: tuple[str, ...], days: float | None
) -> None:
    """Create an API token and print it (the only time it is shown)."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no author named {username!r} (flask user create {username})")
    if read_only and scopes:
        raise click.ClickException("--read-only has no scopes: leave out --scope")
    try:
        token, raw = create_token(
            user,
            name,
            read_only=read_only,
            scopes=scopes or None,
            lifetime=None if days is None else timedelta(days=days),
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    rights = _rights(token)
    click.echo(f"Created {rights} token {token.prefix}… ({token.name!r}) for {username}.", err=True)
    if token.expires_at is not None:
        click.echo(f"It expires at {token.expires_at:%Y-%m-%d %H:%M} UTC.", err=True)
    click.echo("Copy it now, it is not shown again:", err=True)
    click.echo(raw)


def _state(token: ApiToken) -> str:
    """active (until when, if it expires), expired or revoked, as ``flask token list`` says."""
    if token.revoked_at is not None:
        return f"revoked {token.revoked_at:%Y-%m-%d}"
    if token.expires_at is None:
        return "active"
    when = f"{token.expires_at:%Y-%m-%d %H:%M}"
    return f"expired {when}" if token.expired else f"active until {when}"


def _rights(token: ApiToken) -> str:
    """read-only, read-write (every scope), or the scopes it has (``create,media``)."""
    if token.read_only:
        return "read-only"
    return "read-write" if token.scope_set == set(SCOPES) else ",".join(token.scopes.split())


@token_cli.command("list")
@click.option("--user", "username", help="Only this author's tokens.")
def token_list(username: str | None) -> None:
    """List tokens: id, prefix, owner, name, rights, state (never the tokens themselves)."""
    user = None
    if username is not None:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no author named {username!r}")
    click.echo("id\tprefix\towner\tname\trights\tstate")  # columns apart by tabs (cut -f2)
    for token in tokens_for(user):
        state = _state(token)
        rights = _rights(token)
        click.echo(
            f"{token.id}\t{token.prefix}…\t{token.user.username}\t{token.name}\t{rights}\t{state}"
        )


@token_cli.command("revoke")
@click.argument("ref")
def token_revoke(ref: str) -> None:
    """Revoke a token, by the id or prefix that 'flask token list' shows."""
    token = find_token(ref.removesuffix("…"))
    if token is None:
        raise click.ClickException(f"no single token matches {ref!r} (see flask token list)")
    revoke_token(token)
    click.echo(f"Revoked token {token.prefix}… ({token.name!r}) of {token.user.username}.")


def register(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(token_cli)

"""Database models: the working store and index of the content in ``content/``."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db, login
from app.localtime import site_zone, to_local
from app.status import status_of

if TYPE_CHECKING:
    # ``db.Model`` is made at run time from ``Base``'s body (Flask-SQLAlchemy 3.1).
    from app.extensions import Base as Model

    class UserMixin:
        """What flask_login's ``UserMixin`` (untyped) gives a user."""

        @property
        def is_active(self) -> bool: ...
        @property
        def is_authenticated(self) -> bool: ...
        @property
        def is_anonymous(self) -> bool: ...
        def get_id(self) -> str: ...

else:
    from flask_login import UserMixin

    Model = db.Model

post_tags = sa.Table(
    "post_tags",
    db.metadata,
    sa.Column("post_id", sa.ForeignKey("post.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves "tags of a post"; this serves "posts of a tag" (feeds, cleanup).
    sa.Index("ix_post_tags_tag_id", "tag_id"),
)


def new_session_token() -> str:
    """A user's session token: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class User(UserMixin, Model):
    """An author who can log in to the admin and own API tokens."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), index=True, unique=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(120), index=True, unique=True)
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    #: What session and remember-me cookies name the user by (Flask-Login's alternative id):
    #: a new one signs the user out everywhere.
    session_token: so.Mapped[str] = so.mapped_column(
        sa.String(64), index=True, unique=True, default=new_session_token
    )
    #: owner, editor, author or contributor: what ``app.permissions`` lets the user do.
    role: so.Mapped[str] = so.mapped_column(sa.String(16), default="author")

    def set_password(self, password: str) -> None:
        """Set a new password; every session of the old one ends."""
        self.password_hash = generate_password_hash(password)
        self.rotate_session_token()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash and check_password_hash(self.password_hash, password))

    def rotate_session_token(self) -> None:
        """Sign the user out of every browser (their cookies name the old token)."""
        self.session_token = new_session_token()

    def get_id(self) -> str:
        """Flask-Login stores this in the session and the remember-me cookie."""
        if not self.session_token:
            self.rotate_session_token()
        return self.session_token

    @property
    def display_name(self) -> str:
        """The name commits and bylines use (the username: users have no other name yet)."""
        return self.username

    def __repr__(self) -> str:
        return f"<User {self.username}>"


@login.user_loader  # type: ignore[untyped-decorator]  # flask_login is untyped
def load_user(session_token: str) -> User | None:
    """The user a session or remember-me cookie names, if that token is still current."""
    if not session_token or len(session_token) > 64:
        return None
    return db.session.scalar(sa.select(User).where(User.session_token == session_token))


class Tag(Model):
    """A tag; ``slug`` is its URL-safe form (``/tags/<slug>/``)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(100), index=True, unique=True)

    posts: so.Mapped[list[Post]] = so.relationship(secondary=post_tags, back_populates="tags")

    def __identity__(self) -> list[Any]:
        """What a page shows of a tag (``app.recording``)."""
        return ["tag", self.id, self.name, self.slug]

    def __repr__(self) -> str:
        return f"<Tag {self.name}>"


class Post(Model):
    """A post or a static page, mirrored from ``source_path`` (whose hash is ``source_hash``)."""

    #: A post (an article: title and summary), a page, or a note (no title, shown in full).
    KINDS = ("post", "page", "note")
    __table_args__ = (
        # Lists read posts newest first: with this index the database walks them in order
        # and stops at the page's last row instead of sorting every post for every page.
        sa.Index("ix_post_listing", "kind", "published_at", "slug"),
        # A sync compares every file with its row: this answers it without reading the rows'
        # large text columns.
        sa.Index("ix_post_sync", "source_path", "source_hash", "kind", "slug", "renderer"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(10), default="post", index=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(200), index=True, unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    toc_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: False when ``summary`` was derived from the body rather than written by the author.
    explicit_summary: so.Mapped[bool] = so.mapped_column(default=False)
    word_count: so.Mapped[int] = so.mapped_column(default=0)
    #: The body's visible text (for search), taken from the rendered HTML at save.
    body_text: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    #: The post's date (naive UTC); pages may have none.
    published_at: so.Mapped[datetime | None] = so.mapped_column(index=True)
    updated_at: so.Mapped[datetime | None]
    draft: so.Mapped[bool] = so.mapped_column(default=False, index=True)
    author_name: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey(User.id, ondelete="SET NULL"), index=True
    )
    #: Front-matter keys we do not know, kept so a round trip loses nothing.
    extra: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    #: Old site paths (``aliases:``) whose redirect pages point here (``content.aliases``).
    aliases: so.Mapped[list[str]] = so.mapped_column(
        sa.JSON, default=list, server_default=sa.text("'[]'")
    )
    #: Its tags as its file writes them, in order (``tags:``, then a note's ``#hashtags``):
    #: the spellings a tag is named by (``content.tagnames``) and the order a save keeps.
    tags_written: so.Mapped[list[str]] = so.mapped_column(
        sa.JSON, default=list, server_default=sa.text("'[]'")
    )
    source_path: so.Mapped[str] = so.mapped_column(sa.String(500), unique=True)
    source_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: The Markdown renderer that made ``body_html`` (``render.renderer_id``): a sync renders
    #: the row again when it is not the current one, as after an upgrade.
    renderer: so.Mapped[str] = so.mapped_column(sa.String(16), default="", server_default="")

    author: so.Mapped[User | None] = so.relationship()
    tags: so.Mapped[list[Tag]] = so.relationship(
        secondary=post_tags, back_populates="posts", order_by=Tag.name
    )

    @property
    def reading_minutes(self) -> int:
        """Minutes to read at 230 words a minute, at least one."""
        return max(1, round(self.word_count / 230))

    @property
    def status(self) -> str:
        """draft, scheduled or published (``app.status``)."""
        return status_of(self.draft, self.published_at, kind=self.kind)

    @property
    def local_date(self) -> str:
        """The day it was published in the site's time zone ('2026-12-03'; '' without a
        date). A property: kept with each build's rows, so a new SITE_TIMEZONE that moves
        a post to another day shows as a change of it (``search.json`` copies no stale date)."""
        if self.published_at is None:
            return ""
        return to_local(self.published_at, site_zone()).date().isoformat()

    @property
    def photos(self) -> list[dict[str, str]]:
        """The ``photos:`` of its file (kept in ``extra``), each ``{"src", "alt"}``."""
        return [dict(photo) for photo in (self.extra or {}).get("photos", [])]

    @property
    def refs(self) -> dict[str, list[str]]:
        """Its ``in-reply-to``, ``bookmark-of``, ``like-of``, ``repost-of`` URLs (in ``extra``,
        as its file writes them: one as text, several as a list), each key's as a list."""
        from app.content.notes import REF_KEYS, ref_urls  # the content layer imports the models

        extra = self.extra or {}
        return {key: ref_urls(extra[key]) for key in REF_KEYS if extra.get(key)}

    @property
    def display_name(self) -> str:
        """Its title; a note's first words (or 'Photo', 'Note' when it has no text)."""
        if self.title:
            return self.title
        from app.content.notes import display_name

        return display_name(self.summary) or ("Photo" if self.photos else "Note")

    def __repr__(self) -> str:
        return f"<Post {self.slug}>"


#: What a token may do besides reading: Micropub's scopes, which the JSON API maps its
#: methods to (POST create, PUT/PATCH update, DELETE delete, uploads media).
WRITE_SCOPES = frozenset({"create", "update", "delete", "media"})


class DataRevision(Model):
    """One row: a token naming this database (migrations b7e2d4f6a813 and d5c8a3f1e927;
    ``app.build.keptposts`` reads it)."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token: so.Mapped[str] = so.mapped_column(sa.String(32))


class PostRevision(Model):
    """A random stamp of a post's last write: to its row, which tags it has or their names.
    Written only by the database's triggers (a row of its own: stamping the post's row would
    write its bodies again); never by our code. No foreign key: a deleted post's stamp is
    harmless."""

    post_id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    revision: so.Mapped[int] = so.mapped_column(sa.BigInteger)


class AuthCode(Model):
    """An IndieAuth authorization code: only its hash is kept, used once, short-lived."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), index=True, unique=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey(User.id, ondelete="CASCADE"), index=True
    )
    client_id: so.Mapped[str] = so.mapped_column(sa.String(500))
    redirect_uri: so.Mapped[str] = so.mapped_column(sa.String(2000))
    scopes: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    #: The PKCE S256 challenge the client sent with the authorization request.
    code_challenge: so.Mapped[str] = so.mapped_column(sa.String(128))
    created_at: so.Mapped[datetime] = so.mapped_column(
        default=lambda: datetime.now(UTC).replace(tzinfo=None)
    )
    used_at: so.Mapped[datetime | None]

    user: so.Mapped[User] = so.relationship()


class ApiToken(Model):
    """A personal API token: only its SHA-256 hash is kept; ``prefix`` tells tokens apart."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey(User.id, ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    #: The token's first characters, safe to show ("mb_AbCd…").
    prefix: so.Mapped[str] = so.mapped_column(sa.String(16))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), index=True, unique=True)
    #: What the token may do, space-separated (``app.accounts.SCOPES``); none: read only.
    scopes: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    #: The IndieAuth client (its URL) the author approved this token for; None: a personal token.
    client_id: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[datetime] = so.mapped_column(
        default=lambda: datetime.now(UTC).replace(tzinfo=None)
    )
    revoked_at: so.Mapped[datetime | None]
    #: When the token stops working (IndieAuth's tokens); None: never (personal tokens).
    expires_at: so.Mapped[datetime | None]
    #: The hash of the refresh token issued with it (IndieAuth), and when that one expires.
    refresh_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True, unique=True)
    refresh_expires_at: so.Mapped[datetime | None]
    #: The token its refresh token was exchanged for (rotation); set: the refresh token is used.
    replaced_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("api_token.id", ondelete="SET NULL")
    )

    user: so.Mapped[User] = so.relationship()

    @property
    def expired(self) -> bool:
        """Whether ``expires_at`` has passed (a revoked token may be expired too)."""
        now = datetime.now(UTC).replace(tzinfo=None)
        return self.expires_at is not None and self.expires_at <= now

    @property
    def active(self) -> bool:
        """Neither revoked nor expired: the token is accepted."""
        return self.revoked_at is None and not self.expired

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def read_only(self) -> bool:
        """A token without any write scope (the API's read-only tokens)."""
        return not self.scope_set & WRITE_SCOPES

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix} {self.name!r}>"

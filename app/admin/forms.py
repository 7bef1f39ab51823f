"""Admin forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from app.content.slugs import MAX_SLUG_LENGTH, SLUG_RE
from app.permissions import ROLES

STATUS_CHOICES = [
    SelectChoice("draft", "Draft (only you can see it)"),
    SelectChoice("published", "Published"),
    SelectChoice("scheduled", "Scheduled (published by the first build after its date)"),
]


class LoginForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Remember me")
    submit = SubmitField("Log in")


class SetupForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    email = StringField(
        "Email",
        validators=[
            Optional(),
            Length(max=120),
            Regexp(r"^[^@\s]+@[^@\s]+$", message="Not an email"),
        ],
        description="Optional; defaults to username@localhost.",
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8)])
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Create author")


class PostForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice("post", "Post"),
            SelectChoice("page", "Page"),
            SelectChoice("note", "Note"),
        ],
        default="post",
    )
    #: Required for posts and pages (``validate_title``); a note has none.
    title = StringField("Title", validators=[Length(max=300)])
    slug = StringField(
        "Slug",
        validators=[
            Optional(),
            Length(max=MAX_SLUG_LENGTH),
            Regexp(SLUG_RE, message="Use lowercase letters, digits and single hyphens."),
        ],
        description="The URL: lowercase letters, digits, hyphens. Empty: made from the title.",
    )
    status = RadioField("Status", choices=STATUS_CHOICES, default="draft")
    date = DateTimeLocalField(
        "Date",  # the editor names the site's time zone (SITE_TIMEZONE): local time
        format=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"],  # shown with seconds: saved as it was
        validators=[Optional()],
        render_kw={"step": "1"},
        description="The site's local time. Empty means now. A future date schedules a post, "
        "even marked Published.",
    )
    tags = StringField("Tags", description="Comma-separated, e.g. python, notes.")
    summary = TextAreaField(
        "Summary", description="Optional: lists, feeds and the meta description use it."
    )
    body = TextAreaField("Body (Markdown)")
    source_hash = HiddenField()
    disk_hash = HiddenField()
    save = SubmitField("Save")
    overwrite = SubmitField("Save mine anyway")

    def validate_title(self, field: StringField) -> None:
        """A post or a page needs a title; a note has none."""
        if self.kind.data != "note" and not (field.data or "").strip():
            raise StopValidation("This field is required.")


class ConfirmForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    """A POST with only a CSRF token: delete, publish, logout."""

    source_hash = HiddenField()
    submit = SubmitField("Confirm")


#: The longest expiry the admin's token form offers (ten years; blank is "never").
MAX_TOKEN_DAYS = 3650


class TokenForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    """A new personal API token."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    read_only = BooleanField("Read-only (cannot create, change or delete)")
    #: What a read-write token may do (``app.accounts.SCOPES``); all ticked by default.
    scopes = SelectMultipleField(
        "It may",
        choices=[
            SelectChoice("create", "create posts (create)"),
            SelectChoice("update", "change posts (update)"),
            SelectChoice("delete", "delete posts (delete)"),
            SelectChoice("media", "upload images (media)"),
        ],
        default=["create", "update", "delete", "media"],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    #: Days until it stops working (as ``flask token create --days``); blank: never.
    days = StringField("Expires after (days)", validators=[Optional()])

    def validate_days(self, field: StringField) -> None:
        text = field.data.strip()
        if not (text.isdigit() and 1 <= int(text) <= MAX_TOKEN_DAYS):
            raise StopValidation(
                f"Give a whole number of days between 1 and {MAX_TOKEN_DAYS}, "
                "or leave it blank for a token that works until you revoke it."
            )

    @property
    def lifetime(self) -> timedelta | None:
        """How long the new token works (None: until revoked)."""
        text = (self.days.data or "").strip()
        return timedelta(days=int(text)) if text else None


class RoleForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    """An author's role (the owner's users page)."""

    role = SelectField("Role", choices=[SelectChoice(role, role.capitalize()) for role in ROLES])

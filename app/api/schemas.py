"""Marshmallow schemas: they validate requests, shape responses and make the OpenAPI document."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from app.accounts import SCOPES, parse_scopes
from app.content.aliases import MAX_ALIAS_LENGTH
from app.content.slugs import MAX_SLUG_LENGTH, SLUG_RE
from app.models import ApiToken
from app.status import STATUSES

#: Content files cannot hold NUL characters (they would be taken for binary files).
NO_NUL = r"^[^\x00]*$"
#: Some visible text, and no NUL.
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ma.ValidationError("must not contain NUL characters")


def _not_blank(value: str) -> None:
    if not value.split():
        raise ma.ValidationError("must not be blank")


def text(*, max_length: int | None = None, blank: bool = True, **kwargs: Any) -> fields.String:
    """A text field with the same rules in the validator and in the published schema."""
    validators: list[Any] = [_no_nul]
    if not blank:
        validators.append(_not_blank)
    if max_length is not None:
        validators.append(validate.Length(max=max_length))
    metadata = {"pattern": NO_NUL if blank else NOT_BLANK, **kwargs.pop("metadata", {})}
    return fields.String(validate=validators, metadata=metadata, **kwargs)


class StrictBoolean(fields.Boolean):
    """JSON ``true``/``false`` only: no ``1``, ``"yes"`` or ``"on"``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class UtcDateTime(fields.DateTime):
    """RFC 3339 with an offset in, naive UTC inside (as the content layer keeps it), ``Z`` out."""

    default_error_messages = {  # noqa: RUF012 (marshmallow merges this class attribute)
        "invalid": "not a date and time: use RFC 3339 with a UTC offset, e.g. "
        "2026-11-25T14:30:00Z, 2026-11-25T16:30:00+02:00 or 2026-11-25T14:30Z",
        "offset": "give a UTC offset, e.g. 2026-11-25T14:30:00Z or +02:00",
        "range": "the date is out of range",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise self.make_error("offset")
        try:
            return parsed.astimezone(UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):
            raise self.make_error("range") from None


#: At most this many tags on a post, of at most this many characters each.
MAX_TAGS, MAX_TAG_LENGTH = 50, 100
#: Tags as one comma-separated string, as front matter allows: ``"python, web"``.
TAG_STRING = (
    rf"^[^\x00,]{{0,{MAX_TAG_LENGTH}}}(?:,[^\x00,]{{0,{MAX_TAG_LENGTH}}}){{0,{MAX_TAGS - 1}}}$"
)


class Tags(fields.Field[list[str]]):
    """A list of tags, or one comma-separated string of them (split as front matter is)."""

    default_error_messages = {  # noqa: RUF012 (marshmallow merges this class attribute)
        "invalid": 'give a list of tags or one comma-separated string, e.g. "python, web"',
        "string": f"at most {MAX_TAGS} comma-separated tags of at most "
        f"{MAX_TAG_LENGTH} characters each, without NUL characters",
    }

    def __init__(self, **kwargs: Any) -> None:
        self._list = fields.List(
            text(max_length=MAX_TAG_LENGTH, blank=False), validate=validate.Length(max=MAX_TAGS)
        )
        items = {"type": "string", "maxLength": MAX_TAG_LENGTH, "pattern": NOT_BLANK}
        one_of = [
            {"type": "array", "maxItems": MAX_TAGS, "items": items},
            {"type": "string", "pattern": TAG_STRING},
        ]
        super().__init__(metadata={"oneOf": one_of, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if isinstance(value, str):
            if not re.fullmatch(TAG_STRING, value):
                raise self.make_error("string")
            return [name.strip() for name in value.split(",") if name.strip()]
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return [str(tag) for tag in self._list.deserialize(value, attr, data, **kwargs)]

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else list(value)


# --- posts ---------------------------------------------------------------------------------

#: An alias as the API takes it: a path from '/', no empty, '.' or '..' part, no query,
#: fragment, space or quote; a '%' only as an escape ('%20'); ``content.aliases.check_alias``
#: says why in words, and checks what the escapes stand for.
ALIAS_PATTERN = r'^(?:/(?!\.\.?(?:/|$))(?:[^/\s\x00-\x1f\x7f?#"<>\\%]|%[0-9A-Fa-f]{2})+)+/?$'


class PostReplaceSchema(ma.Schema):
    """A post's fields as a client sends them to replace it (the slug never changes here)."""

    title = text(
        required=True, max_length=300, blank=False, metadata={"description": "The post's title."}
    )
    body = text(metadata={"description": "Markdown."})
    date = UtcDateTime(
        metadata={"description": "Publication date; a future one schedules the post. Default: now."}
    )
    updated = UtcDateTime(allow_none=True, metadata={"description": "Last significant update."})
    tags = Tags(metadata={"description": 'A list, or one string split at commas: "a, b".'})
    draft = StrictBoolean(metadata={"description": "Drafts never appear on the site."})
    summary = text(max_length=2000, metadata={"description": "Shown on lists and in feeds."})
    aliases = fields.List(
        fields.String(
            validate=[
                validate.Length(min=1, max=MAX_ALIAS_LENGTH),
                validate.Regexp(ALIAS_PATTERN, error="a site path such as '/2015/01/old/'"),
            ],
            metadata={"pattern": ALIAS_PATTERN},
        ),
        validate=validate.Length(max=100),
        metadata={
            "description": "Old site paths that redirect to the post ('/2015/01/old-title/', "
            "'/old.html'). Renaming a published post adds its old URL."
        },
    )


#: A post's slug: a slug that does not start with a date (``2026-08-28-...``: a post's file
#: named so is read as a Jekyll post of that day named by the rest; notes' slugs look so).
POST_SLUG = r"^(?!\d{4}-\d{2}-\d{2}-)" + SLUG_RE.pattern.removeprefix("^")


def _slug_field(description: str) -> fields.String:
    return fields.String(
        validate=[
            validate.Regexp(
                POST_SLUG,
                error="use lowercase letters a-z and digits, words joined by single hyphens "
                "(e.g. my-first-post), with no hyphen at either end, not starting with a "
                "date (YYYY-MM-DD-: leave the date out, the post's date is its own field)",
            ),
            validate.Length(min=1, max=MAX_SLUG_LENGTH),
        ],
        metadata={"pattern": POST_SLUG, "description": description},
    )


class PostCreateSchema(PostReplaceSchema):
    """A new post; its slug (made from the title when left out) is its URL from then on."""

    slug = _slug_field(
        "URL name: lowercase letters, digits, single hyphens. Made from the title when left out."
    )


class PostPatchSchema(PostReplaceSchema):
    """Only the fields to change."""

    title = text(max_length=300, blank=False, metadata={"description": "The post's title."})
    slug = _slug_field(
        "A new URL name: renames the post; a published post keeps its old URL in 'aliases'."
    )


class PostSchema(ma.Schema):
    """A post as the API returns it."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "Markdown source."})
    body_html = fields.String(required=True, metadata={"description": "Rendered, sanitized."})
    summary = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    date = UtcDateTime(required=True, allow_none=True)
    updated = UtcDateTime(required=True, allow_none=True)
    draft = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    author = fields.String(required=True, allow_none=True)
    url = fields.String(required=True, metadata={"description": "Path of the public page."})
    etag = fields.String(required=True, metadata={"description": "Send as If-Match to update."})
    word_count = fields.Integer(required=True)
    reading_minutes = fields.Integer(required=True)
    aliases = fields.List(
        fields.String(), required=True, metadata={"description": "Old paths redirected here."}
    )
    warnings = fields.List(
        fields.String(),
        metadata={
            "description": "Only after a write that left text of the body unseen: what "
            "sanitizing removed, by body line, and what to do (e.g. close an HTML comment)."
        },
    )


class PostQuerySchema(ma.Schema):
    """Filters and paging for the post list."""

    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=100_000), metadata={"description": "1…"}
    )
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    status = fields.String(validate=validate.OneOf(STATUSES))
    tag = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "A tag's slug."}
    )
    q = text(max_length=200, metadata={"description": "Words to find in the title or body."})
    date_from = fields.Date(
        data_key="from", metadata={"description": "Posts dated on or after this day (the site's)."}
    )
    date_to = fields.Date(
        data_key="to", metadata={"description": "Posts dated on or before this day (the site's)."}
    )


class LinksSchema(ma.Schema):
    self_ = fields.String(attribute="self", data_key="self", required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    prev = fields.String(allow_none=True, required=True)
    next = fields.String(allow_none=True, required=True)


class PageSchema(ma.Schema):
    """One page of a list, with the links to the others (a subclass says of what)."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    links = fields.Nested(LinksSchema, required=True)


class PostPageSchema(PageSchema):
    """One page of posts, with the links to the others."""

    items = fields.List(fields.Nested(PostSchema), required=True)


# --- other resources -----------------------------------------------------------------------


class TagSchema(ma.Schema):
    name = fields.String(required=True)
    slug = fields.String(required=True)
    posts = fields.Integer(required=True, metadata={"description": "How many posts use it."})


class MediaUploadSchema(ma.Schema):
    """A multipart form: the image and its alt text, nothing else."""

    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "PNG, JPEG, GIF or WebP."},
    )
    alt = text(
        required=True,
        blank=False,
        max_length=300,
        metadata={"description": "What the image shows, for readers who cannot see it."},
    )


class MediaSchema(ma.Schema):
    name = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "Path on the site."})
    markdown = fields.String(required=True, metadata={"description": "Paste into a post."})
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    size = fields.Integer(required=True)


class BuildSchema(ma.Schema):
    id = fields.String(required=True)
    state = fields.String(
        required=True, validate=validate.OneOf(("queued", "running", "succeeded", "failed"))
    )
    created_at = fields.Float(required=True, metadata={"description": "Unix time."})
    started_at = fields.Float(required=True, allow_none=True)
    finished_at = fields.Float(required=True, allow_none=True)
    pages = fields.Integer(required=True, allow_none=True)
    seconds = fields.Float(required=True, allow_none=True)
    summary = fields.String(required=True)
    errors = fields.List(fields.String(), required=True)
    done = fields.Boolean(required=True)


class TokenInfoSchema(ma.Schema):
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    read_only = fields.Boolean(
        required=True, metadata={"description": "No write scope: the token only reads."}
    )
    scopes = fields.Method(
        "_scopes",
        required=True,
        metadata={
            "type": "array",
            "items": {"type": "string", "enum": list(SCOPES)},
            "description": "What the token may change: POST `create`, PUT/PATCH `update`, "
            "DELETE `delete`, `POST /media` `media` (none: read-only).",
        },
    )
    created_at = UtcDateTime(required=True)
    expires_at = UtcDateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When the token stops working; null: until revoked."},
    )

    def _scopes(self, token: ApiToken) -> list[str]:
        return list(parse_scopes(token.scopes))


class MeSchema(ma.Schema):
    username = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(
        required=True,
        metadata={
            "enum": ["owner", "editor", "author", "contributor"],
            "description": "What the token may do is its scopes within this role, asked at "
            "each request: a contributor's token changes only its own drafts.",
        },
    )
    token = fields.Nested(TokenInfoSchema, required=True)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={"description": "One entry per invalid field: location, field, detail."},
    )

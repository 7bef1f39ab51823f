"""The notes resource's schemas: a note in (text, tags, photos by uploaded name, reply links)
and out. Shared field types come from ``schemas``.

A reply link (``in_reply_to``...) is sent as one URL or a list of them; the answer keeps the
field as it always was (the first URL, or null) and lists them all in ``<field>_urls``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from app.api.schemas import PageSchema, StrictBoolean, Tags, UtcDateTime, text
from app.status import STATUSES

#: A note's links to other pages: the JSON field and the front-matter key (microformats2).
REF_FIELDS = {
    "in_reply_to": "in-reply-to",
    "bookmark_of": "bookmark-of",
    "like_of": "like-of",
    "repost_of": "repost-of",
}
#: An absolute http(s) URL: a host, then anything printable (ASCII: send IRIs encoded).
URL_PATTERN = r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!-~]*)?$"
MAX_URL_LENGTH = 2000
URL_ERROR = "an absolute http(s) URL or a list of them, e.g. https://example.com/a"
#: At most this many URLs in one reply link.
MAX_REF_URLS = 20
#: The name of an upload in content/media/, as ``POST /media`` answers it.
MEDIA_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
#: The OpenAPI ``format`` of such a name (the contract test knows the sample's uploads).
MEDIA_FORMAT = "media-name"
MAX_PHOTOS, MAX_ALT_LENGTH = 10, 1000


def all_urls(field: str) -> str:
    """The answer's field with every URL of a reply link (``in_reply_to_urls``)."""
    return f"{field}_urls"


class Urls(fields.Field[list[str]]):
    """A note's reply link: one absolute http(s) URL, a list of them, or null (none): a list
    in order, each once."""

    default_error_messages = {"invalid": URL_ERROR}  # noqa: RUF012 (marshmallow merges it)

    def __init__(self, what: str) -> None:
        self._url = url = fields.String(
            validate=[
                validate.Length(max=MAX_URL_LENGTH),
                validate.Regexp(URL_PATTERN, error=URL_ERROR),
            ]
        )
        self._list = fields.List(url, validate=validate.Length(max=MAX_REF_URLS))
        one = {"type": "string", "maxLength": MAX_URL_LENGTH, "pattern": URL_PATTERN}
        one_of = [
            {**one, "nullable": True},
            {"type": "array", "maxItems": MAX_REF_URLS, "items": one},
        ]
        description = f"{what} One URL, or a list of them; null or [] for none."
        super().__init__(allow_none=True, metadata={"oneOf": one_of, "description": description})

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if isinstance(value, str):  # its errors at the field, as when it took one URL alone
            return [self._url.deserialize(value, attr, data, **kwargs)]
        if not isinstance(value, list):
            raise self.make_error("invalid")
        urls = self._list.deserialize(value, attr, data, **kwargs)
        return list(dict.fromkeys(url for url in urls if url is not None))


class PhotoInSchema(ma.Schema):
    """A photo of a note: an image uploaded with ``POST /media``, and what it shows."""

    media = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=200),
            validate.Regexp(MEDIA_NAME, error="the 'name' POST /media answered, e.g. cat-1a2b.png"),
        ],
        metadata={
            "format": MEDIA_FORMAT,
            "description": "The `name` that `POST /media` answered (the file in content/media/).",
        },
    )
    alt = text(
        required=True,
        blank=False,
        max_length=MAX_ALT_LENGTH,
        metadata={"description": "What the photo shows, for readers who cannot see it."},
    )


class NoteWriteSchema(ma.Schema):
    """A note as a client writes it (no title; its URL comes from its first date and time)."""

    body = text(
        required=True,
        blank=False,
        metadata={"description": "Markdown. `#hashtags` in it become tags of the note."},
    )
    date = UtcDateTime(
        metadata={
            "description": "Publication date; a future one schedules the note. Default: now. "
            "The note's URL is made from its first date and never moves."
        }
    )
    updated = UtcDateTime(allow_none=True, metadata={"description": "Last significant update."})
    tags = Tags(metadata={"description": 'More tags than its #hashtags: a list, or "a, b".'})
    draft = StrictBoolean(metadata={"description": "Drafts never appear on the site."})
    photos = fields.List(
        fields.Nested(PhotoInSchema),
        validate=validate.Length(max=MAX_PHOTOS),
        metadata={"description": "Uploaded images shown with the note, in order."},
    )
    in_reply_to = Urls("The pages this note replies to.")
    bookmark_of = Urls("The pages this note bookmarks.")
    like_of = Urls("The pages this note likes.")
    repost_of = Urls("The pages this note reposts.")


class NotePatchSchema(NoteWriteSchema):
    """Only the fields to change (`null` removes a reply link)."""

    body = text(blank=False, metadata={"description": "Markdown."})


class PhotoSchema(ma.Schema):
    media = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Its name in content/media/; null for an image elsewhere."},
    )
    url = fields.String(required=True, metadata={"description": "Where the image is."})
    alt = fields.String(required=True, allow_none=True)


_FIRST = {"description": "The first URL of this link (null: none); all of them in `<field>_urls`."}
_ALL = {"description": "Every URL of this link, in order ([]: none)."}


class NoteSchema(ma.Schema):
    """A note as the API returns it."""

    slug = fields.String(
        required=True,
        metadata={"description": "Its id for good: its first local date and time."},
    )
    url = fields.String(required=True, metadata={"description": "Path of the public page."})
    name = fields.String(required=True, metadata={"description": "Its first words, for lists."})
    body = fields.String(required=True, metadata={"description": "Markdown source."})
    body_html = fields.String(required=True, metadata={"description": "Rendered, sanitized."})
    tags = fields.List(
        fields.String(), required=True, metadata={"description": "Its tags and #hashtags."}
    )
    date = UtcDateTime(required=True, allow_none=True)
    updated = UtcDateTime(required=True, allow_none=True)
    draft = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    author = fields.String(required=True, allow_none=True)
    etag = fields.String(required=True, metadata={"description": "Send as If-Match to update."})
    word_count = fields.Integer(required=True)
    photos = fields.List(fields.Nested(PhotoSchema), required=True)
    in_reply_to = fields.String(required=True, allow_none=True, metadata=_FIRST)
    bookmark_of = fields.String(required=True, allow_none=True, metadata=_FIRST)
    like_of = fields.String(required=True, allow_none=True, metadata=_FIRST)
    repost_of = fields.String(required=True, allow_none=True, metadata=_FIRST)
    in_reply_to_urls = fields.List(fields.String(), required=True, metadata=_ALL)
    bookmark_of_urls = fields.List(fields.String(), required=True, metadata=_ALL)
    like_of_urls = fields.List(fields.String(), required=True, metadata=_ALL)
    repost_of_urls = fields.List(fields.String(), required=True, metadata=_ALL)
    warnings = fields.List(
        fields.String(),
        metadata={"description": "Only after a write that left text of the body unseen."},
    )


class NotePageSchema(PageSchema):
    """One page of notes, with the links to the others."""

    items = fields.List(fields.Nested(NoteSchema), required=True)

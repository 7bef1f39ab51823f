"""The notes resource's schemas: a note in (text, tags, photos by uploaded name, reply links)
and out. Shared field types come from ``schemas``."""

from __future__ import annotations

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
#: The name of an upload in content/media/, as ``POST /media`` answers it.
MEDIA_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
#: The OpenAPI ``format`` of such a name (the contract test knows the sample's uploads).
MEDIA_FORMAT = "media-name"
MAX_PHOTOS, MAX_ALT_LENGTH = 10, 1000


def _url_field(what: str) -> fields.String:
    return fields.String(
        allow_none=True,
        validate=[
            validate.Length(max=MAX_URL_LENGTH),
            validate.Regexp(
                URL_PATTERN, error="an absolute http(s) URL, e.g. https://example.com/a"
            ),
        ],
        metadata={"pattern": URL_PATTERN, "description": what},
    )


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
    in_reply_to = _url_field("The page this note replies to.")
    bookmark_of = _url_field("The page this note bookmarks.")
    like_of = _url_field("The page this note likes.")
    repost_of = _url_field("The page this note reposts.")


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
    in_reply_to = fields.String(required=True, allow_none=True)
    bookmark_of = fields.String(required=True, allow_none=True)
    like_of = fields.String(required=True, allow_none=True)
    repost_of = fields.String(required=True, allow_none=True)
    warnings = fields.List(
        fields.String(),
        metadata={"description": "Only after a write that left text of the body unseen."},
    )


class NotePageSchema(PageSchema):
    """One page of notes, with the links to the others."""

    items = fields.List(fields.Nested(NoteSchema), required=True)

"""/notes: the posts without a title (``content/notes/``), as /posts has them: list with
filters and paging, read, create, replace, patch and delete.

A note's slug is its id and its URL, made from the local date and time of its first save by
the content service (``service.note_ready``); a later change of its date never moves it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Response, current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.common import (
    ETAG_HEADER,
    LINK_HEADER,
    LOCATION_HEADER,
    checked_version,
    editable,
    etag,
    field_error,
    find,
    paged,
    readable,
    remove,
    saved,
    write,
)
from app.api.errors import ApiError
from app.api.note_schemas import (
    REF_FIELDS,
    NotePageSchema,
    NotePatchSchema,
    NoteSchema,
    NoteWriteSchema,
    all_urls,
)
from app.api.openapi import ApiBlueprint, accepts, errors
from app.api.schemas import PostQuerySchema
from app.content import Document
from app.content.media import MEDIA_FOLDER
from app.content.notes import note_url_values
from app.content.queries import matching_posts
from app.content.store import document_from_post, written_tags
from app.models import Post

blp: ApiBlueprint = Blueprint(
    "notes",
    __name__,
    description="Notes: posts without a title (the Markdown files in content/notes/), "
    "at a URL made from their first date and time.",
)

EXAMPLE = {
    "body": "Evening light at the harbour. #photos",
    "photos": [{"media": "harbour.png", "alt": "An orange sky over the harbour"}],
    "in_reply_to": "https://example.com/2026/08/harbours/",
}
MEDIA_PREFIX = f"/{MEDIA_FOLDER}/"
#: The fields of a document a note's JSON sets as they are.
PLAIN_FIELDS = ("body", "date", "updated", "tags", "draft")


def _photo(photo: dict[str, str]) -> dict[str, str | None]:
    src = photo["src"]
    local = src.startswith(MEDIA_PREFIX)
    media = src.removeprefix(MEDIA_PREFIX) if local else None
    url = url_for("public.media", filename=media) if media else src
    return {"media": media, "url": url, "alt": photo.get("alt")}


def represent(note: Post) -> dict[str, Any]:
    """A note as the API shows it."""
    refs = note.refs
    return {
        "slug": note.slug,
        "url": url_for("public.note", **note_url_values(note.slug)),
        "name": note.display_name,
        "body": note.body,
        "body_html": note.body_html,
        "tags": written_tags(note),
        "date": note.published_at,
        "updated": note.updated_at,
        "draft": note.draft,
        "status": note.status,
        "author": note.author_name,
        "etag": etag(note),
        "word_count": note.word_count,
        "photos": [_photo(photo) for photo in note.photos],
        **{field: refs[key][0] if key in refs else None for field, key in REF_FIELDS.items()},
        **{all_urls(field): refs.get(key, []) for field, key in REF_FIELDS.items()},
    }


def _uploaded(photos: list[dict[str, str]]) -> list[dict[str, str]]:
    """Photos as a note's file has them (``src: /media/<name>``); 422 for a name that is
    not an upload in content/media/."""
    folder = Path(current_app.config["CONTENT_DIR"]) / MEDIA_FOLDER
    missing = [
        field_error(
            f"photos.{number}.media",
            f"no uploaded image is named {photo['media']!r}: upload it with POST /media and "
            "send the 'name' it answers",
        )
        for number, photo in enumerate(photos)
        if not (folder / photo["media"]).is_file()
    ]
    if missing:
        raise ApiError(422, f"{missing[0]['field']}: {missing[0]['detail']}", errors=missing)
    return [
        {"src": f"{MEDIA_PREFIX}{p['media']}", "alt": " ".join(p["alt"].split())} for p in photos
    ]


def changed(doc: Document, data: dict[str, Any]) -> Document:
    """``doc`` with the fields ``data`` sends (a reply link sent as null or [] is removed)."""
    fields: dict[str, Any] = {key: data[key] for key in PLAIN_FIELDS if key in data}
    if "photos" in data:
        fields["photos"] = _uploaded(data["photos"])
    refs = dict(doc.refs)
    for field, key in REF_FIELDS.items():
        if data.get(field):
            refs[key] = data[field]
        elif field in data:
            refs.pop(key, None)
    return replace(doc, **fields, refs=refs)


def get_note(slug: str) -> Post:
    return find("note", slug)


@blp.route("/notes", endpoint="notes")
class Notes(MethodView):
    @errors(blp, 403)
    @blp.arguments(PostQuerySchema, location="query")
    @blp.response(200, NotePageSchema, headers={"Link": LINK_HEADER})
    def get(self, args: dict[str, Any]) -> Any:
        """List notes, newest first

        Drafts and scheduled notes included; filter with `status`, `tag`, `from`/`to`, `q`
        (words in the text), and page with `page` and `per_page`, as for posts.
        """
        query = matching_posts(
            kind="note",
            status=args.get("status"),
            tag=args.get("tag"),
            q=args.get("q"),
            date_from=args.get("date_from"),
            date_to=args.get("date_to"),
        )
        return paged(query, args, represent)

    @accepts("application/json")
    @errors(blp, 403, 409, 413, 415)
    @blp.arguments(NoteWriteSchema, example=EXAMPLE)
    @blp.response(201, NoteSchema, headers={"Location": LOCATION_HEADER, "ETag": ETAG_HEADER})
    def post(self, data: dict[str, Any]) -> Any:
        """Create a note

        Writes `content/notes/<date>-<time>.md` (the local date and time of `date`, or of
        now) and indexes it; that is the note's slug and its URL for good. Photos are images
        uploaded first with `POST /media`, each with its alt text. `in_reply_to`, `like_of`,
        `repost_of` and `bookmark_of` take one URL or a list; the answer has them all in
        `in_reply_to_urls`... and the first in `in_reply_to`..., as before.
        """
        doc = changed(Document(title="", slug="", body="", kind="note"), data)
        note = write(doc)  # dated and named by the content service
        location = url_for("notes.note", slug=note.slug)
        return saved(note, represent), {"Location": location, "ETag": etag(note)}


@blp.route("/notes/<slug>", endpoint="note")
class NoteItem(MethodView):
    @errors(blp, 403, 404)
    @blp.response(200, NoteSchema, headers={"ETag": ETAG_HEADER})
    def get(self, slug: str) -> Any:
        """Read a note

        As its file is now, as for posts.
        """
        note = readable(get_note(slug))
        return represent(note), {"ETag": etag(note)}

    @accepts("application/json")
    @errors(blp, 403, 404, 409, 412, 413, 415)
    @blp.arguments(NoteWriteSchema, example=EXAMPLE)
    @blp.response(200, NoteSchema, headers={"ETag": ETAG_HEADER})
    def put(self, data: dict[str, Any], slug: str) -> Any:
        """Replace a note

        Fields left out take their defaults (no tags, photos or reply links, not a draft),
        except `date`, which stays. The slug never changes, nor does the URL, even with a
        new `date`. Send the note's ETag as `If-Match`: if it changed since, the answer is
        412 and nothing is written.
        """
        note = get_note(slug)
        base = editable(note)
        expected = checked_version(note)
        blank = replace(
            document_from_post(base), updated=None, tags=[], draft=False, photos=[], refs={}
        )
        note = write(changed(blank, data), note, expected)
        return saved(note, represent), {"ETag": etag(note)}

    @accepts("application/json")
    @errors(blp, 403, 404, 409, 412, 413, 415)
    @blp.arguments(NotePatchSchema)
    @blp.response(200, NoteSchema, headers={"ETag": ETAG_HEADER})
    def patch(self, data: dict[str, Any], slug: str) -> Any:
        """Change some fields of a note

        Only the fields sent change; e.g. `{"draft": false}` publishes a draft and
        `{"in_reply_to": null}` removes the reply link. The URL stays. Send the note's ETag
        as `If-Match` to be sure nobody changed it since you read it (412 if so).
        """
        note = get_note(slug)
        base = editable(note)
        expected = checked_version(note)
        note = write(changed(document_from_post(base), data), note, expected)
        return saved(note, represent), {"ETag": etag(note)}

    @errors(blp, 403, 404, 409, 412)
    @blp.response(204)
    def delete(self, slug: str) -> Any:
        """Delete a note

        Removes its file and its row. Send the note's ETag as `If-Match` to be sure you
        delete the version you saw (412 if it changed).
        """
        note = get_note(slug)
        remove(note, checked_version(note))
        return Response(status=204)

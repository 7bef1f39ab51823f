"""The dashboard's compose box: a note (text, a photo with alt text) posted or kept as a
draft in one step. Its hashtags become its tags (``app.content.notes``); the date and URL
come from its first save (``service.note_ready``)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from app.admin import bp
from app.admin.dashboard import render_dashboard
from app.content import ContentError, Document
from app.content.media import MediaError, save_upload
from app.content.render import body_warnings
from app.content.service import save_post
from app.models import Post


class NoteForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no type information
    """The compose box (CSRF-protected like every admin form)."""

    body = TextAreaField("What's new?", render_kw={"rows": 4})
    photo = FileField("Photo", render_kw={"accept": "image/png,image/jpeg,image/gif,image/webp"})
    alt = StringField(
        "Alt text",
        validators=[Length(max=1000)],
        description="What the photo shows, for readers who cannot see it (needed to post).",
    )
    post = SubmitField("Post")
    draft = SubmitField("Save draft")


def _check(form: NoteForm, body: str, has_photo: bool, draft: bool) -> bool:
    """Errors a note can be told of before anything is stored (the file, the upload)."""
    if not body.strip() and not has_photo:
        form.body.errors.append("Write something or attach a photo.")
    if has_photo and not draft and not (form.alt.data or "").strip():
        form.alt.errors.append("Describe the photo for readers who cannot see it, or save a draft.")
    return not form.body.errors and not form.alt.errors


@bp.route("/notes", methods=["POST"])
def compose() -> Response | tuple[str, int]:
    """Post (or save as a draft) the compose box's note, then back to the dashboard."""
    form = NoteForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        return render_dashboard(form), 422
    draft = bool(form.draft.data)
    body = (form.body.data or "").replace("\r\n", "\n").replace("\r", "\n")
    upload = form.photo.data
    has_photo = bool(upload and upload.filename)
    if not _check(form, body, has_photo, draft):
        return render_dashboard(form), 422
    photos: list[dict[str, str]] = []
    try:
        if has_photo:
            stored = save_upload(upload.stream, upload.filename, user)
            photo = {"src": stored.markdown_path}
            if (form.alt.data or "").strip():
                photo["alt"] = " ".join(form.alt.data.split())
            photos.append(photo)
        doc = Document(
            title="",
            slug="",
            body=body.strip() + "\n" if body.strip() else "",
            kind="note",
            draft=draft,
            photos=photos,
        )
        note = save_post(doc, author=user)
    except MediaError as exc:
        form.photo.errors.append(f"{exc.message} ({exc.hint})." if exc.hint else exc.message)
        return render_dashboard(form), 422
    except ContentError as exc:
        field = form.alt if exc.field == "photos" else form.body
        field.errors.append(f"{exc.message} ({exc.hint})." if exc.hint else exc.message)
        return render_dashboard(form), 422
    _flash_posted(note)
    for warning in body_warnings(note.body):
        flash(f"Saved, but readers will not see everything: {warning}.", "warning")
    return redirect(url_for("admin.dashboard"))


def _flash_posted(note: Post) -> None:
    if note.status == "draft":
        what = "saved as a draft: only you can see it"
    else:
        what = "posted: the next build publishes it (use Publish)"
    flash(f"Note {note.display_name!r} {what}.", "success")

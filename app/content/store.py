"""The one mapping between a ``Document`` (file) and a ``Post`` row (index)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.content.document import Document
from app.content.render import render_markdown, summarize
from app.content.slugs import slugify
from app.extensions import db
from app.models import Post, Tag, post_tags


def tags_for(names: Iterable[str]) -> list[Tag]:
    """Tags by name, matched on their slug so 'Python' and 'python' are one tag."""
    tags: dict[str, Tag] = {}
    for name in names:
        slug = slugify(name, fallback_prefix="tag")
        if slug in tags:  # 'Python' after 'python': one tag (and no second, unflushed row)
            continue
        tag = db.session.scalar(sa.select(Tag).where(Tag.slug == slug))
        if tag is None:
            tag = Tag(name=name, slug=slug)
            db.session.add(tag)
        tags[slug] = tag
    return list(tags.values())


def apply_document(post: Post, doc: Document, source_path: str, source_hash: str) -> Post:
    """Fill a row from a document, rendering its Markdown (the only place that renders)."""
    rendered = render_markdown(doc.body)
    post.kind = doc.kind
    post.slug = doc.slug
    post.title = doc.title
    post.body = doc.body
    post.body_html = rendered.html
    post.toc_html = rendered.toc_html
    post.word_count = rendered.word_count
    post.body_text = rendered.text
    post.summary = doc.summary or summarize(rendered.lead)
    post.published_at = doc.date
    post.updated_at = doc.updated
    post.draft = doc.draft
    post.author_name = doc.author
    post.extra = dict(doc.extra)
    post.tags = tags_for(doc.tags)
    post.source_path = source_path
    post.source_hash = source_hash
    post.explicit_summary = bool(doc.summary)
    return post


def document_from_post(post: Post) -> Document:
    """The document a row stands for (used to write files back)."""
    return Document(
        title=post.title,
        slug=post.slug,
        body=post.body,
        kind=post.kind,
        date=post.published_at,
        updated=post.updated_at,
        tags=[t.name for t in post.tags],
        draft=post.draft,
        summary=post.summary if post.explicit_summary else "",
        author=post.author_name,
        extra=dict(post.extra or {}),
    )


def delete_orphan_tags() -> int:
    """Remove tags no post uses any more."""
    used = sa.select(post_tags.c.tag_id)
    result = db.session.execute(sa.delete(Tag).where(Tag.id.not_in(used)))
    return result.rowcount or 0

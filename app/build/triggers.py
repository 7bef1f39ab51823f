"""The database triggers that stamp each post's revision on every write to it, to which tags
it has or to those tags (migrations b7e2d4f6a813, d5c8a3f1e927 and e1c4b9a7d305), by
database. ``keptposts`` and ``stamps`` trust the revisions only while all of them are there.

Standard library only: ``freeze.py``'s stamps read it before the app loads.
"""

from __future__ import annotations

TRIGGERS = {
    "sqlite": (
        "post_revision_insert",
        "post_revision_update",
        "post_revision_delete",
        "post_tags_revision_insert",
        "post_tags_revision_update",
        "post_tags_revision_delete",
        "tag_revision_update",
        "tag_revision_delete",
    ),
    "postgresql": ("post_revision", "post_tags_revision", "tag_revision"),
}

"""Who may do what: the one place roles are decided.

The admin, the API, Micropub, the content service and Publish ask ``can`` (or ``require``);
nothing else compares roles. Roles, widest first: owner (everything, and manages roles),
editor (every post), author (own posts, publishing included), contributor (own drafts only).
A post is someone's own when its row names them as author (``Post.author_id``): posts that
came from files without a user are the editors' and the owner's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from werkzeug.exceptions import Forbidden

if TYPE_CHECKING:
    from app.models import Post, User

OWNER, EDITOR, AUTHOR, CONTRIBUTOR = "owner", "editor", "author", "contributor"
#: Every role, widest first.
ROLES = (OWNER, EDITOR, AUTHOR, CONTRIBUTOR)
ROLE_LABELS = {
    OWNER: "Owner: everything, and manages authors' roles",
    EDITOR: "Editor: every post, publishing and builds",
    AUTHOR: "Author: own posts, publishing and builds",
    CONTRIBUTOR: "Contributor: own drafts only",
}

#: What a user may be asked to do. ``edit``/``delete``/``publish`` take the post (None: a
#: new one); ``publish`` means saving a post that is not a draft (published or scheduled).
Action = Literal["read", "create", "edit", "publish", "delete", "upload", "build", "manage_users"]
ACTIONS: tuple[Action, ...] = (
    "read",
    "create",
    "edit",
    "publish",
    "delete",
    "upload",
    "build",
    "manage_users",
)

_EVERYONE = frozenset(ROLES)
_PUBLISHERS = frozenset({OWNER, EDITOR, AUTHOR})
#: Actions that need no post: the roles allowed them.
_GLOBAL: dict[str, frozenset[str]] = {
    "read": _EVERYONE,
    "create": _EVERYONE,
    "upload": _EVERYONE,
    "build": _PUBLISHERS,
    "manage_users": frozenset({OWNER}),
}


class PermissionDenied(Forbidden):
    """A 403 that says why: the admin shows its message, the API answers it as a problem."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message)
        self.message = message


def is_own(user: User, post: Post | None) -> bool:
    """True for a new post (None) or one whose row names ``user`` as its author."""
    return post is None or (post.author_id is not None and post.author_id == user.id)


def can(user: User | None, action: Action, post: Post | None = None) -> bool:
    """May ``user`` do ``action`` (to ``post``, for edit, delete and publish)?"""
    if user is None or getattr(user, "role", None) not in ROLES:
        return False
    role = user.role
    if action in _GLOBAL:
        return role in _GLOBAL[action]
    if role in (OWNER, EDITOR):
        return True
    if not is_own(user, post):
        return False
    if role == AUTHOR:
        return True
    # A contributor: own drafts only; never publish or schedule, never touch what is out.
    return action != "publish" and (post is None or post.status == "draft")


def why_not(user: User | None, action: Action, post: Post | None = None) -> str:
    """The sentence an author reads when ``can`` said no."""
    role = getattr(user, "role", None) or "no role"
    what = f"{post.kind} {post.slug!r}" if post is not None else "this"
    if action == "publish":
        return f"a {role} cannot publish or schedule: save it as a draft and ask an editor"
    if action in ("edit", "delete") and post is not None:
        if user is None or not is_own(user, post):
            return f"the {what} is not yours: a {role} may {action} only their own posts"
        return f"a {role} may {action} only drafts, and the {what} is {post.status}"
    if action == "build":
        return f"a {role} cannot publish the site: ask an author, an editor or the owner"
    if action == "manage_users":
        return "only the owner manages authors and their roles"
    return f"a {role} may not {action} here"


def require(user: User | None, action: Action, post: Post | None = None) -> None:
    """Raise ``PermissionDenied`` (a 403 with the reason) unless ``can`` says yes."""
    if not can(user, action, post):
        raise PermissionDenied(why_not(user, action, post))


def require_save(user: User, post: Post | None, *, draft: bool) -> None:
    """A save of ``post`` (None: a new one) that leaves it a draft or not (``draft``)."""
    if post is None:
        require(user, "create")
    else:
        require(user, "edit", post)
    if not draft:
        require(user, "publish", post)

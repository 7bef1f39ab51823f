"""Every route and method of the authoring app, with every role: allowed or forbidden.

The routes come from ``app.url_map``: a new route has no expectation here and fails the test
until it gets one. The expectations are written out by hand from the rules of the issue
(owner, editor, author, contributor), not computed from ``app.permissions``. Runs on SQLite,
and on PostgreSQL when TEST_DATABASE_URL points at one (``make test-postgres``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app.accounts import create_token
from app.build.jobs import runner_for
from app.content import Document
from app.content.service import save_post
from app.extensions import db
from app.models import Post, User
from tests.admin_helpers import example_url, post_form
from tests.api_helpers import image_bytes

ROLES = ("owner", "editor", "author", "contributor")
OK, FORBIDDEN, LOGIN = "ok", "forbidden", "login"


@dataclass(frozen=True)
class Target:
    """What a request is about: a post that is the user's own or not, draft or published;
    ``publish``: the request saves it as published (None: it saves nothing)."""

    own: bool = True
    status: str | None = None  # None: a new post
    publish: bool | None = None


EXISTING = [Target(own, status) for own in (True, False) for status in ("draft", "published")]
SAVES_EXISTING = [Target(t.own, t.status, publish) for t in EXISTING for publish in (False, True)]
SAVES_NEW = [Target(publish=False), Target(publish=True)]


# --- the expectations, by hand ----------------------------------------------------------


def anyone(role: str | None, target: Target | None) -> str:
    """Public pages, the login and setup forms, static files."""
    return OK


def signed_in(role: str | None, target: Target | None) -> str:
    return LOGIN if role is None else OK


def logs_out(role: str | None, target: Target | None) -> str:
    """Logging out ends on the login page, whoever asks."""
    return LOGIN


def publishers(role: str | None, target: Target | None) -> str:
    """Publishing the site: owner, editor, author."""
    if role is None:
        return LOGIN
    return FORBIDDEN if role == "contributor" else OK


def owner_only(role: str | None, target: Target | None) -> str:
    if role is None:
        return LOGIN
    return OK if role == "owner" else FORBIDDEN


def may_touch(role: str | None, target: Target | None) -> str:
    """Opening, saving or deleting a post (the target says which and how)."""
    assert target is not None
    if role is None:
        return LOGIN
    if role in ("owner", "editor"):
        return OK
    if not target.own:
        return FORBIDDEN
    if role == "author":
        return OK
    # contributor: own drafts, saved as drafts
    if target.status == "published" or target.publish:
        return FORBIDDEN
    return OK


Expect = Callable[[str | None, Target | None], str]
#: endpoint -> method -> (expectation, the targets to try). HEAD is GET's; OPTIONS below.
EXPECTATIONS: dict[str, dict[str, tuple[Expect, list[Target] | None]]] = {
    "static": {"GET": (anyone, None)},
    "admin.static": {"GET": (anyone, None)},
    "admin.login": {"GET": (anyone, None), "POST": (anyone, None)},
    "admin.setup": {"GET": (anyone, None), "POST": (anyone, None)},
    "admin.logout": {"POST": (logs_out, None)},
    "admin.logout_everywhere": {"POST": (logs_out, None)},
    "admin.dashboard": {"GET": (signed_in, None)},
    "admin.new": {"GET": (signed_in, None), "POST": (may_touch, SAVES_NEW)},
    "admin.compose": {"POST": (may_touch, SAVES_NEW)},
    "admin.edit": {"GET": (may_touch, EXISTING), "POST": (may_touch, SAVES_EXISTING)},
    "admin.delete": {"GET": (may_touch, EXISTING), "POST": (may_touch, EXISTING)},
    "admin.history": {"GET": (signed_in, EXISTING)},
    "admin.revision": {"GET": (signed_in, EXISTING)},
    "admin.restore": {"POST": (may_touch, EXISTING)},
    "admin.preview": {"POST": (signed_in, None)},
    "admin.preview_frame": {"GET": (signed_in, None)},
    "admin.upload": {"POST": (signed_in, None)},
    "admin.publish": {"GET": (signed_in, None), "POST": (publishers, None)},
    "admin.publish_status": {"GET": (signed_in, None)},
    "admin.publish_status_json": {"GET": (signed_in, None)},
    "admin.built_site": {"GET": (signed_in, None)},
    "admin.tokens": {"GET": (signed_in, None), "POST": (signed_in, None)},
    "admin.revoke": {"POST": (signed_in, None)},
    "admin.users": {"GET": (owner_only, None)},
    "admin.user_role": {"POST": (owner_only, None)},
    "api-docs.openapi_json": {"GET": (anyone, None)},
    "api_docs_page.docs": {"GET": (anyone, None)},
    "posts.posts": {"GET": (signed_in, None), "POST": (may_touch, SAVES_NEW)},
    "posts.post": {
        "GET": (signed_in, EXISTING),
        "PUT": (may_touch, SAVES_EXISTING),
        "PATCH": (may_touch, SAVES_EXISTING),
        "DELETE": (may_touch, EXISTING),
    },
    "notes.notes": {"GET": (signed_in, None), "POST": (may_touch, SAVES_NEW)},
    "notes.note": {
        "GET": (signed_in, EXISTING),
        "PUT": (may_touch, SAVES_EXISTING),
        "PATCH": (may_touch, SAVES_EXISTING),
        "DELETE": (may_touch, EXISTING),
    },
    "tags.tags": {"GET": (signed_in, None)},
    "media.media": {"POST": (signed_in, None)},
    "builds.builds": {"POST": (publishers, None)},
    "builds.build": {"GET": (signed_in, None)},
    "me.me": {"GET": (signed_in, None)},
    # Micropub: a token is enough to ask; what a write may do is asked of the content
    # service (tests/test_micropub*.py walk its actions).
    "micropub.query": {"GET": (signed_in, None)},
    "micropub.act": {"POST": (signed_in, None)},
    "micropub.media": {"POST": (signed_in, None)},
    # IndieAuth: any signed-in author approves an app (what it may then do is its token's
    # scopes, and its saves are asked of app.permissions); the back channel takes codes and
    # tokens (verification and introspection need a bearer token), never a session.
    "indieauth.metadata": {"GET": (anyone, None)},
    "indieauth.authorize": {"GET": (signed_in, None), "POST": (anyone, None)},
    "indieauth.consent": {"POST": (signed_in, None)},
    "indieauth.token": {"POST": (anyone, None), "GET": (signed_in, None)},
    "indieauth.introspect": {"POST": (signed_in, None)},
    "indieauth.revoke": {"POST": (anyone, None)},
}


def expectation(rule: Rule, method: str) -> tuple[Expect, list[Target] | None] | str:
    """What to expect, or why there is no expectation."""
    if rule.endpoint.startswith("public."):
        return anyone, None
    methods = EXPECTATIONS.get(rule.endpoint)
    if methods is None:
        return (
            f"{rule.endpoint} ({rule.rule}) has no expectation: add it to EXPECTATIONS "
            "(who may use it, by role) and check that the view asks app.permissions"
        )
    if method == "HEAD":
        method = "GET"
    if method == "OPTIONS":  # answered by Flask itself after the guards: the admin's and
        first = next(iter(methods.values()))[0]  # Micropub's run, the API's lets it through
        guarded = first is not anyone and not rule.rule.startswith("/api/")
        return (signed_in if guarded else anyone), None
    if method not in methods:
        return f"{rule.endpoint} {method} has no expectation"
    return methods[method]


# --- the world the requests run in -----------------------------------------------------


class World:
    """Users of every role, another author whose posts are not theirs, fresh posts."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.users = {}
        for role in ROLES:
            user = User(username=role, email=f"{role}@example.org", role=role)
            user.set_password("not used by these tests")
            db.session.add(user)
        self.other = User(username="zed", email="zed@example.org", role="author")
        self.bystander = User(username="bob", email="bob@example.org", role="contributor")
        db.session.add_all([self.other, self.bystander])
        db.session.commit()
        self.users = {role: db.session.query(User).filter_by(username=role).one() for role in ROLES}
        self.tokens = {role: create_token(self.users[role], "matrix")[1] for role in ROLES}
        self.counter = itertools.count()

    def post(self, role: str | None, target: Target, kind: str = "post") -> Post:
        """A new post (or note) in the situation ``target`` names, from ``role``'s point of
        view."""
        owner = self.users[role] if role is not None and target.own else self.other
        n = next(self.counter)
        doc = Document(
            title=f"Matrix {n}" if kind == "post" else "",
            slug=f"matrix-{n}",
            kind=kind,
            body="Body.",
            date=_date(),
            draft=target.status == "draft",
        )
        post = save_post(doc)
        post.author = owner
        db.session.commit()
        return post


def _date() -> Any:
    from datetime import datetime

    return datetime(2026, 1, 2, 3, 4)


@pytest.fixture
def world(synced: Flask) -> Iterator[World]:
    world = World(synced)
    yield world
    runner_for(synced).wait(timeout=120)  # builds the matrix started end before teardown


def sign_in(client: FlaskClient, user: User | None) -> None:
    """The session a login leaves (without a password hash per request).

    The test's app context is shared by its requests: forget the user Flask-Login cached in
    ``g`` by the last one.
    """
    g.pop("_login_user", None)
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


# --- requests ---------------------------------------------------------------------------


def request_for(
    world: World, rule: Rule, method: str, role: str | None, target: Target | None
) -> tuple[str, dict[str, Any]]:
    """The URL and the ``client.open`` arguments of a plausible request."""
    app, endpoint = world.app, rule.endpoint
    values: dict[str, Any] = {}
    kwargs: dict[str, Any] = {}
    kind = "note" if endpoint.startswith("notes.") else "post"
    post = world.post(role, target, kind) if target is not None and target.status else None
    draft = not target.publish if target is not None and target.publish is not None else None
    if post is not None:
        values = {"post_id": post.id, "slug": post.slug, "sha": "0123456789"}
    if endpoint == "admin.revoke":
        owner = world.users[role] if role else world.other
        values = {"token_id": create_token(owner, "to revoke")[0].id}
    if endpoint == "admin.user_role":
        values = {"user_id": world.bystander.id}
        kwargs["data"] = {f"u{world.bystander.id}-role": "contributor"}
    if endpoint in ("admin.new", "admin.edit") and method == "POST":
        fields = {"status": "draft" if draft else "published"}
        if post is not None:
            fields |= {"title": post.title, "slug": post.slug, "source_hash": post.source_hash}
        else:
            fields |= {"title": f"New {next(world.counter)}"}
        kwargs["data"] = post_form(**fields)
    if endpoint == "admin.compose":
        kwargs["data"] = {"body": "A note.", **({"draft": "y"} if draft else {})}
    if endpoint == "admin.delete" and method == "POST":
        kwargs["data"] = {"source_hash": post.source_hash if post else ""}
    if endpoint == "admin.preview":
        kwargs["json"] = {"body": "*hi*"}
    if endpoint in ("admin.upload", "media.media", "micropub.media"):
        kwargs["data"] = {"file": (BytesIO(image_bytes()), "red.png"), "alt": "Red"}
    if endpoint == "admin.tokens" and method == "POST":
        kwargs["data"] = {"name": "another"}
    if endpoint == "posts.posts" and method == "POST":
        kwargs["json"] = {"title": f"Api {next(world.counter)}", "draft": draft}
    if endpoint == "posts.post" and method in ("PUT", "PATCH"):
        kwargs["json"] = {"title": "Changed", "draft": draft}
    if endpoint == "notes.notes" and method == "POST":
        kwargs["json"] = {"body": f"Api note {next(world.counter)}", "draft": draft}
    if endpoint == "notes.note" and method in ("PUT", "PATCH"):
        kwargs["json"] = {"body": "Changed", "draft": draft}
    if endpoint == "micropub.query":
        kwargs["query_string"] = {"q": "config"}
    if endpoint == "micropub.act":
        kwargs["data"] = {"h": "entry", "content": "Hello", "post-status": "draft"}
    groups = ("posts", "notes", "tags", "media", "builds", "me", "micropub", "indieauth")
    if endpoint.split(".")[0] in groups and role:
        kwargs["headers"] = {"Authorization": f"Bearer {world.tokens[role]}"}
    url = _url(app, rule, values)
    return url, kwargs


def _url(app: Flask, rule: Rule, values: dict[str, Any]) -> str:
    wanted = {k: v for k, v in values.items() if k in rule.arguments}
    if set(wanted) == set(rule.arguments):
        built = rule.build({**(rule.defaults or {}), **wanted}, append_unknown=False)
        assert built is not None
        return built[1]
    return example_url(app, rule)


def outcome(response: Any) -> str:
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 401:
        return LOGIN
    if response.status_code in (301, 302, 303) and "/admin/login" in response.location:
        return LOGIN
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    return OK


def cases(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every rule and method."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods or ()):
            yield rule, method


@pytest.mark.parametrize("role", [*ROLES, None], ids=[*ROLES, "anonymous"])
def test_every_route_and_method_with_every_role(world: World, role: str | None) -> None:
    app = world.app
    user = world.users[role] if role else None
    wrong: list[str] = []
    seen = 0
    for rule, method in cases(app):
        expected = expectation(rule, method)
        if isinstance(expected, str):
            wrong.append(expected)
            continue
        expect, targets = expected
        for target in targets or [None]:
            client = app.test_client()  # a fresh browser: a logout ends only its session
            sign_in(client, user)
            url, kwargs = request_for(world, rule, method, role, target)
            response = client.open(url, method=method, **kwargs)
            got, want = outcome(response), expect(role, target)
            seen += 1
            if got != want:
                status = response.status_code
                wrong.append(f"{method} {url} {target}: expected {want}, got {got} ({status})")
            db.session.rollback()
    assert seen > 100
    assert not wrong, f"{role or 'anonymous'}:\n" + "\n".join(wrong)

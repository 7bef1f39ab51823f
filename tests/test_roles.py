"""Roles beyond the route matrix: how they are given, kept and applied at request time."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.accounts import create_token
from app.extensions import db
from app.models import Post, User
from tests.conftest import ApiClient
from tests.micropub_helpers import MicropubClient


def make_user(name: str, role: str) -> User:
    user = User(username=name, email=f"{name}@example.org", role=role)
    user.set_password("long enough password")
    db.session.add(user)
    db.session.commit()
    return user


def test_cli_first_user_is_owner_then_authors_and_role_changes(app, runner):
    created = runner.invoke(args=["user", "create", "first", "--password", "long enough 1"])
    assert "(owner)" in created.output
    created = runner.invoke(args=["user", "create", "second", "--password", "long enough 2"])
    assert "(author)" in created.output
    changed = runner.invoke(args=["user", "role", "second", "contributor"])
    assert changed.exit_code == 0, changed.output
    assert db.session.scalar(sa.select(User.role).where(User.username == "second")) == (
        "contributor"
    )
    last = runner.invoke(args=["user", "role", "first", "editor"])
    assert last.exit_code != 0
    assert "only owner" in last.output
    unknown = runner.invoke(args=["user", "role", "second", "admin"])
    assert unknown.exit_code != 0
    assert "contributor" in unknown.output  # the choices are named


def test_the_migration_makes_existing_users_owners(app):
    downgrade(revision="a1f5c3e8b920")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                'INSERT INTO "user" (username, email, session_token)'
                " VALUES ('old', 'old@example.org', 'tok')"
            )
        )
    upgrade()
    with db.engine.connect() as connection:
        role = connection.execute(sa.text("SELECT role FROM \"user\" WHERE username = 'old'"))
        assert role.scalar_one() == "owner"


def test_setup_makes_the_first_author_the_owner(client):
    response = client.post(
        "/admin/setup",
        data={"username": "boss", "password": "long enough", "confirm": "long enough"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User.role).where(User.username == "boss")) == "owner"


def test_a_role_lowered_after_the_token_was_made_limits_it_at_once(synced, live_server):
    user = make_user("writer", "author")
    raw = create_token(user, "laptop")[1]
    with ApiClient(live_server, raw) as api:
        made = api.post("/posts", json={"title": "Mine and out", "draft": False})
        assert made.status_code == 201, made.text
        user.role = "contributor"
        db.session.commit()
        assert api.get("/me").json()["role"] == "contributor"
        again = api.patch("/posts/mine-and-out", json={"title": "Still mine?"})
        assert again.status_code == 403
        assert "contributor" in again.json()["detail"]
        draft = api.post("/posts", json={"title": "A draft", "draft": True})
        assert draft.status_code == 201, draft.text
        published = api.patch("/posts/a-draft", json={"draft": False})
        assert published.status_code == 403
        assert api.post("/builds").status_code == 403


def test_micropub_delete_of_someone_elses_post_is_forbidden(synced, live_server):
    make_user("owner1", "owner")
    contributor = make_user("helper", "contributor")
    post = db.session.scalar(sa.select(Post).where(Post.slug == "hello-world"))
    assert post is not None
    url = synced.config["SITE_URL"].rstrip("/") + "/posts/hello-world/"
    db.session.rollback()
    with MicropubClient(live_server, create_token(contributor, "app")[1]) as micropub:
        response = micropub.post("/micropub", data={"action": "delete", "url": url})
    assert response.status_code == 403, response.text
    db.session.rollback()
    assert db.session.scalar(sa.select(Post.id).where(Post.slug == "hello-world")) is not None


def test_the_owner_changes_roles_on_the_authors_page(synced, author_client):
    other = make_user("zed", "author")
    page = author_client.get("/admin/users")
    assert page.status_code == 200
    assert "zed" in page.get_data(as_text=True)
    response = author_client.post(
        f"/admin/users/{other.id}/role", data={f"u{other.id}-role": "editor"}
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(User, other.id).role == "editor"


@pytest.mark.parametrize("role", ["editor", "author", "contributor"])
def test_only_the_owner_sees_the_authors_page(synced, client, role):
    user = make_user("someone", role)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "only the owner" in response.get_data(as_text=True)


def test_a_contributor_cannot_undelete_with_micropub(synced, live_server, author):
    helper = make_user("helper", "contributor")
    url = synced.config["SITE_URL"].rstrip("/") + "/posts/hello-world/"
    with MicropubClient(live_server, create_token(author, "owner's app")[1]) as micropub:
        assert micropub.post("/micropub", data={"action": "delete", "url": url}).status_code == 204
    with MicropubClient(live_server, create_token(helper, "app")[1]) as micropub:
        response = micropub.post("/micropub", data={"action": "undelete", "url": url})
    assert response.status_code == 403, response.text
    db.session.rollback()
    assert db.session.scalar(sa.select(Post.id).where(Post.slug == "hello-world")) is None


def test_the_dashboard_offers_only_what_the_role_allows(synced, client):
    helper = make_user("helper", "contributor")
    post = db.session.scalar(sa.select(Post).where(Post.slug == "hello-world"))
    assert post is not None
    with client.session_transaction() as session:
        session["_user_id"] = helper.get_id()
    page = client.get("/admin/").get_data(as_text=True)
    assert f"/admin/posts/{post.id}/history" in page
    assert f"/admin/posts/{post.id}/delete" not in page
    assert ">Edit</a>" not in page  # nothing here is a contributor's own draft
    assert "/admin/users" not in page

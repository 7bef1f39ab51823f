"""The authoring app answers only to its own host names, and has one first author."""

from __future__ import annotations

import threading

import pytest
import requests
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import User
from config import TestingConfig


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.nip.io", "localhost.evil.example"])
def test_a_foreign_host_is_refused(client, host):
    """A page of another site reaching 127.0.0.1 through DNS rebinding sends its own name."""
    for url in ("/admin/setup", "/admin/login", "/api/v1/posts", "/"):
        assert client.get(url, headers={"Host": host}).status_code == 400, url


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "127.0.0.1:5000"])
def test_the_local_names_are_answered(client, host):
    assert client.get("/admin/login", headers={"Host": host}).status_code in (200, 302)


def test_a_deployment_names_its_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "write.example.org, .internal.example")
    import importlib

    import config

    importlib.reload(config)
    try:
        app = create_app(
            config.TestingConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'h.db'}"}
        )
        client = app.test_client()
        for host, status in (
            ("write.example.org", 200),
            ("a.internal.example", 200),
            ("localhost", 400),
        ):
            assert client.get("/robots.txt", headers={"Host": host}).status_code == status
    finally:
        monkeypatch.delenv("TRUSTED_HOSTS")
        importlib.reload(config)


def test_the_freezers_app_answers_any_site_host(tmp_path):
    """Builds ask for pages at the site's own host (SITE_URL), whatever it is."""
    app = create_app(
        TestingConfig,
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'f.db'}"},
        authoring=False,
    )
    assert app.config["TRUSTED_HOSTS"] is None
    assert app.test_client().get("/robots.txt", headers={"Host": "blog.example"}).status_code == 200


def test_concurrent_setups_make_one_first_author(app, live_server):
    """Eight browsers (or a rebinding page) submitting the setup form at once: one wins."""
    barrier = threading.Barrier(8)
    answers: list[int] = []

    def submit(n: int) -> None:
        session = requests.Session()
        barrier.wait()
        reply = session.post(
            f"{live_server}/admin/setup",
            data={
                "username": f"author{n}",
                "password": "correct horse battery",
                "confirm": "correct horse battery",
            },
            allow_redirects=False,
            timeout=30,
        )
        answers.append(reply.status_code)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        users = db.session.scalars(sa.select(User)).all()
    assert len(users) == 1, [u.username for u in users]
    assert len(answers) == 8
    assert all(code in (302, 303, 404) for code in answers), answers

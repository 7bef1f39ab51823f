"""Fixtures: an app over a temp database and temp copies of content/ and site/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import User
from config import TestingConfig

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONTENT = ROOT / "content"
SAMPLE_SITE = ROOT / "site"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the sample content."""
    return Path(shutil.copytree(SAMPLE_CONTENT, tmp_path / "content"))


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A private copy of the public theme, safe to break."""
    return Path(shutil.copytree(SAMPLE_SITE, tmp_path / "site"))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app(tmp_path: Path, content_dir: Path, site_dir: Path, database_url: str) -> Iterator[Flask]:
    app = create_app(
        TestingConfig,
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CONTENT_DIR": content_dir,
            "SITE_DIR": site_dir,
            "BUILD_DIR": tmp_path / "build",
        },
    )
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


AUTHOR_PASSWORD = "correct horse battery"


@pytest.fixture
def author(app: Flask) -> User:
    """An author who can log in to the admin (password ``AUTHOR_PASSWORD``)."""
    user = User(username="ada", email="ada@example.org")
    user.set_password(AUTHOR_PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def author_client(client: FlaskClient, author: User) -> FlaskClient:
    """A test client logged in to the admin through the login form."""
    response = client.post(
        "/admin/login", data={"username": author.username, "password": AUTHOR_PASSWORD}
    )
    assert response.status_code == 302, response.text
    return client


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def synced(app: Flask, runner: FlaskCliRunner) -> Flask:
    """The app with the sample content imported."""
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    return app


class FreezeRunner:
    """Runs ``python freeze.py`` in a subprocess, as an author or CI would."""

    def __init__(self, tmp_path: Path, content_dir: Path, site_dir: Path) -> None:
        self.build_dir = tmp_path / "build"
        self.content_dir = content_dir
        self.site_dir = site_dir
        self.env = {
            **os.environ,
            "CONTENT_DIR": str(content_dir),
            "SITE_DIR": str(site_dir),
            "BUILD_DIR": str(self.build_dir),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'freeze.db'}",
            "MICROBLOG_INSTANCE_DIR": str(tmp_path / "instance"),
            "SITE_URL": "https://example.org/",
        }

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "freeze.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def freeze(tmp_path: Path, content_dir: Path, site_dir: Path) -> FreezeRunner:
    return FreezeRunner(tmp_path, content_dir, site_dir)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()

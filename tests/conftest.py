"""Fixtures: an app over a temp database and temp copies of content/ and site/."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import User
from config import TestingConfig
from tests.static_http import mount, running, serve

ROOT = Path(__file__).resolve().parent.parent

# A test run started in the background of a script (`cmd &`) ignores Ctrl+C, and every
# freeze.py it starts would inherit that and never see the SIGINT the watch tests send it
# (freeze.py leaves an ignored SIGINT ignored). Take it back, as a terminal has it: a
# handled signal is reset to the default in the programs this process runs.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
#: The suite's own content (never the author's content/, which is theirs to change).
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
SAMPLE_CONTENT = FIXTURE_CONTENT
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
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test: SQLite by default, PostgreSQL with TEST_DATABASE_URL."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


AUTHOR_PASSWORD = "correct horse battery"


@pytest.fixture
def author(app: Flask) -> User:
    """The blog's owner, who can log in to the admin (password ``AUTHOR_PASSWORD``)."""
    user = User(username="ada", email="ada@example.org", role="owner")
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

    def __init__(
        self, tmp_path: Path, content_dir: Path, site_dir: Path, database_url: str
    ) -> None:
        self.build_dir = tmp_path / "build"
        self.content_dir = content_dir
        self.site_dir = site_dir
        self.env = {
            **os.environ,
            "CONTENT_DIR": str(content_dir),
            "SITE_DIR": str(site_dir),
            "BUILD_DIR": str(self.build_dir),
            "DATABASE_URL": database_url,
            "MICROBLOG_INSTANCE_DIR": str(tmp_path / "instance"),
            "SITE_URL": "https://example.org/",
        }

    def __call__(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "freeze.py"), *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )


def sample_freeze(tmp: Path) -> FreezeRunner:
    """A FreezeRunner over fresh copies of the sample content and theme in ``tmp``."""
    content = Path(shutil.copytree(SAMPLE_CONTENT, tmp / "content"))
    site = Path(shutil.copytree(SAMPLE_SITE, tmp / "site"))
    # Session-wide builds use SQLite; per-test ones follow TEST_DATABASE_URL.
    return FreezeRunner(tmp, content, site, f"sqlite:///{tmp / 'freeze.db'}")


@pytest.fixture
def freeze(tmp_path: Path, content_dir: Path, site_dir: Path, database_url: str) -> FreezeRunner:
    return FreezeRunner(tmp_path, content_dir, site_dir, database_url)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built once for the session (read-only: copy before changing it)."""
    freeze = sample_freeze(tmp_path_factory.mktemp("built-site"))
    result = freeze()
    assert result.returncode == 0, result.stderr
    return freeze.build_dir


@pytest.fixture(scope="session")
def sub_path_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The sample site (plus a post with internal links) built for and served under /blog/.

    Yields ('http://127.0.0.1:PORT/blog/', build dir); nothing is served outside /blog/.
    """
    tmp = tmp_path_factory.mktemp("sub-path")
    freeze = sample_freeze(tmp)
    (freeze.content_dir / "posts" / "linked.md").write_text(
        "---\ntitle: Linked\ndate: 2026-08-01\ntags: [web]\n---\n"
        "See [the first post](../hello-world/) and [the about page](/about/).\n"
    )
    www = tmp / "www"
    mount(www, "blog", freeze.build_dir)
    with serve(www) as origin:
        result = freeze("--base-url", f"{origin}/blog")
        assert result.returncode == 0, result.stderr
        yield f"{origin}/blog/", freeze.build_dir


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on a free loopback port; yields its base URL."""
    with running(make_server("127.0.0.1", 0, app, threaded=True)) as origin:
        yield origin


# --- JSON API (real HTTP against live_server) ------------------------------------------------


class HttpClient(requests.Session):
    """``requests`` aimed at ``<live server><prefix>``, sending a bearer token when given one."""

    prefix = ""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        super().__init__()
        self.base_url = base_url
        self.token = token
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        return super().request(method, f"{self.base_url}{self.prefix}{url}", *args, **kwargs)


class ApiClient(HttpClient):
    """The JSON API's client: ``<live server>/api/v1``."""

    prefix = "/api/v1"


@pytest.fixture
def make_token(author):
    """Make an API token for ``author``; returns the clear token."""
    from app.accounts import create_token

    def make(read_only: bool = False, name: str = "tests") -> str:
        return create_token(author, name, read_only=read_only)[1]

    return make


@pytest.fixture
def api(app: Flask, synced: Flask, live_server: str, make_token) -> Iterator[ApiClient]:
    """A client with a read-write token, against the sample content over real HTTP."""
    from app.build.jobs import runner_for

    with ApiClient(live_server, make_token()) as client:
        yield client
    runner_for(app).wait(timeout=60)  # a build started by a test must end before teardown

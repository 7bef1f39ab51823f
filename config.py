"""Configuration classes, read from the environment with sane local defaults."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("MICROBLOG_INSTANCE_DIR", BASE_DIR / "instance"))

#: Placeholder that ``ProductionConfig`` refuses; other configs replace it with a local key.
DEFAULT_SECRET_KEY = "change-me"


def _path(name: str, default: Path) -> Path:
    """A path setting from the environment, resolved against the project root."""
    value = os.environ.get(name)
    return (BASE_DIR / value).resolve() if value else default


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):  # Heroku-style URLs: SQLAlchemy wants the full scheme
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{INSTANCE_DIR / 'microblog.db'}"


class Config:
    """Settings shared by every environment; each one can be set from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    #: JSON columns (a post's extra front matter) read with orjson: a build reads every row's.
    SQLALCHEMY_ENGINE_OPTIONS = {"json_deserializer": orjson.loads}  # noqa: RUF012

    CONTENT_DIR = _path("CONTENT_DIR", BASE_DIR / "content")
    SITE_DIR = _path("SITE_DIR", BASE_DIR / "site")
    BUILD_DIR = _path("BUILD_DIR", BASE_DIR / "build")

    SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000/")
    SITE_TITLE = os.environ.get("SITE_TITLE", "microblog")
    SITE_DESCRIPTION = os.environ.get("SITE_DESCRIPTION", "Notes, code and the occasional essay.")
    SITE_AUTHOR = os.environ.get("SITE_AUTHOR", "A. Author")
    #: The author's picture in the home page's h-card: an absolute URL or a site path such as
    #: ``/media/me.jpg`` (empty: none).
    SITE_AUTHOR_AVATAR = os.environ.get("SITE_AUTHOR_AVATAR", "")
    #: A line about the author in the home page's h-card (empty: none).
    SITE_AUTHOR_NOTE = os.environ.get("SITE_AUTHOR_NOTE", "")
    #: BCP 47 tag ('en', 'de', 'fr-CA'): ``<html lang>``, month names and date formats.
    SITE_LANGUAGE = os.environ.get("SITE_LANGUAGE", "en")
    #: IANA time zone ('Europe/Berlin'): dates shown, archive months, feeds and the admin's
    #: date field are local time; a file's date without an offset is local time too.
    SITE_TIMEZONE = os.environ.get("SITE_TIMEZONE", "UTC")
    #: After each successful Publish (admin or API), push content's git history to this remote
    #: (and branch; empty: the current one). A failed push is reported, the build stands.
    GIT_PUSH_AFTER_PUBLISH = os.environ.get("GIT_PUSH_AFTER_PUBLISH", "") in ("1", "true", "yes")
    GIT_PUSH_REMOTE = os.environ.get("GIT_PUSH_REMOTE", "origin")
    GIT_PUSH_BRANCH = os.environ.get("GIT_PUSH_BRANCH", "")
    POSTS_PER_PAGE = int(os.environ.get("POSTS_PER_PAGE", "5"))
    #: A note's suggested length in characters of visible text: the compose box counts
    #: against it; nothing refuses a longer note.
    NOTE_LENGTH = int(os.environ.get("NOTE_LENGTH", "500"))
    #: Site paths whose broken links are warnings, not errors ('/docs/,/wiki/': an old site's
    #: sections not moved here yet), comma-separated; 'docs/' is read as '/docs/'.
    #: (Text, not a tuple: settings are part of every page's digest, so a change checks
    #: every page's links again.)
    LINK_CHECK_IGNORE = os.environ.get("LINK_CHECK_IGNORE", "")
    #: Processes that render a build's pages (0: one per core); small builds use one.
    BUILD_WORKERS = int(os.environ.get("BUILD_WORKERS", "0"))
    #: Fewer pages to render than this: render them in this process, no workers.
    BUILD_PARALLEL_MIN_PAGES = int(os.environ.get("BUILD_PARALLEL_MIN_PAGES", "400"))
    #: Largest content file the importer reads; anything bigger is an error, not a hang.
    MAX_CONTENT_FILE_BYTES = int(os.environ.get("MAX_CONTENT_FILE_BYTES", str(2 * 1024 * 1024)))

    #: Largest image upload accepted by the admin and the API.
    MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(8 * 1024 * 1024)))
    #: Largest image in pixels (width x height): a small file can decode to gigabytes.
    MAX_IMAGE_PIXELS = int(os.environ.get("MAX_IMAGE_PIXELS", str(40_000_000)))
    #: Uploads lose EXIF (GPS position included), XMP and comments; orientation is applied.
    STRIP_IMAGE_METADATA = os.environ.get("STRIP_IMAGE_METADATA", "1") not in ("0", "false", "no")
    #: Widths in pixels of the smaller copies of each media image (WebP and its own format)
    #: that pages offer in ``srcset``; an image gets those narrower than itself.
    IMAGE_WIDTHS = os.environ.get("IMAGE_WIDTHS", "480,960,1600")
    #: Where those copies are kept, by content hash: rebuilds and other outputs reuse them.
    IMAGE_CACHE_DIR = _path("IMAGE_CACHE_DIR", INSTANCE_DIR / "image-cache")
    #: The picture of shared links (``og:image``) for pages without one of their own: a path
    #: on the site ('/media/cover.jpg') or a full URL. A post's is its ``image:`` or its first.
    SITE_IMAGE = os.environ.get("SITE_IMAGE", "")
    #: Largest request body from anyone not signed in (the login form, setup). Signed-in
    #: authors may send a post (3 x MAX_CONTENT_FILE_BYTES), uploads MAX_UPLOAD_BYTES.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_REQUEST_BYTES", str(1024 * 1024)))
    #: A form's text fields in memory, and how many fields: a login form needs little.
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    MAX_FORM_PARTS = 100

    #: Host names the authoring app answers to (its ``Host`` header; others get 400), so a web
    #: page cannot reach it through DNS rebinding. Comma-separated; ``.example.org`` takes its
    #: subdomains too. Set it to the name a deployed authoring app is reached by.
    TRUSTED_HOSTS = tuple(
        host.strip()
        for host in os.environ.get("TRUSTED_HOSTS", "localhost,127.0.0.1").split(",")
        if host.strip()
    )

    #: The authoring app's public URL (``https://write.example.org``), for posting apps: when
    #: set, the built site advertises Micropub and IndieAuth in its ``<head>``; else nothing.
    AUTHORING_URL = os.environ.get("AUTHORING_URL", "").strip().rstrip("/")
    #: Days an access token issued to a posting app (IndieAuth) works, and days its refresh
    #: token may get a new one ('14,90'; fractions allowed). Personal tokens made in the
    #: admin or with ``flask token create`` do not expire.
    INDIEAUTH_TOKEN_DAYS = os.environ.get("INDIEAUTH_TOKEN_DAYS", "14,90")

    #: Where the built site receives Webmentions (a service such as webmention.io: a static
    #: host cannot): every page's ``<link rel="webmention">``; empty: none.
    WEBMENTION_ENDPOINT = os.environ.get("WEBMENTION_ENDPOINT", "").strip()
    #: The author's profiles elsewhere, with commas between them ('https://github.com/me,
    #: https://mastodon.social/@me'): ``<link rel="me">`` on every page, for IndieAuth and
    #: profile verification.
    SITE_REL_ME = os.environ.get("SITE_REL_ME", "")
    #: Send Webmentions after each successful publish (admin, API; the CLI with
    #: ``--webmentions``) to the pages new or changed posts link to.
    WEBMENTIONS = os.environ.get("WEBMENTIONS", "0").lower() in ("1", "true", "yes")
    #: Seconds a Webmention target or endpoint may take to answer.
    WEBMENTIONS_TIMEOUT = float(os.environ.get("WEBMENTIONS_TIMEOUT", "5"))
    #: Where sent Webmentions are remembered (default: instance/webmentions.json).
    WEBMENTIONS_LEDGER = os.environ.get("WEBMENTIONS_LEDGER", "")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    #: CSRF tokens last as long as the session: a long writing session must still save.
    WTF_CSRF_TIME_LIMIT = None

    #: Publish drafts too (preview builds only).
    BUILD_DRAFTS = False


class DevelopmentConfig(Config):
    """The local authoring app (``flask run``; ``flask run --debug`` for the debugger).

    Never DEBUG here: it is the default config, and a deployment that forgets
    ``MICROBLOG_CONFIG`` must not hand the interactive debugger to the network.
    """


class TestingConfig(Config):
    """Tests: no CSRF by default (tests that check CSRF turn it back on), an in-memory DB."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False


class ProductionConfig(Config):
    """A deployed authoring app: secure cookies and a real secret key are required."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    REQUIRE_SECRET_KEY = True
    #: Strict-Transport-Security on every response: browsers stay on HTTPS for a year.
    SEND_HSTS = True


configs: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by ``MICROBLOG_CONFIG`` (default: development)."""
    name = os.environ.get("MICROBLOG_CONFIG", "development")
    try:
        return configs[name]
    except KeyError:
        raise SystemExit(
            f"MICROBLOG_CONFIG={name!r} is not one of {', '.join(sorted(configs))}"
        ) from None

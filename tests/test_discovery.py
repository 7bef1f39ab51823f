"""The built site's IndieWeb discovery: its Webmention endpoint and the author's rel=me."""

from __future__ import annotations

import mf2py
import pytest

from app import create_app
from config import TestingConfig

ENDPOINT = "https://webmention.io/example.org/webmention"
PROFILES = ["https://github.com/ada", "https://mastodon.social/@ada"]


def _home(app, client, **settings: str) -> str:
    app.config.update(settings)  # read by every page (site_settings), checked at start below
    return client.get("/").text


def test_every_page_names_the_endpoint_and_the_profiles(app, client):
    html = _home(app, client, WEBMENTION_ENDPOINT=ENDPOINT, SITE_REL_ME=", ".join(PROFILES))
    rels = mf2py.parse(doc=html, url="http://localhost:8000/")["rels"]
    assert rels["webmention"] == [ENDPOINT]
    assert rels["me"] == PROFILES


def test_without_the_settings_there_is_neither(app, client):
    rels = mf2py.parse(doc=_home(app, client), url="http://localhost:8000/")["rels"]
    assert "webmention" not in rels
    assert "me" not in rels


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SITE_REL_ME", "https://github.com/ada, mastodon.social/@ada"),
        ("WEBMENTION_ENDPOINT", "/wm"),
    ],
)
def test_an_address_that_is_not_a_full_url_stops_the_app_and_says_which(
    tmp_path, content_dir, name, value
):
    with pytest.raises(ValueError, match=rf"{name}: '.*' is not an absolute http\(s\) URL"):
        create_app(TestingConfig, {"CONTENT_DIR": content_dir, name: value})

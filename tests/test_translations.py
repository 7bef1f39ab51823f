"""The theme's texts in the site's language (site/i18n/*.toml, ``t()`` in templates)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from app import create_app, translations
from app.build import BuildError, build_site
from config import TestingConfig
from tests.conftest import SAMPLE_SITE
from tests.test_incremental import clean_build_of, tree
from tests.test_localtime import public_app


def say(app: Flask, source: str, **values: object) -> str:
    """A template's text as the app renders it."""
    with app.app_context():
        return app.jinja_env.from_string(source).render(**values)


def page(build: Path, rel: str) -> str:
    return (build / rel).read_text()


def test_a_french_site_speaks_french(tmp_path, content_dir, site_dir):
    build_site(public_app(tmp_path, content_dir, site_dir, SITE_LANGUAGE="fr"))
    built = tmp_path / "build"
    home = page(built, "index.html")
    assert '<html lang="fr">' in home
    for french in (">Archives</a>", ">Étiquettes</a>", "Aller au contenu", "minute de lecture"):
        assert french in home
    for english in ("Older", "min read", "Skip to content", ">Tags</a>"):
        assert english not in home
    assert "Page introuvable" in page(built, "404.html")
    assert "Articles avec l\u2019étiquette <em>" in page(built, "tags/python/index.html")
    assert "En réponse à" in page(built, "feed.xml")  # a note's reply, in the feeds too


def test_a_language_without_a_file_falls_back_to_its_base_then_english(tmp_path):
    site_dir = Path(shutil.copytree(SAMPLE_SITE, tmp_path / "site"))
    (site_dir / "i18n" / "pt.toml").write_text('posts = "Publicações"\n')
    app = create_app(TestingConfig, {"SITE_DIR": site_dir, "SITE_LANGUAGE": "pt-BR"})
    assert translations.chain("pt-BR") == ["pt_BR", "pt", "en"]
    assert say(app, '{{ t("posts") }}') == "Publicações"  # pt.toml
    assert say(app, '{{ t("archive") }}') == "Archive"  # English
    (site_dir / "i18n" / "pt_BR.toml").write_text('posts = "Posts do Brasil"\n')
    app.jinja_env.auto_reload = True  # the preview reads a changed file again
    assert say(app, '{{ t("posts") }}') == "Posts do Brasil"


@pytest.mark.parametrize(
    ("language", "key", "counts"),
    [
        ("fr", "search_results", {0: "0 résultat.", 1: "1 résultat.", 2: "2 résultats."}),
        ("fr", "reading_time", {1: "1 minute de lecture", 3: "3 minutes de lecture"}),
        ("en", "search_results", {0: "0 results.", 1: "1 result.", 2: "2 results."}),
        ("de", "reading_time", {0: "0 Minuten Lesezeit", 1: "1 Minute Lesezeit"}),
        ("es", "reading_time", {1: "1 minuto de lectura", 7: "7 minutos de lectura"}),
    ],
)
def test_plural_forms_follow_the_languages_rules(language, key, counts):
    """French says 0 and 1 in the singular ('one'), English only 1."""
    app = create_app(TestingConfig, {"SITE_LANGUAGE": language})
    for n, expected in counts.items():
        assert say(app, "{{ t(key, n=n) }}", key=key, n=n) == expected


def test_markup_keys_escape_their_values_and_plain_ones_are_escaped_whole():
    app = create_app(TestingConfig, {"SITE_LANGUAGE": "en"})
    html = '{{ t("posts_tagged_html", tag="<b>") }}'
    assert say(app, html) == "Posts tagged <em>&lt;b&gt;</em>"
    assert say(app, '{{ t("posts_tagged", tag="<b>") }}') == "Posts tagged &lt;b&gt;"


def test_every_language_of_the_theme_has_the_keys_of_english():
    english = translations.load_catalog(SAMPLE_SITE, "en").tables[-1]
    for path in (SAMPLE_SITE / "i18n").glob("*.toml"):
        table = translations.load_catalog(SAMPLE_SITE, path.stem).tables[0]
        assert table.keys() == english.keys(), path.name


def test_a_key_missing_from_english_stops_the_build_naming_key_and_template(
    tmp_path, content_dir, site_dir
):
    footer = site_dir / "templates" / "partials" / "footer.html"
    footer.write_text(footer.read_text().replace('t("atom_feed")', 't("atom_fed")'))
    expected = r"partials/footer\.html:3: t\('atom_fed'\): no such key in .*en\.toml"
    with pytest.raises(BuildError, match=expected):
        build_site(public_app(tmp_path, content_dir, site_dir, SITE_LANGUAGE="fr"))


def test_a_placeholder_without_its_value_is_a_clear_error():
    app = create_app(TestingConfig, {"SITE_LANGUAGE": "en"})
    with pytest.raises(translations.TranslationError, match=r"t\(.page_n.\) shows \{n\}"):
        say(app, '{{ t("page_n") }}')


def test_editing_a_translation_renders_again_what_it_changed(tmp_path, content_dir, site_dir):
    """An edit of fr.toml, then a new pt.toml for a pt-BR site: incremental = clean."""
    app = public_app(tmp_path, content_dir, site_dir, SITE_LANGUAGE="fr")
    build_site(app)
    built = app.config["BUILD_DIR"]
    before = tree(built)
    french = site_dir / "i18n" / "fr.toml"
    french.write_text(french.read_text().replace('"Étiquettes"', '"Mots-clés"'))
    result = build_site(app)
    assert result.rendered > 0
    assert ">Mots-clés</a>" in page(built, "index.html")
    assert tree(built) != before
    assert tree(built) == clean_build_of(app, tmp_path / "fr")

    app.config["SITE_LANGUAGE"] = "pt-BR"
    build_site(app)
    (site_dir / "i18n" / "pt.toml").write_text('archive = "Arquivo"\n')
    build_site(app)
    assert ">Arquivo</a>" in page(built, "index.html")
    assert tree(built) == clean_build_of(app, tmp_path / "pt")

"""The app factory and configuration."""

from pathlib import Path

import pytest

from app import create_app
from config import DevelopmentConfig, ProductionConfig, TestingConfig


def test_testing_config(app):
    assert app.testing
    assert app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] is False
    assert isinstance(app.config["CONTENT_DIR"], Path)


def test_public_only_app_has_only_public_routes():
    app = create_app(TestingConfig, authoring=False)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert all(e == "static" or e.startswith("public.") for e in endpoints), endpoints


def test_production_refuses_default_secret_key(tmp_path, monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "change-me")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_accepts_a_real_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 64)
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_development_generates_a_private_key_once(tmp_path, monkeypatch):
    monkeypatch.setattr(DevelopmentConfig, "SECRET_KEY", "change-me")
    monkeypatch.setattr("app.factory.INSTANCE_DIR", tmp_path)
    first = create_app(DevelopmentConfig).config["SECRET_KEY"]
    second = create_app(DevelopmentConfig).config["SECRET_KEY"]
    assert first == second != "change-me"
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0

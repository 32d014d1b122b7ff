"""Settings from the environment, with the defaults that make ``make run`` work on a fresh clone."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import text

from core.db import make_engine
from core.settings import load_settings

ENV = (
    "DECLIC_DATA_DIR",
    "DECLIC_DATABASE_URL",
    "DECLIC_SECRET_KEY",
    "PORT",
    "DECLIC_PLUGINS",
    "DECLIC_PLUGINS_DENY",
    "DECLIC_TRACE_HOOKS",
    "DECLIC_SECURE_COOKIES",
)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_use_var_in_the_current_folder_and_sqlite_there(clean_env):
    settings = load_settings()
    assert settings.data_dir == clean_env / "var"
    assert settings.data_dir.is_dir()
    assert settings.database_url == f"sqlite:///{clean_env / 'var' / 'declic.sqlite3'}"
    assert settings.is_sqlite
    assert settings.port == 8000
    assert settings.plugins_allow is None
    assert settings.plugins_deny == ()
    assert settings.trace_hooks is False
    assert settings.secure_cookies is False


def test_secret_key_is_generated_once_kept_private_and_reused(clean_env):
    first = load_settings()
    key_file = clean_env / "var" / "secret_key"
    assert key_file.read_text() == first.secret_key
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = load_settings()
    assert second.secret_key == first.secret_key


def test_secret_key_from_the_environment_wins_and_writes_nothing(clean_env, monkeypatch):
    monkeypatch.setenv("DECLIC_SECRET_KEY", "from-the-environment")
    assert load_settings().secret_key == "from-the-environment"
    assert not (clean_env / "var" / "secret_key").exists()


def test_environment_overrides(clean_env, monkeypatch):
    monkeypatch.setenv("DECLIC_DATA_DIR", str(clean_env / "elsewhere"))
    monkeypatch.setenv("DECLIC_DATABASE_URL", "postgresql+psycopg://declic@db.example/declic")
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("DECLIC_PLUGINS", "quiz, attendance ,")
    monkeypatch.setenv("DECLIC_PLUGINS_DENY", "equipment")
    monkeypatch.setenv("DECLIC_TRACE_HOOKS", "1")
    monkeypatch.setenv("DECLIC_SECURE_COOKIES", "1")
    settings = load_settings()
    assert settings.data_dir == clean_env / "elsewhere"
    assert settings.database_url == "postgresql+psycopg://declic@db.example/declic"
    assert not settings.is_sqlite
    assert settings.port == 9123
    assert settings.plugins_allow == ("quiz", "attendance")
    assert settings.plugins_deny == ("equipment",)
    assert settings.trace_hooks is True
    assert settings.secure_cookies is True


@pytest.mark.parametrize("value", ["", "0"])
def test_switches_stay_off_for_empty_or_zero(clean_env, monkeypatch, value):
    monkeypatch.setenv("DECLIC_TRACE_HOOKS", value)
    monkeypatch.setenv("DECLIC_SECURE_COOKIES", value)
    settings = load_settings()
    assert settings.trace_hooks is False
    assert settings.secure_cookies is False


def test_default_sqlite_database_runs_in_wal_mode_with_foreign_keys(clean_env):
    engine = make_engine(load_settings().database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    finally:
        engine.dispose()

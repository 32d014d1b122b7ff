"""Settings read from the environment (``DECLIC_*``), with defaults that make
``make run`` work on a fresh clone with nothing else installed."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from core import i18n

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class SettingsError(ValueError):
    """A setting has a value Déclic cannot use; the message names the variable and the fix."""


def _env_int(name: str, default: int) -> int | str:
    """A whole number from the environment; anything else is handed on as text for Settings
    to refuse with a message that names the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return int(raw) if raw.isdigit() else raw


def _env_list(name: str) -> tuple[str, ...] | None:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the platform reads from its environment, resolved once."""

    data_dir: Path
    database_url: str
    secret_key: str
    port: int = 8000
    plugins_allow: tuple[str, ...] | None = None
    plugins_deny: tuple[str, ...] = ()
    trace_hooks: bool = False
    secure_cookies: bool = False
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    default_language: str = "fr"
    # Every language core has a catalogue for and LANGUAGE_NAMES names (docs/translating.md).
    languages: tuple[str, ...] = field(default_factory=lambda: tuple(i18n.catalogue_languages()))
    # Redis for the sign-in throttling counters (core/throttle.py); None keeps them in the
    # database. The prefix lets several platforms (or test processes) share one Redis.
    redis_url: str | None = None
    redis_prefix: str = "declic:"
    # Views (plain functions) running at once in one worker process. More threads than this
    # only fight over the interpreter lock: with 8 clients on a question page, 1 thread served
    # 378 req/s, 2 served 318, anyio's default of 40 served 262 (docs/performance.md). Two keep
    # one slow request (a PDF, an import) from holding up every learner of the worker.
    view_threads: int = 2
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.view_threads, int) or not 1 <= self.view_threads <= 64:
            raise SettingsError(
                f"DECLIC_VIEW_THREADS must be a whole number from 1 to 64, not {self.view_threads!r}"
            )
        if self.redis_url is not None and not self.redis_url.startswith(REDIS_SCHEMES):
            # Only the scheme is shown: the rest of the URL may hold a password.
            scheme = self.redis_url.split("://", 1)[0] if "://" in self.redis_url else "none"
            raise SettingsError(
                "DECLIC_REDIS_URL must start with redis://, rediss:// or unix:// "
                f"(for example redis://127.0.0.1:6379/0), not with scheme {scheme!r}; "
                "leave it empty to keep the sign-in counters in the database"
            )
        if self.redis_url is not None and not self.redis_url.startswith("unix://"):
            try:
                urlsplit(self.redis_url).port  # noqa: B018 - parsing is the check
            except ValueError:
                raise SettingsError(
                    "DECLIC_REDIS_URL has a port that is not a number from 0 to 65535 "
                    "(for example redis://127.0.0.1:6379/0)"
                ) from None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _secret_key(data_dir: Path) -> str:
    """The signing key: from the environment, else generated once and kept in the data dir."""
    from_env = os.environ.get("DECLIC_SECRET_KEY")
    if from_env:
        return from_env
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(**overrides: object) -> Settings:
    """Read the environment; keyword arguments win (tests use them)."""
    data_dir = Path(
        str(overrides.pop("data_dir", None) or os.environ.get("DECLIC_DATA_DIR", "var"))
    )
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = str(
        overrides.pop("database_url", None)
        or os.environ.get("DECLIC_DATABASE_URL")
        or f"sqlite:///{data_dir / 'declic.sqlite3'}"
    )
    values: dict[str, object] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": overrides.pop("secret_key", None) or _secret_key(data_dir),
        "port": int(os.environ.get("PORT", "8000")),
        "plugins_allow": _env_list("DECLIC_PLUGINS"),
        "plugins_deny": _env_list("DECLIC_PLUGINS_DENY") or (),
        "trace_hooks": os.environ.get("DECLIC_TRACE_HOOKS", "") not in ("", "0"),
        "secure_cookies": os.environ.get("DECLIC_SECURE_COOKIES", "") not in ("", "0"),
        "redis_url": os.environ.get("DECLIC_REDIS_URL", "").strip() or None,
        "redis_prefix": os.environ.get("DECLIC_REDIS_PREFIX", "") or "declic:",
        "view_threads": _env_int("DECLIC_VIEW_THREADS", 2),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]

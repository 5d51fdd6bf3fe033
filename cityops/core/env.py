"""Strict readers of the process environment.

Settings read the environment only through these helpers. Each fails loudly on a value it
does not understand (``"yes"`` is not a boolean here) so that a typo in a deployment never
silently turns into a default.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


class EnvError(ValueError):
    """An environment variable holds a value that cannot be used."""


_TRUE = {"1", "true", "on"}
_FALSE = {"0", "false", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise EnvError(f"environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"{name}={raw!r}: use one of 1/0, true/false, on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise EnvError(f"{name}={raw!r} is not an integer") from exc


def env_intervals(name: str) -> dict[str, int]:
    """``NAME=job=seconds,job=seconds`` (e.g. the scheduler's intervals); a malformed part
    stops the process at start-up instead of being ignored."""
    raw = os.environ.get(name, "")
    found: dict[str, int] = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip().isdigit():
            raise EnvError(f"{name}: {part.strip()!r} is not name=seconds (seconds ≥ 0)")
        found[key.strip()] = int(value)
    return found


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).strip().lower() or default
    if value not in choices:
        raise EnvError(f"{name}={value!r}: use one of {', '.join(choices)}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int_list(name: str, default: list[int]) -> list[int]:
    """Comma-separated non-negative integers (``"60,300,1800"``); anything else stops loudly."""
    items = env_list(name, [str(d) for d in default])
    if not all(item.isdigit() for item in items):
        raise EnvError(f"{name}={os.environ.get(name)!r}: expected integers like 60,300,1800")
    return [int(item) for item in items]


def env_networks(name: str, default: list[str]) -> list[str]:
    """Comma-separated IP networks (CIDR, or single addresses); a malformed one stops loudly."""
    items = env_list(name, default)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise EnvError(f"{name}: {item!r} is not an IP address or network") from exc
    return items


@dataclass(frozen=True)
class DatabaseUrl:
    engine: str
    name: str
    user: str
    password: str
    host: str
    port: str
    options: dict[str, str]

    def as_django(self) -> dict[str, object]:
        config: dict[str, object] = {
            "ENGINE": self.engine,
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": self.port,
            "ATOMIC_REQUESTS": False,
            "CONN_MAX_AGE": 0,
        }
        if self.options:
            config["OPTIONS"] = dict(self.options)
        return config


def parse_database_url(url: str, *, base_dir: Path) -> DatabaseUrl:
    """Parse ``sqlite:///relative/path``, ``sqlite:////abs/path`` or ``postgres://…``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path in ("", "/"):
            raise EnvError(f"DATABASE_URL={url!r} names no SQLite file")
        # sqlite:///var/x.sqlite3 is relative to the project; sqlite:////tmp/x is absolute.
        name = path[1:] if path.startswith("//") else str(base_dir / path.lstrip("/"))
        return DatabaseUrl("django.db.backends.sqlite3", name, "", "", "", "", {})
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise EnvError(f"DATABASE_URL={url!r} names no database")
        return DatabaseUrl(
            "django.db.backends.postgresql",
            name,
            unquote(parts.username or ""),
            unquote(parts.password or ""),
            parts.hostname or "",
            str(parts.port or ""),
            dict(parse_qsl(parts.query)),
        )
    raise EnvError(f"DATABASE_URL scheme {parts.scheme!r} is not supported (sqlite, postgres)")


def read_or_create_secret(path: Path, *, length: int = 50) -> str:
    """Development only: keep a generated secret in var/ so restarts keep sessions valid."""
    import secrets

    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(length)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def load_env_file(path: Path) -> None:
    """Read KEY=VALUE lines from a .env file into os.environ without overriding set values."""
    if not path.is_file():
        return
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise EnvError(f"{path}:{lineno}: expected KEY=VALUE")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))

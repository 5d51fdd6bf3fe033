"""Every setting the code reads is declared in config/settings/base.py, and every environment
variable base.py reads is documented in .env.example (issue 13 §6): no setting that only a
``getattr(settings, …, default)`` knows about, no variable an operator cannot find."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BASE = ROOT / "config" / "settings" / "base.py"
READ = re.compile(
    r"settings\.(CITYOPS_[A-Z0-9_]+)|getattr\(\s*settings,\s*\"(CITYOPS_[A-Z0-9_]+)\""
)
ENV_READ = re.compile(r"env_[a-z]+\(\s*\"([A-Z0-9_]+)\"")


def _code_files() -> list[Path]:
    files = [p for p in (ROOT / "cityops").rglob("*.py") if "tests" not in p.parts]
    return files + list((ROOT / "config").rglob("*.py"))


def test_every_setting_read_by_the_code_is_declared_in_base() -> None:
    declared = set(re.findall(r"^(CITYOPS_[A-Z0-9_]+)\s*[:=]", BASE.read_text(), re.MULTILINE))
    missing: dict[str, str] = {}
    for path in _code_files():
        for match in READ.finditer(path.read_text(encoding="utf-8")):
            name = match.group(1) or match.group(2)
            if name not in declared:
                missing.setdefault(name, str(path.relative_to(ROOT)))
    assert missing == {}


def test_every_environment_variable_of_the_settings_is_documented() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    read = set(ENV_READ.findall(BASE.read_text(encoding="utf-8")))
    assert read, "the pattern finds the settings' environment reads"
    assert sorted(read - documented) == []

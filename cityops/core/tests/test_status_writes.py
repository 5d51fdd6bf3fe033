"""The lint check that keeps status writes in the transition modules (scripts/)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "check_status_writes.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_status_writes", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_direct_status_writes_are_found() -> None:
    code = """
case.status = "closed"
a, run.status = 1, "done"
Case.objects.filter(pk=1).update(status="voided")
proposal.save(update_fields=["status", "updated_at"])
self.status = 404
counts[case.status] = 1
Case.objects.create(status="reported")
"""
    found = [what for _line, what in _script().status_writes(ast.parse(code))]
    assert found == [
        ".status = …",
        ".status = …",
        ".update(status=…)",
        ".save(update_fields=[…'status'…])",
    ]


def test_the_code_base_writes_statuses_only_in_transition_modules() -> None:
    script = _script()
    paths = sorted((script.ROOT / "cityops").rglob("*.py"))
    assert script.check(paths) == []

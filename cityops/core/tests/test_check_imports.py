"""The lint check on the app import graph (scripts/check_imports.py): no cycle between apps,
and no domain app that depends on a UI app (issue 13 §5)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "check_imports.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_imports", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_domain_app_importing_a_ui_app_is_found() -> None:
    graph = {
        "evaluations": {"core", "public"},
        "cases": {"core", "console"},
        "console": {"public", "cases"},
        "public": {"cases", "evaluations"},
        "core": set(),
    }
    assert _script().ui_imports(graph) == [("cases", "console"), ("evaluations", "public")]


def test_the_repository_has_no_cycle_and_no_domain_to_ui_import() -> None:
    script = _script()
    graph = script.app_graph()
    assert script.cycles(graph) == []
    assert script.ui_imports(graph) == []
    assert "evaluations" in graph["public"]  # public registers its feedback source with it

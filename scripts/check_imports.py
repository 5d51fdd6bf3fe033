"""Fail on import cycles between CityOps apps, and on a domain app importing a UI app (issue 13 §5).

    python scripts/check_imports.py          # exit 1 on a new cycle or a domain → UI import
    python scripts/check_imports.py --graph  # print the app → app graph

An app depends on another when any of its modules (tests excluded) imports it, at module level
or inside a function, or when one of its migrations depends on the other's. Every strongly
connected group of more than one app is a cycle.

``UI_APPS`` are the apps that only present other apps' domains (the residents' pages, the
console). Only a UI app may depend on one: a domain app that needs something a UI app has
defines an interface and lets the UI app register with it (``evaluations.interfaces.
feedback_source_register``, registered by ``public``).

``KNOWN_CYCLES`` lists the cycles that existed when the check was written, so that it can run in
`make test` from the first day: a new cycle fails at once, a listed one that disappears must be
taken off the list (the check fails until it is), so the list can only shrink.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cityops"
MIGRATION_NAME = re.compile(r"^(\d{4}_\w+|__first__|__latest__)$")

# Each entry: the apps of one cycle, sorted. Shrink only.
KNOWN_CYCLES: set[tuple[str, ...]] = set()

UI_APPS = frozenset({"public", "console"})


def _imported_apps(path: Path, app: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Tuple) and "migrations" in path.parts:
            # ("other_app", "0003_…") in a migration's dependencies.
            pair = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if (
                len(node.elts) == 2
                and len(pair) == 2
                and isinstance(pair[0], str)
                and isinstance(pair[1], str)
                and MIGRATION_NAME.match(pair[1])
                and (PACKAGE / pair[0]).is_dir()
            ):
                names = [f"cityops.{pair[0]}"]
        for name in names:
            parts = name.split(".")
            if parts[0] == "cityops" and len(parts) > 1 and parts[1] != app:
                found.add(parts[1])
    return found


def app_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2 or "tests" in parts or parts[-1] in {"testing.py", "testing_browser.py"}:
            continue
        app = parts[0]
        graph[app] |= _imported_apps(path, app)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Strongly connected components with more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(tuple(sorted(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def ui_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(domain app, UI app) for every domain app that depends on a UI app."""
    return sorted(
        (app, ui)
        for app, targets in graph.items()
        if app not in UI_APPS
        for ui in targets & UI_APPS
    )


def main(argv: list[str]) -> int:
    graph = app_graph()
    if "--graph" in argv:
        for app in sorted(graph):
            print(f"{app} -> {', '.join(sorted(graph[app])) or '-'}")
    found = cycles(graph)
    known = {tuple(sorted(c)) for c in KNOWN_CYCLES}
    new = [c for c in found if c not in known]
    gone = sorted(known - set(found))
    for cycle in found:
        mark = "known debt" if cycle in known else "NEW"
        print(f"import cycle ({mark}): {' ↔ '.join(cycle)}")
    for cycle in gone:
        print(f"listed cycle no longer exists, remove it from KNOWN_CYCLES: {' ↔ '.join(cycle)}")
    wrong = ui_imports(graph)
    for app, ui in wrong:
        print(f"domain app imports a UI app: {app} → {ui}")
    if new or gone or wrong:
        return 1
    print(f"no new import cycle between {len(graph)} apps, no domain app imports a UI app")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Fail when code writes a ``status`` outside the transition modules (``make lint``).

Every status machine has one writer (docs/architecture.md, "Status machines"): the modules
below. Anywhere else, assigning ``<obj>.status = …``, ``.update(status=…)`` or saving with
``update_fields=[…"status"…]`` is refused; creating a row in its entry status is allowed.
Tests are not checked.

    python scripts/check_status_writes.py [paths…]
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The one writer of each machine (core.fsm tables in <app>/transitions.py), and the queues
# whose claim/outcome writers live in their own module.
WRITERS = frozenset(
    {
        "cityops/core/fsm.py",
        "cityops/cases/services/workflow.py",  # Case (case_transition)
        "cityops/cases/history/simulate.py",  # plain dataclasses of the history generator
        "cityops/estates/services/votes.py",  # Proposal (proposal_transition)
        "cityops/inspections/services/inspections.py",  # Inspection
        "cityops/evaluations/runs/lease.py",  # EvaluationRun, SnowEvaluationRun
        "cityops/evaluations/schemes/services.py",  # Scheme (scheme_publish)
        "cityops/evaluations/surveys/services.py",  # Survey (survey_close)
        "cityops/core/outbox.py",  # every delivery (notifications, SMS, webhooks): fenced claims
        "cityops/core/workers.py",  # django-tasks rows of dead workers (reaped as failed)
        "cityops/open311/intake.py",  # Open311 intake requests (fenced queue claims)
    }
)


def _is_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == "status"


def status_writes(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            parts = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
            for part in parts:
                # ``self.status`` is an object's own field (an error's HTTP status), not a row.
                if (
                    isinstance(part, ast.Attribute)
                    and part.attr == "status"
                    and not (isinstance(part.value, ast.Name) and part.value.id == "self")
                ):
                    yield node.lineno, ".status = …"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            for kw in node.keywords:
                if name in ("update", "bulk_update") and kw.arg == "status":
                    yield node.lineno, f".{name}(status=…)"
                if (
                    kw.arg in ("update_fields", "fields")
                    and name in ("save", "bulk_update")
                    and any(_is_status(e) for e in ast.walk(kw.value))
                ):
                    yield node.lineno, f".{name}({kw.arg}=[…'status'…])"


def check(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        rel = path.resolve().relative_to(ROOT).as_posix()
        if rel in WRITERS or "/tests/" in rel or "/migrations/" in rel:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for line, what in status_writes(tree):
            problems.append(f"{rel}:{line}: {what} outside a transition module")
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "cityops").rglob("*.py"))
    problems = check([p for p in paths if p.suffix == ".py"])
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"{len(problems)} status write(s) outside the transition modules: go through the "
            "machine's writer (core.fsm), see scripts/check_status_writes.py"
        )
        return 1
    print("status writes only in transition modules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

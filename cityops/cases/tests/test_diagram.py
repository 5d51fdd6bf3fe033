from __future__ import annotations

from cityops.cases.diagram import DOC_PATH, render
from cityops.cases.transitions import RULES


def test_committed_diagram_matches_the_table() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(), "run: manage.py case_diagram"


def test_every_transition_is_drawn() -> None:
    text = render()
    for rule in RULES:
        if rule.target is not None:
            for source in rule.sources:
                assert f"{source} --> {rule.target}: {rule.action}" in text

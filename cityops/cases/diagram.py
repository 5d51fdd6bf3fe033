"""Render the transition table as a Mermaid state diagram (docs/cases-workflow.md).

Generated, never edited by hand: ``manage.py case_diagram`` writes it and a test fails when
the committed file differs from the table.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import translation

from cityops.accounts.models import Role
from cityops.cases.models import Status
from cityops.cases.transitions import RULES

DOC_PATH = Path(getattr(settings, "BASE_DIR", ".")) / "docs" / "cases-workflow.md"
ENTRY = {
    Status.AWAITING_VERIFICATION: "public report",
    Status.REPORTED: "inspector / hotline / leader / sensor report",
    Status.SELF_HANDLED: "self-handled report (自处理)",
}


def _roles(roles: tuple[str, ...]) -> str:
    return ", ".join(roles)


def render() -> str:
    """Markdown with the diagram and the rule table (English labels: stable in git)."""
    with translation.override("en"):
        lines = [
            "# Case workflow (generated)",
            "",
            "Generated from `cityops/cases/transitions.py` by `manage.py case_diagram`;",
            "do not edit by hand. Roles are `accounts.Role` values.",
            "",
            "```mermaid",
            "stateDiagram-v2",
        ]
        for status in Status:
            lines.append(f"    {status.value}: {status.value} — {status.label}")
        for status, how in ENTRY.items():
            lines.append(f"    [*] --> {status.value}: {how}")
        for rule in RULES:
            if rule.target is None:
                continue
            for source in rule.sources:
                lines.append(f"    {source} --> {rule.target}: {rule.action}")
        for status in (Status.CLOSED, Status.REJECTED, Status.VOIDED, Status.MERGED):
            lines.append(f"    {status.value} --> [*]")
        lines += ["```", "", "| action | from | to | roles | guards |", "|---|---|---|---|---|"]
        for rule in RULES:
            target = rule.target or "(unchanged)"
            unit = " (own unit only)" if rule.unit_only else ""
            lines.append(
                f"| `{rule.action}` {rule.label} | {', '.join(rule.sources)} | {target} "
                f"| {_roles(rule.roles)}{unit} | {', '.join(rule.guards) or '–'} |"
            )
        lines += ["", f"All roles: {', '.join(r.value for r in Role)}.", ""]
    return "\n".join(lines)

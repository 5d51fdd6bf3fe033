"""Small status machines as data: the allowed (from, to) steps, checked and drawn.

For the status sets that need no roles or guards table (inspections, evaluation runs,
appeals): each step names the service that takes it, so the generated Mermaid diagram
(``docs/inspections-states.md``, ``docs/evaluations-states.md``) says who moves what, and the
service refuses any step the table does not list with a ``Conflict`` (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from django.utils.translation import gettext as _

from cityops.core.errors import Conflict


@dataclass(frozen=True)
class Step:
    source: str
    target: str
    by: str  # the service (and who calls it), in English: the diagram is stable in git


@dataclass(frozen=True)
class Machine:
    name: str
    statuses: type[Enum]
    entry: Mapping[str, str]  # status → how a row starts in it
    steps: tuple[Step, ...]
    final: tuple[str, ...]

    def allows(self, source: str, target: str) -> bool:
        return any(s.source == source and s.target == target for s in self.steps)

    def check(self, source: str, target: str) -> None:
        """Refuse a step the table does not list (a stale page or a second click)."""
        if not self.allows(source, target):
            labels = {str(m.value): str(getattr(m, "label", m.value)) for m in self.statuses}
            raise Conflict(
                _("This cannot go from “%(source)s” to “%(target)s”.")
                % {"source": labels.get(source, source), "target": labels.get(target, target)},
                code="transition_refused",
            )


def mermaid(machine: Machine) -> list[str]:
    """The machine as a Mermaid state diagram (fenced), labels in English."""
    lines = ["```mermaid", "stateDiagram-v2"]
    for member in machine.statuses:
        label = getattr(member, "label", member.value)
        lines.append(f"    {member.value}: {member.value} — {label}")
    for status, how in machine.entry.items():
        lines.append(f"    [*] --> {status}: {how}")
    for step in machine.steps:
        # Mermaid ends a statement at ";" and labels at a second ":": keep them out.
        if ";" in step.by or ":" in step.by:
            raise ValueError(f"no ';' or ':' in a step's label: {step.by!r}")
        lines.append(f"    {step.source} --> {step.target}: {step.by}")
    for status in machine.final:
        lines.append(f"    {status} --> [*]")
    lines.append("```")
    return lines

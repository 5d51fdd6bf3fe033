"""The state-machine kernel: every status machine of the platform is a ``Machine`` table here.

A machine is data: its statuses (a ``TextChoices``), how a row enters it, its transitions
(each an action with the statuses it starts from, where it leads, the roles allowed and the
guards that apply) and its final statuses. ``fsm_transition`` is the one writer every
machine without a bespoke writer uses: inside one transaction it checks the rule (role,
status, guards), compare-and-swaps the status against the *actual* stored value
(``UPDATE … WHERE pk = … AND status = <source>``: the second of two concurrent callers gets a
``Conflict``), writes the audit event and registers side effects on commit. The case
workflow keeps its own writer (``cases.services.workflow.case_transition``: version CAS,
photo storage, case events) but checks the same table through ``Machine.rule_checked``.

``MACHINES`` lists every machine (``register``); ``manage.py fsm_diagrams`` renders each
into the document it names under docs/, and a test fails when a committed file drifts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, PermissionDenied


class RoleCheck(Protocol):
    """The acting user's roles (``accounts.access.Actor`` fits): core does not import apps."""

    def has_role(self, *roles: str) -> bool: ...


@dataclass(frozen=True)
class Transition:
    """One action: from any of ``sources`` to ``target`` (None keeps the status).

    ``roles`` empty means a system step (a worker, a job, the service itself decides who);
    ``guards`` name checks the machine's owner implements; ``by`` says in English who takes
    the step through which service (the diagram label; stable in git).
    """

    action: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str | None
    roles: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    by: str = ""

    def roles_text(self) -> str:
        return ", ".join(self.roles) or "system"


def step(source: str, target: str, by: str, *, action: str = "") -> Transition:
    """A one-source system transition named after its target (small machines)."""
    return Transition(action or str(target), by, (source,), target, by=by)


@dataclass(frozen=True)
class Machine:
    name: str
    statuses: type[Enum]
    entry: Mapping[str, str]  # status → how a row starts in it
    transitions: tuple[Transition, ...]
    final: tuple[str, ...]
    doc: str = ""  # the generated document under docs/ that shows this machine
    models: tuple[str, ...] = ()  # the models whose ``status`` it governs (for the docs)
    intro: tuple[str, ...] = ()  # lines printed above the diagram
    table: bool = False  # also render the action / roles / guards table
    _by_action: dict[str, Transition] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for rule in self.transitions:
            if rule.action in self._by_action:
                raise ValueError(f"{self.name}: action {rule.action!r} listed twice")
            self._by_action[rule.action] = rule

    # --- reading the table -------------------------------------------------------------
    def rule(self, action: str) -> Transition | None:
        return self._by_action.get(action)

    def actions_from(self, status: str) -> list[Transition]:
        return [rule for rule in self.transitions if status in rule.sources]

    def allows(self, source: str, target: str) -> bool:
        return any(
            source in rule.sources and (rule.target or source) == target
            for rule in self.transitions
        )

    def label(self, status: str) -> str:
        for member in self.statuses:
            if str(member.value) == str(status):
                return str(getattr(member, "label", member.value))
        return str(status)

    def check(self, source: str, target: str) -> None:
        """Refuse a step the table does not list (a stale page or a second click): 409."""
        if not self.allows(source, target):
            raise Conflict(
                _("This cannot go from “%(source)s” to “%(target)s”.")
                % {"source": self.label(source), "target": self.label(target)},
                code="transition_refused",
            )

    def rule_checked(self, action: str, *, status: str, actor: RoleCheck | None) -> Transition:
        """The rule for ``action`` from ``status`` as ``actor`` (None: a system step).

        Unknown action → DomainError; role not allowed → PermissionDenied; status not a
        source → Conflict (someone acted first or the page is stale).
        """
        rule = self.rule(action)
        if rule is None:
            raise DomainError(_("Unknown action %(a)s.") % {"a": action}, code="unknown_action")
        if actor is not None and rule.roles and not actor.has_role(*rule.roles):
            raise PermissionDenied(_("Your role may not do this."))
        if status not in rule.sources:
            raise Conflict(
                _("It is now “%(status)s”: this action is no longer possible.")
                % {"status": self.label(status)},
                code="invalid_state",
            )
        return rule

    # --- rendering ------------------------------------------------------------------------
    def mermaid(self) -> list[str]:
        """The machine as a fenced Mermaid state diagram, labels in English."""
        lines = ["```mermaid", "stateDiagram-v2"]
        for member in self.statuses:
            label = getattr(member, "label", member.value)
            lines.append(f"    {member.value}: {member.value} — {label}")
        for status, how in self.entry.items():
            lines.append(f"    [*] --> {status}: {how}")
        for rule in self.transitions:
            if rule.target is None:
                continue
            text = rule.by or rule.action
            # Mermaid ends a statement at ";" and labels at a second ":": keep them out.
            if ";" in text or ":" in text:
                raise ValueError(f"no ';' or ':' in a transition's label: {text!r}")
            for source in rule.sources:
                lines.append(f"    {source} --> {rule.target}: {text}")
        for status in self.final:
            lines.append(f"    {status} --> [*]")
        lines.append("```")
        return lines

    def describe(self) -> list[str]:
        """Markdown section: title, intro, diagram and (``table``) the rule table."""
        models_ = f" ({', '.join(f'`{m}`' for m in self.models)})" if self.models else ""
        lines = [f"## {self.name[:1].upper()}{self.name[1:]}{models_}", ""]
        if self.intro:
            lines += [*self.intro, ""]
        lines += [*self.mermaid(), ""]
        if self.table:
            lines += ["| action | from | to | roles | guards |", "|---|---|---|---|---|"]
            for rule in self.transitions:
                lines.append(
                    f"| `{rule.action}` {rule.label} | {', '.join(rule.sources)} "
                    f"| {rule.target or '(unchanged)'} | {rule.roles_text()} "
                    f"| {', '.join(rule.guards) or '–'} |"
                )
            lines.append("")
        return lines


MACHINES: dict[str, Machine] = {}
DOCUMENTS: dict[str, tuple[str, tuple[str, ...]]] = {}  # docs/<name> → (title, intro lines)
DOCS_DIR = Path(getattr(settings, "BASE_DIR", ".")) / "docs"


def register(machine: Machine) -> Machine:
    """Add a machine to ``MACHINES``: each app declares its machines in ``<app>/transitions.py``."""
    if machine.doc and machine.doc not in DOCUMENTS:
        raise ValueError(f"{machine.name}: document {machine.doc!r} is not declared")
    MACHINES[machine.name] = machine
    return machine


def document(name: str, title: str, *intro: str) -> None:
    """Declare a generated document under docs/ (before registering its machines)."""
    DOCUMENTS[name] = (title, intro)


def load_machines() -> dict[str, Machine]:
    """Import every installed app's ``transitions`` module, which registers its machines."""
    autodiscover_modules("transitions")
    return MACHINES


def render_documents() -> dict[Path, str]:
    """Each declared document's generated Markdown (English labels: stable in git)."""
    load_machines()
    out: dict[Path, str] = {}
    with translation.override("en"):
        for name, (title, intro) in sorted(DOCUMENTS.items()):
            lines = [f"# {title} (generated by `manage.py fsm_diagrams`, do not edit)", ""]
            if intro:
                lines += [*intro, ""]
            for machine in MACHINES.values():
                if machine.doc == name:
                    lines += machine.describe()
            out[DOCS_DIR / name] = "\n".join(lines)
    return out


def fsm_transition(
    *,
    machine: Machine,
    instance: models.Model,
    action: str,
    actor: Any,
    roles: RoleCheck | None = None,
    guards: Mapping[str, Callable[[], None]] | None = None,
    values: Mapping[str, Any] | None = None,
    where: Mapping[str, Any] | None = None,
    audit_code: str,
    summary: str = "",
    data: Mapping[str, Any] | None = None,
    on_commit: Iterable[Callable[[], None]] = (),
) -> str:
    """Apply ``action`` to ``instance`` (its loaded ``status`` is the expected source).

    ``roles`` is the acting user's role check (None: a system step, no role check). The
    UPDATE compare-and-swaps on the status, so a concurrent writer that moved the row first
    makes this one raise ``Conflict`` and nothing is written. ``values`` are written in the
    same UPDATE; ``where`` adds conditions to the compare-and-swap (a lease holder, a
    version). The audit event carries from/to and ``data``. Returns the new status.
    """
    source = str(getattr(instance, "status"))  # noqa: B009 (every machine's column)
    rule = machine.rule_checked(action, status=source, actor=roles)
    for name in rule.guards:
        if guards is None or name not in guards:
            raise ValueError(f"{machine.name}: guard {name!r} has no implementation")
        guards[name]()
    target = rule.target or source
    extra = dict(values or {})
    with transaction.atomic():
        manager = type(instance)._default_manager
        changed = manager.filter(pk=instance.pk, status=source, **(where or {})).update(
            status=target, **extra
        )
        if changed != 1:
            raise Conflict(_("Someone else changed this first: reload it and try again."))
        setattr(instance, "status", target)  # noqa: B010
        for name, value in extra.items():
            if not hasattr(value, "resolve_expression"):
                setattr(instance, name, value)
        audit_record(
            code=audit_code,
            target=instance,
            actor=actor,
            summary=summary,
            data={"from": source, "to": target, **(data or {})},
        )
        for effect in on_commit:
            transaction.on_commit(effect)
    return target

"""What each case action takes: one frozen dataclass per action of the transition table
(``cases.transitions``), so ``case_transition`` gets typed input instead of ``**payload``.

``PAYLOADS`` maps the action to its class; ``payload_for(action, data)`` builds one from a
plain mapping (a form's or a serializer's cleaned data) and refuses unknown fields and values
of the wrong type with a ``DomainError`` (400) naming the field. Whether a value is *required*
or *acceptable for this case* stays with the guards the table names (``services.guards``):
a payload only says which inputs an action reads and of what type.

To add an action: a dataclass here (derive from ``Payload``, add the fields its guards and
effects read, a docstring with the 数字城管 term), an entry in ``PAYLOADS``, and its rule in
``transitions.py``; a test checks that both tables name the same actions.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Union

from django.utils.translation import gettext as _

from cityops.cases.models import Case, Category
from cityops.core.errors import DomainError
from cityops.registry.models import Organisation

# A record given either as the object or by its primary key (a form gives the object, the
# REST API the id): the guard resolves and checks it.
OrgRef = Organisation | int | str | None
CaseRef = Case | int | str | None
CategoryRef = Category | int | str | None


@dataclass(frozen=True, kw_only=True)
class Payload:
    """Every action may carry a reason: shown in the timeline and the audit row; the ``reason``
    guard makes it required."""

    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ConfirmReport(Payload):
    """核实: the inspector confirms a public report (the note is the ``reason``). ``photos``
    are accepted from the forms but not stored: no guard of this action takes them."""

    photos: Sequence[Any] = ()


@dataclass(frozen=True, kw_only=True)
class Accept(Payload):
    """受理: the intake clerk accepts a report."""


@dataclass(frozen=True, kw_only=True)
class Reject(Payload):
    """不予受理: refuse a report (reason required)."""


@dataclass(frozen=True, kw_only=True)
class File(Payload):
    """立案: the shift lead confirms the category's filing condition is met."""

    condition_met: bool = False


@dataclass(frozen=True, kw_only=True)
class Dispatch(Payload):
    """派遣: to ``unit``, or the routed unit when empty (another unit needs a reason)."""

    unit: OrgRef = None


@dataclass(frozen=True, kw_only=True)
class RequestReturn(Payload):
    """回退申请: the unit says the case is not its own (reason required)."""


@dataclass(frozen=True, kw_only=True)
class ApproveReturn(Payload):
    """回退审批: the dispatcher takes the case back."""


@dataclass(frozen=True, kw_only=True)
class RefuseReturn(Payload):
    """The dispatcher refuses the return (reason required)."""


@dataclass(frozen=True, kw_only=True)
class RequestExtension(Payload):
    """延期申请: the unit asks for a later deadline (reason and deadline required)."""

    new_deadline: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ApproveExtension(Payload):
    """延期审批: the requested deadline, or the one given here."""

    new_deadline: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class RefuseExtension(Payload):
    """The dispatcher refuses the extension (reason required)."""


@dataclass(frozen=True, kw_only=True)
class RequestPark(Payload):
    """挂账申请: the unit asks to park the case (reason required)."""


@dataclass(frozen=True, kw_only=True)
class ApprovePark(Payload):
    """挂账审批: the clock stops."""


@dataclass(frozen=True, kw_only=True)
class RefusePark(Payload):
    """The dispatcher refuses parking (reason required)."""


@dataclass(frozen=True, kw_only=True)
class Resume(Payload):
    """挂账恢复: the clock runs again."""


@dataclass(frozen=True, kw_only=True)
class Handle(Payload):
    """处置反馈: the unit's note on the work done and its after photos (both required)."""

    note: str = ""
    photos: Sequence[Any] = ()


@dataclass(frozen=True, kw_only=True)
class Verify(Payload):
    """核查通过: the inspector's check photos (required)."""

    photos: Sequence[Any] = ()


@dataclass(frozen=True, kw_only=True)
class Rework(Payload):
    """返工: the check failed (reason and check photos required)."""

    photos: Sequence[Any] = ()


@dataclass(frozen=True, kw_only=True)
class Close(Payload):
    """结案."""


@dataclass(frozen=True, kw_only=True)
class Reopen(Payload):
    """The reporter says it is still not fixed (reason required)."""


@dataclass(frozen=True, kw_only=True)
class ApproveSelfHandled(Payload):
    """自处理审核: intake approves a case the inspector fixed on the spot."""


@dataclass(frozen=True, kw_only=True)
class Void(Payload):
    """作废 (reason required)."""


@dataclass(frozen=True, kw_only=True)
class Merge(Payload):
    """Merge a duplicate into the earlier, open case ``into``."""

    into: CaseRef = None


@dataclass(frozen=True, kw_only=True)
class RaiseUrgency(Payload):
    """Make the case urgent (reason required)."""


@dataclass(frozen=True, kw_only=True)
class Recategorise(Payload):
    """Another minor ``category`` before dispatch (reason required); routing runs again."""

    category: CategoryRef = None


PAYLOADS: dict[str, type[Payload]] = {
    "confirm_report": ConfirmReport,
    "accept": Accept,
    "reject": Reject,
    "file": File,
    "dispatch": Dispatch,
    "request_return": RequestReturn,
    "approve_return": ApproveReturn,
    "refuse_return": RefuseReturn,
    "request_extension": RequestExtension,
    "approve_extension": ApproveExtension,
    "refuse_extension": RefuseExtension,
    "request_park": RequestPark,
    "approve_park": ApprovePark,
    "refuse_park": RefusePark,
    "resume": Resume,
    "handle": Handle,
    "verify": Verify,
    "rework": Rework,
    "close": Close,
    "reopen": Reopen,
    "approve_self_handled": ApproveSelfHandled,
    "void": Void,
    "merge": Merge,
    "raise_urgency": RaiseUrgency,
    "recategorise": Recategorise,
}

_HINTS: dict[type[Payload], dict[str, Any]] = {}


def _hints(cls: type[Payload]) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls)
    return found


def _fits(value: Any, hint: Any) -> bool:
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(_fits(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is not None:
        # Sequence[...]: a list or tuple (a string is a sequence of characters, not of photos).
        return isinstance(value, origin) and not isinstance(value, str)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def payload_class(action: str) -> type[Payload]:
    cls = PAYLOADS.get(action)
    if cls is None:
        raise DomainError(_("Unknown action %(a)s.") % {"a": action}, code="unknown_action")
    return cls


def payload_for(action: str, data: Mapping[str, Any], *, ignore_unknown: bool = False) -> Payload:
    """The action's payload from ``data``; a ``None`` value means "not given" (the default).

    ``ignore_unknown``: drop fields the action does not read (the REST API's one body shape
    serves every action); otherwise they are refused.
    """
    cls = payload_class(action)
    hints = _hints(cls)
    names = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in names:
            if ignore_unknown:
                continue
            raise DomainError(
                _("%(field)s is not an input of this action.") % {"field": name},
                code="unknown_field",
                field=name,
            )
        if value is None:
            continue
        if not _fits(value, hints[name]):
            raise DomainError(
                _("%(field)s has the wrong type for this action.") % {"field": name},
                code="invalid_type",
                field=name,
            )
        values[name] = tuple(value) if name == "photos" else value
    return cls(**values)

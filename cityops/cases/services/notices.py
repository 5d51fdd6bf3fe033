"""Who hears about a case, and the messages. ``notify`` delivers after the commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from cityops.accounts.models import Membership, Role, User
from cityops.cases.models import Case, Source
from cityops.cases.signals import case_notice
from cityops.notifications.phone import phone_message_queue
from cityops.notifications.services import notify


def unit_staff(org_id: int | None) -> QuerySet[User]:
    if org_id is None:
        return User.objects.none()
    return User.objects.filter(
        memberships__organisation_id=org_id, memberships__active=True, is_active=True
    ).distinct()


def unit_staff_ids(org_ids: Iterable[int | None]) -> dict[int | None, list[int]]:
    """``unit_staff`` of many units in one query: user ids by unit (every unit given is a key)."""
    orgs = set(org_ids)
    found: dict[int | None, set[int]] = {org: set() for org in orgs}
    rows = Membership.objects.filter(
        organisation_id__in=[o for o in orgs if o is not None], active=True, user__is_active=True
    ).values_list("organisation_id", "user_id")
    for org, user in rows:
        found[org].add(user)
    return {org: sorted(users) for org, users in found.items()}


def role_users(*roles: str) -> QuerySet[User]:
    return User.objects.filter(
        memberships__role__in=roles, memberships__active=True, is_active=True
    ).distinct()


def reporters(case: Case) -> list[User]:
    """The reporting users of the case and of every duplicate merged into it."""
    found = [case.reported_by] if case.reported_by_id else []
    for dup in case.duplicates.select_related("reported_by").filter(reported_by__isnull=False):
        found.append(dup.reported_by)  # type: ignore[arg-type]
    return [u for u in found if u is not None]


def phone_reporters_tell(case: Case, kind: str, *, with_duplicates: bool) -> int:
    """SMS to the reporters without an account (phone only) of the case (and its duplicates):
    hotline callers, anonymous public reports, anyone whose number staff recorded.

    The number goes to the SMS queue still encrypted (the stored token, read without
    decrypting); only the sender decrypts it. Once per case and kind (dedupe key).
    """
    match = Q(pk=case.pk) | Q(merged_into_id=case.pk) if with_duplicates else Q(pk=case.pk)
    rows = (
        Case.objects.filter(match)
        .exclude(reporter_phone_index="")
        # A resident who reported with their own account hears through the inbox instead.
        .exclude(source=Source.PUBLIC, reported_by__isnull=False)
        .annotate(token=Cast("reporter_phone", output_field=TextField()))
        .order_by("pk")
        .values_list("pk", "number", "token")
    )
    sent = 0
    for pk, number, token in rows:
        phone_message_queue(
            phone_token=token,
            text=format_lazy(MESSAGES[kind], number=number),
            dedupe_key=f"case:{pk}:sms:{kind}",
            target=Case(pk=pk),
        )
        sent += 1
    return sent


def console_case_url(case_id: int) -> str:
    """The case's page for staff (the console)."""
    return reverse("console:case-detail", args=[case_id])


_SENTINEL = 987654321


def console_case_url_maker() -> Callable[[int], str]:
    """``console_case_url`` for many cases: the URL is reversed once, then only the id changes
    (a job that links thousands of cases at once must not resolve the URLconf for each)."""
    head, _sep, tail = console_case_url(_SENTINEL).partition(str(_SENTINEL))
    return lambda case_id: f"{head}{case_id}{tail}"


def console_case_list_url(**params: Any) -> str:
    """The console case list with a filter (``cases.query.parse_case_filter`` names); empty
    values are left out."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{reverse('console:case-list')}?{urlencode(clean)}"


def track_case_url(number: str) -> str:
    """The case's page for a resident: the tracking form, number filled in (the private code
    stays with the resident, never in a link)."""
    return f"{reverse('public:track')}?{urlencode({'number': number})}"


def staff_ids(user_ids: Iterable[int]) -> set[int]:
    """Which of the users work in the console (any active role but resident, or superuser)."""
    ids = list(user_ids)
    member = Membership.objects.filter(user_id__in=ids, active=True).exclude(role=Role.RESIDENT)
    return set(member.values_list("user_id", flat=True)) | set(
        User.objects.filter(pk__in=ids, is_superuser=True).values_list("pk", flat=True)
    )


def send(recipients: Iterable[Any], case: Case, code: str, title: Any, *, dedupe: str = "") -> None:
    """Notify ``recipients`` about ``case``, each with a link that opens for them: the console
    page for staff, the tracking page for residents."""
    users = [u for u in recipients if u is not None and u.pk is not None]
    staff = staff_ids(u.pk for u in users)
    for url, group in (
        (console_case_url(case.pk), [u for u in users if u.pk in staff]),
        (track_case_url(case.number), [u for u in users if u.pk not in staff]),
    ):
        if group:
            notify(
                recipients=group, code=code, title=title, url=url, dedupe_key=dedupe, target=case
            )
    case_notice.send(sender=Case, cases=[case], code=code)


def title(template: Any, case: Case, **extra: Any) -> Any:
    return format_lazy(template, number=case.number, **extra)


MESSAGES: dict[str, Any] = {
    "dispatch": _("Case {number} was dispatched to your unit"),
    "request_return": _("Case {number}: the unit asks to return it"),
    "request_extension": _("Case {number}: the unit asks for an extension"),
    "request_park": _("Case {number}: the unit asks to park it"),
    "refuse_return": _("Case {number}: return refused, please handle it"),
    "approve_extension": _("Case {number}: extension approved"),
    "refuse_extension": _("Case {number}: extension refused"),
    "approve_park": _("Case {number}: parking approved"),
    "refuse_park": _("Case {number}: parking refused, please handle it"),
    "resume": _("Case {number} resumed: the clock runs again"),
    "rework": _("Case {number} failed the check: rework needed"),
    "urge": _("Case {number} was urged (督办): handle it with priority"),
    "close": _("Your report {number} was fixed and closed"),
    "reopen": _("Case {number} was reopened by its reporter: still not fixed"),
    "reject": _("Your report {number} was not accepted"),
    "void": _("Your report {number} was voided"),
    "merge": _("Your report {number} was merged into an earlier report"),
    "merged_into": _("Another report was merged into your report {number}"),
    "self_handled": _("Case {number}: self-handled report awaits approval"),
    "yellow": _("Case {number} will soon be overdue"),
    "reminder": _("Reminder: the handling deadline of case {number} is close"),
    "red": _("Case {number} is overdue"),
    "supervisor": _("Case {number} has been overdue for a long time"),
    "verify_red": _("Report {number} is overdue for verification (核实)"),
}


# Digests: one inbox notice per recipient naming many cases (the SLA scan tells a whole chunk
# at once). Title by kind and count, in the recipient's language; the body lists the numbers
# and the link opens the console list that holds them.
DIGESTS: dict[str, Any] = {
    "yellow": ngettext_lazy(
        "%(count)d case will soon be overdue", "%(count)d cases will soon be overdue", "count"
    ),
    "reminder": ngettext_lazy(
        "Reminder: the handling deadline of %(count)d case is close",
        "Reminder: the handling deadlines of %(count)d cases are close",
        "count",
    ),
    "red": ngettext_lazy("%(count)d case is overdue", "%(count)d cases are overdue", "count"),
    "supervisor": ngettext_lazy(
        "%(count)d case has been overdue for a long time",
        "%(count)d cases have been overdue for a long time",
        "count",
    ),
    "verify_red": ngettext_lazy(
        "%(count)d report is overdue for verification (核实)",
        "%(count)d reports are overdue for verification (核实)",
        "count",
    ),
}

# The console list each digest links to (the cases it names are in it, the most urgent first).
DIGEST_LISTS: dict[str, dict[str, str]] = {
    "yellow": {"open_only": "on", "sort": "deadline_at"},
    "reminder": {"open_only": "on", "sort": "deadline_at"},
    "red": {"open_only": "on", "overdue": "on", "sort": "deadline_at"},
    "supervisor": {"open_only": "on", "overdue": "on", "sort": "deadline_at"},
    "verify_red": {"status": "awaiting_verification", "sort": "reported_at"},
}


def _digest_title(kind: str, count: int) -> str:
    return str(DIGESTS[kind] % {"count": count})


# ``digest_title(kind, count)`` is lazy: rendered in the recipient's language by the writer.
digest_title = lazy(_digest_title, str)


def digest_body(numbers: Iterable[str]) -> str:
    """The case numbers a digest names, in the order given (the same in every language)."""
    return ", ".join(numbers)

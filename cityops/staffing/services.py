"""Writes of the staff register. Every change is audited (``staffing.*``) in its transaction;
flags are recomputed after every change (``staff_flags_refresh``) so counts stay cheap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.core.admin_personal import personal_data_reveal
from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.core.fsm import fsm_transition
from cityops.core.text import UncleanText
from cityops.core.text import clean_text as _core_clean
from cityops.staffing import retirement as ret
from cityops.staffing.access import access_staff, is_hr
from cityops.staffing.models import (
    OPTION_STEPS,
    Batch,
    FormerUnit,
    Option,
    PayItem,
    RetirementCategory,
    Sex,
    StaffMember,
    StaffStatus,
)
from cityops.staffing.rules import pay_cuts, staff_flags
from cityops.staffing.selectors import (
    pay_lines,
    reference_date,
    retirement_rules,
    staffing_limits,
)
from cityops.staffing.transitions import STAFF_TRANSFER

PERSONAL_FIELDS = ("name", "id_number", "birth_date_text")
MAX_AMOUNT = Decimal("99999999.99")


def clean_text(value: str, *, field: str = "") -> str:
    """Input text; a control character is a 400 naming the field, never a 500."""
    try:
        return _core_clean(value, field=field)
    except UncleanText as exc:
        raise DomainError(
            _("%(field)s holds a character that is not allowed (%(char)s).")
            % {"field": field or _("text"), "char": f"U+{ord(exc.char):04X}"},
            field=field or None,
        ) from None


def _require_hr(actor: Any) -> None:
    if actor is not None and not is_hr(actor):
        raise PermissionDenied(_("Only the HR officer may change the staff register."))


def category_check(*, sex: str, category: str) -> str:
    """Men retire as men; a woman's category (formerly 55 or 50) must be stated."""
    if sex == Sex.MALE:
        if category not in ("", RetirementCategory.MEN):
            raise DomainError(_("A man's retirement category is “men”."), field="category")
        return RetirementCategory.MEN
    if sex == Sex.FEMALE:
        if category not in (RetirementCategory.WOMEN_55, RetirementCategory.WOMEN_50):
            raise DomainError(
                _("State whether she retires under the former 55 or the former 50 rule."),
                field="category",
            )
        return category
    raise DomainError(_("Unknown sex."), field="sex")


def staff_flags_refresh(
    member: StaffMember, *, rules: Mapping[str, ret.Rule] | None = None
) -> bool:
    """Recompute the retirement date and the flags of ``member`` and save them if they moved."""
    rules = rules if rules is not None else retirement_rules()
    retirement = ret.retirement_date(member.birth_date, rules[member.retirement_category])
    flags = staff_flags(
        option=member.option,
        retirement=retirement,
        service_start=member.service_start,
        on=reference_date(member),
        pay=pay_lines(member),
        pay_reason_approved=member.pay_cut_approved_by_id is not None,
        limits=staffing_limits(),
    )
    if flags == member.flags and retirement == member.retirement_date:
        return False
    member.flags, member.blocked, member.retirement_date = flags, bool(flags), retirement
    member.save(update_fields=["flags", "blocked", "retirement_date", "updated_at"])
    return True


def staff_recompute_all(*, actor: Any = None) -> int:
    """After an edit of the rules, the settings or a batch's dates: every row again."""
    rules = retirement_rules()
    changed = 0
    with transaction.atomic():
        for member in StaffMember.objects.select_related("batch").prefetch_related("pay"):
            changed += staff_flags_refresh(member, rules=rules)
        audit_record(
            code="staffing.recomputed", actor=actor, target_type="staffing.staffmember",
            summary=str(changed), data={"changed": changed},
        )  # fmt: skip
    return changed


def _amount(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise DomainError(_("“%(v)s” is not an amount.") % {"v": value}, field=field) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise DomainError(_("“%(v)s” is not an amount.") % {"v": value}, field=field)
    return amount.quantize(Decimal("0.01"))


def staff_create(
    *,
    unit: FormerUnit,
    staff_no: str,
    name: str,
    birth_date: dt.date,
    sex: str,
    category: str = "",
    establishment_type: str,
    post: str = "",
    id_number: str = "",
    service_start: dt.date | None = None,
    batch: Batch | None = None,
    pay: Mapping[str, Any] | None = None,
    actor: Any = None,
    audit: bool = True,
) -> StaffMember:
    _require_hr(actor)
    category = category_check(sex=sex, category=category)
    staff_no, name = clean_text(staff_no).strip(), clean_text(name).strip()
    if not staff_no or not name:
        raise DomainError(_("A staff number and a name are required."), field="name")
    if service_start is not None and service_start < birth_date:
        raise DomainError(_("Service cannot start before birth."), field="service_start")
    rule = retirement_rules()[category]
    member = StaffMember(
        unit=unit,
        staff_no=staff_no,
        name=name,
        birth_date_text=birth_date.isoformat(),
        sex=sex,
        retirement_category=category,
        post=clean_text(post).strip(),
        establishment_type=establishment_type,
        service_start=service_start,
        retirement_date=ret.retirement_date(birth_date, rule),
        batch=batch,
    )
    member.set_id_number(clean_text(id_number))
    items = [(clean_text(k).strip(), _amount(v, field="pay")) for k, v in (pay or {}).items()]
    with transaction.atomic():
        if StaffMember.objects.filter(unit=unit, staff_no=staff_no).exists():
            raise Conflict(_("Staff number %(n)s is already registered.") % {"n": staff_no})
        member.save()
        PayItem.objects.bulk_create(
            PayItem(staff=member, item=item, old_amount=amount) for item, amount in items if item
        )
        staff_flags_refresh(member)
        if audit:
            audit_record(code="staffing.staff.created", target=member, actor=actor,
                         summary=str(member))  # fmt: skip
    return member


def staff_step(*, member: StaffMember, action: str, actor: Any, option: str = "") -> StaffMember:
    """Take one step of the transfer (the one writer of ``StaffMember.status``)."""
    with transaction.atomic():
        locked = access_staff(member.pk, actor, for_write=True)
        values: dict[str, Any] = {}
        if action == "sign":
            if option not in OPTION_STEPS:
                raise DomainError(_("Choose the option the person agreed to."), field="option")
            locked.option = option
            values["option"] = option
        # Flags judged now (a person without a batch is judged on today), not as last stored.
        staff_flags_refresh(locked)
        payroll, insurance = OPTION_STEPS.get(locked.option, (False, False))

        def option_chosen() -> None:
            if not option:
                raise DomainError(_("Choose the option the person agreed to."), field="option")

        def not_blocked() -> None:
            if locked.flags:
                from cityops.staffing.labels import flag_labels

                raise DomainError(
                    _("Blocked: %(why)s.") % {"why": "; ".join(flag_labels(locked.flags))},
                    code="blocked",
                )

        def switches_payroll() -> None:
            if not payroll:
                raise DomainError(_("This option keeps the payroll where it is."), code="step")

        def moves_insurance() -> None:
            if not insurance:
                raise DomainError(_("This option moves no social insurance."), code="step")

        def nothing_left() -> None:
            left = payroll if locked.status == StaffStatus.ADJUSTED else insurance
            if left:
                raise DomainError(_("This option still has a step to take."), code="step")

        steps = dict(locked.step_dates)
        steps[action] = timezone.localdate().isoformat()
        values.update(step_dates=steps, updated_at=timezone.now())
        fsm_transition(
            machine=STAFF_TRANSFER,
            instance=locked,
            action=action,
            actor=actor,
            roles=_Roles(actor),
            guards={
                "option_chosen": option_chosen,
                "not_blocked": not_blocked,
                "switches_payroll": switches_payroll,
                "moves_insurance": moves_insurance,
                "nothing_left": nothing_left,
            },
            values=values,
            audit_code=f"staffing.staff.{action}",
            summary=str(locked),
            data={"option": locked.option},
        )
    return locked


class _Roles:
    """The fsm role check with membership roles only (no superuser bypass, as ``access``)."""

    def __init__(self, actor: Any) -> None:
        self.hr = is_hr(actor)

    def has_role(self, *roles: str) -> bool:
        from cityops.accounts.models import Role

        return self.hr and Role.HR_OFFICER in roles


def staff_pay_set(
    *, member: StaffMember, lines: Sequence[tuple[str, Any, Any]], actor: Any
) -> StaffMember:
    """Replace the pay items (item, current, agreed new or blank). A changed comparison
    withdraws an approved reason: it was approved for other figures."""
    parsed: list[tuple[str, Decimal, Decimal | None]] = []
    seen: set[str] = set()
    for item, old, new in lines:
        name = clean_text(str(item)).strip()
        if not name:
            continue
        if name in seen:
            raise DomainError(_("Pay item “%(i)s” is listed twice.") % {"i": name}, field="pay")
        seen.add(name)
        new_amount = None if new in (None, "") else _amount(new, field="pay")
        parsed.append((name, _amount(old, field="pay"), new_amount))
    with transaction.atomic():
        locked = access_staff(member.pk, actor, for_write=True)
        if locked.status not in (StaffStatus.REGISTERED, StaffStatus.TALKED, StaffStatus.SIGNED):
            raise Conflict(_("The pay can no longer change after approval."))
        before = sorted((p.item, p.old_amount, p.new_amount) for p in locked.pay.all())
        locked.pay.all().delete()
        PayItem.objects.bulk_create(
            PayItem(staff=locked, item=i, old_amount=o, new_amount=n) for i, o, n in parsed
        )
        if sorted(parsed) != before and locked.pay_cut_approved_by_id is not None:
            locked.pay_cut_approved_by = None
            locked.pay_cut_approved_at = None
            locked.save(update_fields=["pay_cut_approved_by", "pay_cut_approved_at"])
        staff_flags_refresh(locked)
        audit_record(
            code="staffing.staff.pay_set", target=locked, actor=actor, summary=str(locked),
            data={"items": len(parsed), "cuts": len(pay_cuts(pay_lines(locked)))},
        )  # fmt: skip
    return locked


def staff_pay_reason_set(*, member: StaffMember, reason: str, actor: Any) -> StaffMember:
    reason = clean_text(reason).strip()
    if not reason:
        raise DomainError(_("State the reason for the lower pay."), field="reason")
    with transaction.atomic():
        locked = access_staff(member.pk, actor, for_write=True)
        if not pay_cuts(pay_lines(locked)):
            raise DomainError(_("No pay item is lower: there is nothing to justify."))
        locked.pay_cut_reason = reason[:2000]
        locked.pay_cut_reason_by = actor
        locked.pay_cut_approved_by = None
        locked.pay_cut_approved_at = None
        locked.save(
            update_fields=[
                "pay_cut_reason", "pay_cut_reason_by", "pay_cut_approved_by",
                "pay_cut_approved_at", "updated_at",
            ]
        )  # fmt: skip
        staff_flags_refresh(locked)
        audit_record(code="staffing.staff.pay_reason_set", target=locked, actor=actor,
                     summary=str(locked))  # fmt: skip
    return locked


def staff_pay_reason_approve(*, member: StaffMember, actor: Any) -> StaffMember:
    """A second HR officer approves the reason (four eyes: not the one who wrote it)."""
    with transaction.atomic():
        locked = access_staff(member.pk, actor, for_write=True)
        if not locked.pay_cut_reason:
            raise DomainError(_("No reason has been recorded."))
        if locked.pay_cut_reason_by_id == getattr(actor, "pk", None):
            raise PermissionDenied(_("Another officer must approve the reason you recorded."))
        if locked.pay_cut_approved_by_id is not None:
            raise Conflict(_("The reason is already approved."))
        locked.pay_cut_approved_by = actor
        locked.pay_cut_approved_at = timezone.now()
        locked.save(update_fields=["pay_cut_approved_by", "pay_cut_approved_at", "updated_at"])
        staff_flags_refresh(locked)
        audit_record(code="staffing.staff.pay_reason_approved", target=locked, actor=actor,
                     summary=str(locked))  # fmt: skip
    return locked


def staff_batch_set(*, member: StaffMember, batch: Batch | None, actor: Any) -> StaffMember:
    with transaction.atomic():
        locked = access_staff(member.pk, actor, for_write=True)
        if locked.status == StaffStatus.COMPLETED:
            raise Conflict(_("The transfer is completed."))
        locked.batch = batch
        locked.save(update_fields=["batch", "updated_at"])
        staff_flags_refresh(locked)
        audit_record(
            code="staffing.staff.batch_set", target=locked, actor=actor, summary=str(locked),
            data={"batch": batch.code if batch else ""},
        )  # fmt: skip
    return locked


def staff_reveal(*, member: StaffMember, actor: Any, purpose: str) -> dict[str, str]:
    """The clear personal data, for the HR officer only, audited with the purpose."""
    access_staff(member.pk, actor)
    return personal_data_reveal(
        obj=member, fields=PERSONAL_FIELDS, actor=actor, purpose=clean_text(purpose)
    )


__all__ = [
    "Option",
    "staff_batch_set",
    "staff_create",
    "staff_pay_reason_approve",
    "staff_pay_reason_set",
    "staff_pay_set",
    "staff_recompute_all",
    "staff_reveal",
    "staff_step",
]

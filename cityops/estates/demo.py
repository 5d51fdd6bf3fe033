"""Demo data for property management, on the demo district (``load_demo_estates``).

Owner registers for three professionally managed compounds, a certified committee election
and an open vote in the first, an interim committee in the second, a maintenance fund, the
improvement campaign over every demo compound without management (one resolved through the
services, two planned), and credit records for the demo property companies. Idempotent: a
second run finds the campaign and stops. Historical votes (the committee election) are
written as rows with a real tally, because their notice periods lie in the past.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityops.accounts.models import Role, User
from cityops.accounts.services import user_ensure
from cityops.core.audit import audit_record
from cityops.core.errors import DomainError
from cityops.core.management.demo_steps import DemoTable
from cityops.estates.models import (
    Ballot,
    Campaign,
    CampaignTarget,
    Owner,
    Proposal,
    ProposalStatus,
    Unit,
)
from cityops.estates.services.bodies import (
    Seat,
    committee_elect,
    committee_interim_form,
    fund_deposit,
)
from cityops.estates.services.campaigns import campaign_create, target_plan, target_resolve
from cityops.estates.services.credit import credit_record_add
from cityops.estates.services.votes import (
    proposal_create,
    proposal_tally,
    proposal_transition,
    whole_minute,
)
from cityops.registry.models import (
    Compound,
    District,
    ManagementModel,
    Organisation,
    OrganisationKind,
    ServiceType,
)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥建国志"
CHAIR_USER = "demo_owner_chair"
OWNER_USER = "demo_owner"
# The open demo vote closes this long after ``make demo``: vote as demo_owner, then close,
# tally and certify it as demo_owner_chair without waiting days.
DEMO_VOTE_MINUTES = 30


@dataclass
class EstatesSummary:
    created: bool = False
    units: int = 0
    owners: int = 0
    notes: list[str] = field(default_factory=list)


def _demo_district() -> District | None:
    try:
        from cityops.registry.demo.loader import demo_district
    except ImportError:  # pragma: no cover - registry demo not installed
        return None
    try:
        return demo_district()
    except DomainError:  # the demo code is taken by real data: leave it alone
        return None


def _register(compound: Compound, rng: random.Random) -> int:
    """200–600 units in 6-storey buildings, 2 entrances, 2 flats per landing."""
    n_units = max(200, min(600, compound.households or 300))
    owners: list[Owner] = []
    developer = Owner(compound=compound, key="DEVELOPER", name="开发建设单位", is_developer=True)
    units: list[tuple[str, str, str, Decimal, int]] = []  # address + area + owner index
    for i in range(n_units):
        building, rest = divmod(i, 24)
        entrance, rest = divmod(rest, 12)
        floor, flat = divmod(rest, 2)
        area = Decimal(rng.randint(5800, 14500)) / 100
        roll = rng.random()
        if roll < 0.03:
            idx = -1  # unsold: the developer's
        elif roll < 0.08 and owners:
            idx = rng.randrange(len(owners))  # a buyer with several flats
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2])))
            co = (rng.choice(SURNAMES) + rng.choice(GIVEN)) if rng.random() < 0.3 else ""
            owners.append(
                Owner(
                    compound=compound,
                    key=f"{compound.code}-{len(owners) + 1:04d}",
                    name=name,
                    co_owners=co,
                    phone=f"13{rng.randint(100000000, 999999999)}",
                )
            )
            idx = len(owners) - 1
        units.append((str(building + 1), str(entrance + 1), f"{floor + 1}0{flat + 1}", area, idx))
    Owner.objects.bulk_create([*owners, developer])
    Unit.objects.bulk_create(
        Unit(
            compound=compound,
            building=b,
            entrance=e,
            room=r,
            area=a,
            owner=developer if idx < 0 else owners[idx],
            developer_held=idx < 0,
        )
        for b, e, r, a, idx in units
    )
    return n_units


def _historical_vote(
    compound: Compound,
    *,
    matter: str,
    title: str,
    closed_days_ago: int,
    share: float,
    rng: random.Random,
    certifier: User,
) -> Proposal:
    """A past vote written as rows (its notice period lies in the past) with a real tally."""
    closes = whole_minute(timezone.now()) - dt.timedelta(days=closed_days_ago)
    proposal = Proposal.objects.create(
        compound=compound,
        matter=matter,
        title=title,
        text=title,
        noticed_at=closes - dt.timedelta(days=30),
        opens_at=closes - dt.timedelta(days=14),
        closes_at=closes,
        status=ProposalStatus.CLOSED,
    )
    voters = list(Owner.objects.filter(compound=compound, is_developer=False).order_by("key"))
    Ballot.objects.bulk_create(
        Ballot(
            proposal=proposal,
            owner=o,
            choice=rng.choices(["agree", "disagree", "abstain"], [90, 6, 4])[0],
        )
        for o in voters
        if rng.random() < share
    )
    result = proposal_tally(proposal)
    proposal.result, proposal.passed = result.to_dict(), result.passed
    proposal.save(update_fields=["result", "passed", "updated_at"])
    # Certified through the one writer (audited), then dated the day after the vote closed.
    proposal = proposal_transition(
        proposal_id=proposal.pk, to=ProposalStatus.CERTIFIED, actor=certifier, note="demo"
    )
    proposal.certified_at = closes + dt.timedelta(days=1)
    proposal.save(update_fields=["certified_at"])
    return proposal


def load_demo_estates(*, seed: int = 2022, actor: Any = None) -> EstatesSummary:
    summary = EstatesSummary()
    district = _demo_district()
    if district is None:
        summary.notes.append(_("The demo district is not loaded: nothing to do."))
        return summary
    year = timezone.localdate().year
    name = _("%(year)s residential property management improvement year") % {"year": year}
    if Campaign.objects.filter(name=name).exists():
        summary.notes.append(_("Property management demo data already loaded."))
        return summary
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    compounds = Compound.objects.filter(community__street__district=district).select_related(
        "community__street"
    )
    managed = list(
        compounds.filter(management_model=ManagementModel.PROFESSIONAL).order_by("code")[:3]
    )
    today = timezone.localdate()
    with transaction.atomic():
        admin = user_ensure(
            username="demo_estates_system",
            password=_random_password(rng),
            role=Role.SYSTEM_ADMIN,
            display_name="物业系统",
        )
        admin.is_active = False  # a service identity for the loader, never a login
        admin.save(update_fields=["is_active"])
        for compound in managed:
            summary.units += _register(compound, rng)
        summary.owners = Owner.objects.filter(compound__in=managed).count()
        if managed:
            _first_compound(managed[0], rng, admin)
        if len(managed) > 1:
            second = managed[1]
            owners = list(
                Owner.objects.filter(compound=second, is_developer=False).order_by("key")[:4]
            )
            seats = [
                Seat(mask, o, position="chair" if i == 0 else "member")
                for i, (mask, o) in enumerate((o.name, o) for o in owners)
            ]
            seats += [Seat("街道代表"), Seat("社区代表"), Seat("居委会代表")]
            committee_interim_form(compound=second, seats=seats, actor=admin)
        campaign = campaign_create(
            name=name,
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
            description=_("Target list: every compound of the district without management."),
            compounds=compounds.filter(management_model=ManagementModel.NONE),
            actor=admin,
        )
        # The demo street officer (first street by code) gets the late planned task to resolve.
        first_street = min((c.community.street.code for c in compounds if c.community), default="")
        targets = sorted(
            CampaignTarget.objects.filter(campaign=campaign).select_related(
                "compound__community__street"
            ),
            key=lambda t: (getattr(t.street, "code", "") != first_street, t.compound.code),
        )
        for i, target in enumerate(targets[:3]):
            community = target.compound.community
            if community is None:
                continue
            target_plan(
                target=target,
                chosen_model=ManagementModel.TRUSTEESHIP
                if i != 1
                else ManagementModel.SELF_MANAGED,
                street=community.street,
                community=community,
                deadline=today + dt.timedelta(days=60 if i else -5),  # the first one is late
                milestones=[
                    (_("Owners' consultation meeting"), today + dt.timedelta(days=-20)),
                    (_("Service agreement signed"), today + dt.timedelta(days=-10)),
                ],
                actor=admin,
            )
        if len(targets) > 2:
            target_resolve(target=targets[2], actor=admin)
        _credit(today, rng, admin)
        audit_record(
            code="estates.demo.loaded",
            target=campaign,
            actor=admin,
            data={"units": summary.units, "owners": summary.owners},
        )
    summary.created = True
    return summary


def _random_password(rng: random.Random) -> str:
    return secrets.token_urlsafe(24)


def _first_compound(compound: Compound, rng: random.Random, admin: User) -> None:
    from cityops.accounts.demo import DEMO_PASSWORD

    owners = list(Owner.objects.filter(compound=compound, is_developer=False).order_by("key"))
    chair = user_ensure(
        username=CHAIR_USER, password=DEMO_PASSWORD, role=Role.RESIDENT, display_name="业委会主任"
    )
    voter = user_ensure(
        username=OWNER_USER, password=DEMO_PASSWORD, role=Role.RESIDENT, display_name="业主"
    )
    Owner.objects.filter(pk=owners[0].pk).update(user=chair)
    Owner.objects.filter(pk=owners[1].pk).update(user=voter)
    owners = list(Owner.objects.filter(compound=compound, is_developer=False).order_by("key"))
    election = _historical_vote(
        compound,
        matter="elect_committee",
        title=_("Election of the first owners' committee"),
        closed_days_ago=40,
        share=0.8,
        rng=rng,
        certifier=admin,
    )
    seats = [
        Seat(o.name, o, position="chair" if i == 0 else "member") for i, o in enumerate(owners[:7])
    ]
    committee_elect(election=election, seats=seats, term_years=5, actor=admin)
    fund_deposit(
        compound=compound,
        amount=Decimal("1860000.00"),
        note=_("Initial deposits at move-in"),
        actor=admin,
    )
    now = whole_minute(timezone.now())  # voting windows are whole minutes
    fund_vote = proposal_create(
        compound=compound,
        matter="use_fund",
        title=_("Replace the lifts of buildings 1 and 2"),
        text=_(
            "Use CNY 420,000 of the maintenance fund to replace four lifts (three quotes "
            "attached at the management office)."
        ),
        amount=Decimal("420000.00"),
        opens_at=now + dt.timedelta(days=16),
        closes_at=now + dt.timedelta(days=30),
        actor=chair,
    )
    proposal_transition(proposal_id=fund_vote.pk, to=ProposalStatus.NOTICED, actor=chair)
    # The open vote was noticed 16 days ago (history), so it is written as rows and opened by
    # the transition function; most owners have already voted online.
    renew = Proposal.objects.create(
        compound=compound,
        matter="hire_manager",
        title=_("Renew the property service contract for three years"),
        text=_("Renew the contract with the current property company on unchanged fees."),
        noticed_at=now - dt.timedelta(days=16),
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(minutes=DEMO_VOTE_MINUTES),
        status=ProposalStatus.NOTICED,
        created_by=chair,
    )
    proposal_transition(proposal_id=renew.pk, to=ProposalStatus.OPEN, actor=chair)
    Ballot.objects.bulk_create(
        Ballot(
            proposal=renew,
            owner=o,
            choice=rng.choices(["agree", "disagree", "abstain"], [75, 15, 10])[0],
        )
        for o in owners[2:]
        if rng.random() < 0.72
    )


def _credit(today: dt.date, rng: random.Random, admin: User) -> None:
    companies = list(
        Organisation.objects.filter(
            kind=OrganisationKind.OPERATOR, operator_type=ServiceType.PROPERTY
        ).order_by("name")
    )
    for i, company in enumerate(companies):
        # The base record (基础信用信息: registration, qualifications, staff) opens the history.
        credit_record_add(
            company=company,
            kind="base",
            source="manual",
            source_ref=f"{today.year}-BASE",
            points=Decimal(80),
            reason=_("Base credit information checked at registration"),
            valid_from=today.replace(month=1, day=1),
            valid_until=today.replace(month=12, day=31),
            actor=admin,
        )
        if i == 0:
            credit_record_add(
                company=company,
                kind="good",
                source="award",
                points=Decimal(6),
                reason=_("City model residential project"),
                actor=admin,
            )
        if i == 1:
            credit_record_add(
                company=company,
                kind="bad",
                source="penalty",
                points=Decimal(8),
                reason=_("Fined for unlicensed fee increase"),
                actor=admin,
            )


def setup_step(context: Any) -> str:
    """The ``estates`` step of manage.py demo_setup."""
    summary = load_demo_estates(seed=context.seed)
    if not summary.created:
        return " ".join(summary.notes)
    return _("%(units)s units, %(owners)s owners; campaign, votes, committees, credit.") % {
        "units": summary.units,
        "owners": summary.owners,
    }


def demo_estates_delete() -> dict[str, int]:
    """Remove this app's rows on the demo district (call before the registry deletes the
    district: compounds and companies are PROTECTed by votes, committees and credit)."""
    from cityops.estates import models as em

    district = _demo_district()
    if district is None:
        return {}
    compounds = Compound.objects.filter(community__street__district=district)
    companies = (
        Organisation.objects.filter(
            kind=OrganisationKind.OPERATOR, operator_type=ServiceType.PROPERTY
        )
        .filter(managed_compounds__in=compounds)
        .distinct()
    )
    proposals = em.Proposal.objects.filter(compound__in=compounds)
    steps: list[tuple[str, Any]] = [
        ("fund_entries", em.FundEntry.objects.filter(account__compound__in=compounds)),
        ("fund_accounts", em.FundAccount.objects.filter(compound__in=compounds)),
        ("committees", em.Committee.objects.filter(compound__in=compounds)),
        ("ballots", em.Ballot.objects.filter(proposal__in=proposals)),
        ("proposals", proposals),
        ("campaign_targets", em.CampaignTarget.objects.filter(compound__in=compounds)),
        ("management_history", em.CompoundManagement.objects.filter(compound__in=compounds)),
        ("units", em.Unit.objects.filter(compound__in=compounds)),
        ("owners", em.Owner.objects.filter(compound__in=compounds)),
        ("credit_changes", em.CreditScoreChange.objects.filter(company__in=companies)),
        ("credit_records", em.CreditRecord.objects.filter(company__in=companies)),
        ("black_list", em.BlacklistEntry.objects.filter(company__in=companies)),
    ]
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for label, queryset in steps:
            deleted[label] = queryset.delete()[0]
    return deleted


def delete_hook(district: Any) -> dict[str, int]:
    """Demo delete hook (registered in ``EstatesConfig.ready``): estates rows go before a reset."""
    return demo_estates_delete()


def owner_logins_table() -> DemoTable | None:
    """Printed by ``demo_setup`` after the staff logins: the two demo owners (an owner who
    votes on the phone, and the committee chair who runs the vote)."""
    from cityops.accounts.demo import DEMO_PASSWORD

    roles = {OWNER_USER: _("owner (votes)"), CHAIR_USER: _("owners' committee chair")}
    owners = {
        o.user.username: o
        for o in Owner.objects.filter(user__username__in=roles).select_related("user", "compound")
        if o.user is not None
    }
    rows = tuple(
        (name, str(label), owners[name].compound.name, DEMO_PASSWORD)
        for name, label in roles.items()
        if name in owners
    )
    if not rows:
        return None
    return DemoTable(
        header=(_("username"), _("role"), _("compound"), _("password")),
        rows=rows,
        note=_(
            "Owners open /estates/ after signing in: the open vote closes soon after the "
            "demo starts."
        ),
    )

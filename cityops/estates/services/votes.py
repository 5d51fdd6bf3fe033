"""Owners' votes: proposals, their one status function, ballots and the tally.

Proposal statuses: draft → noticed → open → closed → certified; draft/noticed/open → cancelled.
The table in ``estates/transitions.py`` is the only place that says which move is allowed,
by whom and when; ``proposal_transition`` is its one writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityops.core.audit import audit_record
from cityops.core.errors import Conflict, DomainError, PermissionDenied
from cityops.estates import access, tally
from cityops.estates.models import (
    Ballot,
    BallotChannel,
    Matter,
    Owner,
    Proposal,
    ProposalStatus,
    Unit,
)
from cityops.estates.models.register import person_key
from cityops.estates.transitions import SYSTEM, VOTE
from cityops.registry.models import Compound

NOTICE_DAYS = 15  # 物业管理条例 art. 14: notify all owners ≥ 15 days before the meeting
S = ProposalStatus

THRESHOLD_LABELS = {
    "quorum_area": gettext_lazy("participating area"),
    "quorum_owners": gettext_lazy("participating owners"),
    "major_area": gettext_lazy("approving area (major matters)"),
    "major_owners": gettext_lazy("approving owners (major matters)"),
    "ordinary_area": gettext_lazy("approving area"),
    "ordinary_owners": gettext_lazy("approving owners"),
}

Guard = Callable[[Proposal, dt.datetime], "str | Promise | None"]


def _notice_guard(p: Proposal, now: dt.datetime) -> str | Promise | None:
    if p.opens_at < now + dt.timedelta(days=NOTICE_DAYS):
        return gettext_lazy("Voting may open no earlier than 15 days after the notice.")
    return None


def _opened_guard(p: Proposal, now: dt.datetime) -> str | Promise | None:
    if now < p.opens_at:
        return gettext_lazy("The voting window has not started yet.")
    return None


def _ended_guard(p: Proposal, now: dt.datetime) -> str | Promise | None:
    if now < p.closes_at:
        return gettext_lazy("The voting window has not ended yet.")
    return None


@dataclass(frozen=True)
class Rule:
    by: frozenset[str]
    guard: Guard | None = None


_GUARDS: dict[str, Guard] = {
    "notice": _notice_guard,
    "opened": _opened_guard,
    "ended": _ended_guard,
}

# {from: {to: rule}}, read from the machine in ``estates/transitions.py`` (the one table).
TRANSITIONS: dict[str, dict[str, Rule]] = {}
for _t in VOTE.transitions:
    for _source in _t.sources:
        TRANSITIONS.setdefault(_source, {})[str(_t.target)] = Rule(
            frozenset(_t.roles), _GUARDS[_t.guards[0]] if _t.guards else None
        )


def whole_minute(moment: dt.datetime, *, up: bool = False) -> dt.datetime:
    """The minute a moment falls in (seconds dropped), or with ``up`` the next whole minute
    when it has seconds: the grain of voting windows."""
    floor = moment.replace(second=0, microsecond=0)
    return floor + dt.timedelta(minutes=1) if up and floor != moment else floor


def proposal_create(
    *,
    compound: Compound,
    matter: Matter | str,
    title: str,
    text: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    amount: Decimal | None = None,
    committee_sees_choices: bool = False,
    rules: tally.Rules | None = None,
    actor: Any = None,
) -> Proposal:
    access.require_compound_manager(actor, compound)
    matter = Matter(matter)
    if not title.strip() or not text.strip():
        raise DomainError(_("A proposal needs a title and a text."), field="title")
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise DomainError(_("Times must carry a time zone."), field="opens_at")
    # Voting windows are whole minutes: the time every page and the certificate print
    # (HH:MM) is the moment the close is enforced, not a few seconds later. Rounded up, so
    # neither the notice period nor the window is ever shortened.
    opens_at, closes_at = whole_minute(opens_at, up=True), whole_minute(closes_at, up=True)
    if closes_at <= opens_at:
        raise DomainError(_("The voting window must end after it opens."), field="closes_at")
    fund_matter = matter in (Matter.USE_FUND, Matter.RAISE_FUND)
    if fund_matter and (amount is None or amount <= 0):
        raise DomainError(_("A maintenance fund matter needs a positive amount."), field="amount")
    rules = rules or tally.STATUTORY_FLOOR
    if looser := rules.looser_than(tally.STATUTORY_FLOOR):
        raise DomainError(
            _(
                "The thresholds may be stricter than those of Civil Code art. 278, never looser "
                "(too low: %(names)s)."
            )
            % {"names": ", ".join(str(THRESHOLD_LABELS[name]) for name in looser)},
            field="rules",
        )
    with transaction.atomic():
        proposal = Proposal.objects.create(
            compound=compound,
            matter=matter,
            title=title.strip(),
            text=text.strip(),
            opens_at=opens_at,
            closes_at=closes_at,
            amount=amount if fund_matter else None,
            committee_sees_choices=committee_sees_choices,
            rules=rules.to_dict(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            code="vote.proposal.created",
            target=proposal,
            actor=actor,
            summary=proposal.title,
            data={"matter": matter.value, "compound": compound.pk},
        )
    return proposal


def proposal_transition(
    *,
    proposal_id: int,
    to: ProposalStatus | str,
    actor: Any = None,
    expected: ProposalStatus | str | None = None,
    note: str = "",
) -> Proposal:
    """The one function that writes ``Proposal.status``. ``actor=None`` is the periodic job."""
    to = ProposalStatus(to)
    now = timezone.now()
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update().select_related("compound").get(pk=proposal_id)
        )
        if expected is not None and proposal.status != expected:
            raise Conflict(_("The proposal changed meanwhile; reload and try again."))
        rule = TRANSITIONS.get(proposal.status, {}).get(to)
        if rule is None:
            raise Conflict(
                _("A proposal cannot go from %(old)s to %(new)s.")
                % {"old": proposal.get_status_display(), "new": to.label}
            )
        if actor is None:
            if SYSTEM not in rule.by:
                raise PermissionDenied(_("This step needs a person."))
        elif not access.can_manage_compound(actor, proposal.compound):
            raise PermissionDenied(_("Only the compound's committee or its officers may do this."))
        if rule.guard is not None and (problem := rule.guard(proposal, now)) is not None:
            raise DomainError(problem, code="guard")
        old = proposal.status
        fields = ["status", "updated_at"]
        data: dict[str, Any] = {"from": old, "to": to.value}
        if to == S.NOTICED:
            proposal.noticed_at = now
            fields.append("noticed_at")
        elif to == S.CLOSED:
            result = proposal_tally(proposal)
            proposal.result = result.to_dict()
            proposal.passed = result.passed
            fields += ["result", "passed"]
            data.update(passed=result.passed, reason=result.reason)
        elif to == S.CERTIFIED:
            proposal.certified_at = now
            proposal.certified_by = actor
            fields += ["certified_at", "certified_by"]
        proposal.status = to
        proposal.save(update_fields=fields)
        if note:
            data["note"] = note
        audit_record(
            code=f"vote.proposal.{to.value}",
            target=proposal,
            actor=actor,
            summary=proposal.title,
            data=data,
        )
    return proposal


def proposal_tally(proposal: Proposal) -> tally.TallyResult:
    """Tally the current ballots against the register.

    One owner is one person (``person_key``: the blind index of the ID document, else the
    register row), so a buyer registered under several references counts once with the area of
    all their units. Should such a person have voted under two references, their latest ballot
    counts, as when an owner changes their ballot.

    The database adds up (one aggregate query, areas summed exactly in hundredths); the pure
    core decides on the totals. A ballot from someone who owns no unit in the compound makes
    the tally read the rows, so that the core names them in its error.
    """
    totals = _tally_totals(proposal)
    if totals is None:
        return _tally_from_rows(proposal)
    return tally.tally_totals(totals, matter=proposal.matter, rules=proposal.tally_rules())


def _person_key_sql(owner: str) -> str:
    """``person_key`` as SQL over the owner table aliased ``owner`` (same strings)."""
    return (
        f"CASE WHEN {owner}.id_index <> '' THEN 'person:' || {owner}.id_index "
        f"ELSE 'owner:' || CAST({owner}.id AS TEXT) END"
    )


def _tally_totals(proposal: Proposal) -> tally.Totals | None:
    """The compound's totals and each choice's area and head-count, by person; None when a
    ballot's person owns no unit of the compound."""
    qn = connection.ops.quote_name
    units, owners, ballots = (qn(model._meta.db_table) for model in (Unit, Owner, Ballot))
    places = Unit._meta.get_field("area").decimal_places or 0
    key = _person_key_sql("o")
    sql = f"""
        WITH per_person AS (
            SELECT {key} AS k, SUM(CAST(ROUND(u.area * {10**places}) AS BIGINT)) AS area
            FROM {units} u JOIN {owners} o ON o.id = u.owner_id
            WHERE u.compound_id = %s GROUP BY 1
        ), latest AS (
            SELECT k, choice FROM (
                SELECT {key} AS k, b.choice AS choice, ROW_NUMBER() OVER (
                    PARTITION BY {key} ORDER BY b.updated_at DESC, b.id DESC) AS rn
                FROM {ballots} b JOIN {owners} o ON o.id = b.owner_id
                WHERE b.proposal_id = %s
            ) ranked WHERE rn = 1
        )
        SELECT '', COUNT(*), COALESCE(SUM(area), 0), COUNT(*) FROM per_person
        UNION ALL
        SELECT latest.choice, COUNT(per_person.k), COALESCE(SUM(per_person.area), 0), COUNT(*)
        FROM latest LEFT JOIN per_person ON per_person.k = latest.k GROUP BY latest.choice
    """  # noqa: S608 (table names from model metadata, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [proposal.compound_id, proposal.pk])
        rows = cursor.fetchall()

    def area(hundredths: Any, count: int) -> Decimal:
        # As the core's Decimal sums: 0 for no rows, else the exact sum with the field's places.
        return Decimal(int(hundredths)).scaleb(-places) if count else Decimal(0)

    (_blank, total_owners, total_area, _n), *choices = rows
    area_by, owners_by = {}, {}
    for choice, matched, hundredths, cast in choices:
        if matched != cast:
            return None
        area_by[tally.Choice(choice)] = area(hundredths, matched)
        owners_by[tally.Choice(choice)] = int(matched)
    return tally.Totals(area(total_area, total_owners), int(total_owners), area_by, owners_by)


def _tally_from_rows(proposal: Proposal) -> tally.TallyResult:
    units = [
        tally.Unit(str(pk), person_key(owner_id, id_index), area)
        for pk, owner_id, id_index, area in Unit.objects.filter(compound_id=proposal.compound_id)
        .values_list("pk", "owner_id", "owner__id_index", "area")
        .iterator(chunk_size=5000)
    ]
    ballots = {
        person_key(owner_id, id_index): choice
        for owner_id, id_index, choice in Ballot.objects.filter(proposal=proposal)
        .order_by("updated_at", "pk")
        .values_list("owner_id", "owner__id_index", "choice")
    }
    return tally.tally(
        units=units, ballots=ballots, matter=proposal.matter, rules=proposal.tally_rules()
    )


def ballot_cast(
    *,
    proposal_id: int,
    owner: Owner,
    choice: tally.Choice | str,
    actor: Any,
    channel: BallotChannel | str = BallotChannel.ONLINE,
    proxy_name: str = "",
    authorisation: UploadedFile | None = None,
    scan: UploadedFile | None = None,
) -> Ballot:
    """Cast or change an owner's ballot while the window is open.

    Online ballots come from the owner's own account; proxy ballots (with the signed
    authorisation) and paper ballots (with the scan) are entered by the compound's committee
    or officers. The proposal row is locked so a ballot can never slip in after the close has
    tallied; the unique (proposal, owner) constraint backs the "one ballot per owner" rule.
    """
    try:
        choice = tally.Choice(choice)
    except ValueError as exc:
        raise DomainError(_("Choose agree, disagree or abstain."), field="choice") from exc
    channel = BallotChannel(channel)
    if owner.is_developer and channel == BallotChannel.ONLINE:
        raise DomainError(_("The developer votes on paper or by proxy."), field="channel")
    if channel == BallotChannel.PROXY and (not authorisation or not proxy_name.strip()):
        raise DomainError(
            _("A proxy ballot needs the proxy's name and the signed authorisation."),
            field="authorisation",
        )
    if channel == BallotChannel.PAPER and not scan:
        raise DomainError(_("A paper ballot needs its scan."), field="scan")
    with transaction.atomic():
        proposal = _lock_for_casting(proposal_id)
        if owner.compound_id != proposal.compound_id:
            raise PermissionDenied(_("This owner does not belong to the proposal's compound."))
        if channel == BallotChannel.ONLINE:
            if not getattr(actor, "is_authenticated", False) or owner.user_id != actor.pk:
                raise PermissionDenied(_("Only the owner may vote online."))
        elif not access.can_manage_compound(actor, proposal.compound):
            raise PermissionDenied(_("Only the committee enters proxy and paper ballots."))
        now = timezone.now()
        if proposal.status != S.OPEN or not proposal.window_contains(now):
            raise Conflict(_("Voting is not open: ballots can no longer be cast or changed."))
        values: dict[str, Any] = {
            "choice": choice,
            "channel": channel,
            "proxy_name": proxy_name.strip() if channel == BallotChannel.PROXY else "",
            "entered_by": actor if getattr(actor, "is_authenticated", False) else None,
        }
        if channel == BallotChannel.PROXY:
            values["authorisation"] = authorisation
        if channel == BallotChannel.PAPER:
            values["scan"] = scan
        ballot, created = _upsert_ballot(proposal, owner, values)
        # The choice itself stays out of the audit trail: only the owner may see it.
        audit_record(
            code="vote.cast" if created else "vote.changed",
            target=ballot,
            actor=actor,
            data={"proposal": proposal.pk, "owner": owner.pk, "channel": channel.value},
        )
    return ballot


def _lock_for_casting(proposal_id: int) -> Proposal:
    """Key-share-lock the proposal (the lock a ballot's foreign key takes anyway): casts run
    side by side, but never overlap the close, whose FOR UPDATE conflicts with it, so no ballot
    can slip in after the tally. SQLite serialises writers (IMMEDIATE) and has no row locks."""
    if connection.vendor == "postgresql":
        table = Proposal._meta.db_table
        sql = f"SELECT * FROM {table} WHERE id = %s FOR KEY SHARE"  # noqa: S608 - table name
        if not list(Proposal.objects.raw(sql, [proposal_id])):
            raise Proposal.DoesNotExist
        return Proposal.objects.select_related("compound").get(pk=proposal_id)
    return Proposal.objects.select_for_update().select_related("compound").get(pk=proposal_id)


def _upsert_ballot(proposal: Proposal, owner: Owner, values: dict[str, Any]) -> tuple[Ballot, bool]:
    """Insert-if-absent (ON CONFLICT DO NOTHING), then lock the owner's row and write it.

    Two concurrent first casts of one owner: the second insert waits for the first and does
    nothing, then both update the one row in turn. Nothing is lost, nobody is counted twice,
    and no savepoint or retry is needed.
    """
    Ballot.objects.bulk_create(
        [Ballot(proposal=proposal, owner=owner, choice=values["choice"], revision=0)],
        ignore_conflicts=True,
    )
    ballot = Ballot.objects.select_for_update().get(proposal=proposal, owner=owner)
    created = ballot.revision == 0
    for name, value in values.items():
        if value is not None or name not in ("authorisation", "scan"):
            setattr(ballot, name, value)
    ballot.revision += 1
    ballot.save()
    return ballot, created


def proposals_advance(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Periodic job: open noticed proposals whose window began, close those whose window ended."""
    now = now or timezone.now()
    opened = closed = 0
    for pk in Proposal.objects.filter(status=S.NOTICED, opens_at__lte=now).values_list(
        "pk", flat=True
    ):
        try:
            proposal_transition(proposal_id=pk, to=S.OPEN, expected=S.NOTICED)
            opened += 1
        except DomainError:
            continue
    for pk in Proposal.objects.filter(status=S.OPEN, closes_at__lte=now).values_list(
        "pk", flat=True
    ):
        try:
            proposal_transition(proposal_id=pk, to=S.CLOSED, expected=S.OPEN)
            closed += 1
        except DomainError:
            continue
    return {"opened": opened, "closed": closed}

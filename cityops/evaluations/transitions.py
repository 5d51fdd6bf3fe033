"""The evaluation domain's status machines (``core.fsm`` tables).

Rendered into ``docs/evaluations-states.md`` by ``manage.py fsm_diagrams``. The run and
appeal machines serve the monthly and the snowfall-event variants: ``SnowEvaluationRun``
shares ``RunStatus`` and a snow deduction's appeal shares ``AppealStatus``. The services that
change these statuses (``runs.jobs.run_execute``, ``runs.jobs.snow_run_execute``,
``appeals.services.appeal_decide`` and ``appeal_withdraw``, ``runs.month.period_publish``,
``schemes.services.scheme_publish``, ``surveys.services.survey_close``) check each step
against the row's actual status with ``<MACHINE>.check(old, new)`` (a ``Conflict`` for any step
not listed) and write it with a compare-and-swap or under a row lock. Snowfall evaluations and
evaluations themselves have no status: a change is a new revision.
"""

from __future__ import annotations

from cityops.core.fsm import Machine, Transition, document, register, step
from cityops.evaluations.models import PeriodStatus, SchemeStatus
from cityops.evaluations.models.appeals import AppealStatus
from cityops.evaluations.models.runs import RunStatus
from cityops.evaluations.models.surveys import SurveyStatus

document("evaluations-states.md", "Evaluation statuses")

RUN = Machine(
    name="evaluation run",
    doc="evaluations-states.md",
    models=("EvaluationRun", "SnowEvaluationRun"),
    intro=(
        "Monthly and snowfall-event runs share the run statuses and one writer",
        "(`evaluations/runs/lease.py`). A run holds an expiring lease (`leased_until`,",
        "`lease_holder`), renewed with every progress write. A second start of a month or",
        "event while its run is under a live lease is refused (409); once the lease has",
        "expired (the worker was killed) the next start fails the old run (`abandon`) and",
        "takes over.",
    ),
    statuses=RunStatus,
    entry={
        RunStatus.QUEUED: "run_start / snow_run_start (one active run per month or event)",
    },
    transitions=(
        step(RunStatus.QUEUED, RunStatus.RUNNING, "the worker claims it (compare-and-swap)"),
        step(RunStatus.RUNNING, RunStatus.DONE, "every contract scored"),
        step(RunStatus.RUNNING, RunStatus.FAILED, "a rule refused or an error (message kept)"),
        Transition(
            "abandon",
            "abandon",
            (RunStatus.QUEUED, RunStatus.RUNNING),
            RunStatus.FAILED,
            by="lease expired (worker stopped), the next start takes over",
        ),
    ),
    final=(RunStatus.DONE, RunStatus.FAILED),
)

APPEAL = Machine(
    name="appeal",
    doc="evaluations-states.md",
    models=("Appeal",),
    intro=("Appeals against monthly and snow deductions share the appeal statuses.",),
    statuses=AppealStatus,
    entry={
        AppealStatus.OPEN: "appeal_file (the contract's operator staff, within the window)",
    },
    transitions=(
        step(AppealStatus.OPEN, AppealStatus.UPHELD, "appeal_decide (supervisor)"),
        step(
            AppealStatus.OPEN,
            AppealStatus.OVERTURNED,
            "appeal_decide (supervisor), quantity 0, new revision",
        ),
        step(
            AppealStatus.OPEN,
            AppealStatus.PARTLY,
            "appeal_decide (supervisor), adjusted quantity, new revision",
        ),
        step(AppealStatus.OPEN, AppealStatus.WITHDRAWN, "appeal_withdraw (operator staff)"),
    ),
    final=(
        AppealStatus.UPHELD,
        AppealStatus.OVERTURNED,
        AppealStatus.PARTLY,
        AppealStatus.WITHDRAWN,
    ),
)

# 考评月 (evaluation month): published means frozen; only an appeal's decision adds a revision.
PERIOD = Machine(
    name="evaluation month",
    doc="evaluations-states.md",
    models=("Period",),
    intro=(
        "A published month is frozen: re-running it is refused and only an appeal's",
        "decision adds a revision to one of its evaluations.",
    ),
    statuses=PeriodStatus,
    entry={
        PeriodStatus.OPEN: "evaluate_month (the month's first run, re-run while open)",
    },
    transitions=(
        step(
            PeriodStatus.OPEN,
            PeriodStatus.PUBLISHED,
            "period_publish (supervisor, compare-and-swap), frozen, appeal window opens",
        ),
    ),
    final=(PeriodStatus.PUBLISHED,),
)

# A published version stays published: its successor only sets its valid_to.
SCHEME = Machine(
    name="scheme version",
    doc="evaluations-states.md",
    models=("Scheme",),
    intro=(
        "Only a draft is edited. Publishing a version ends the family's previous one the",
        "day before (its `valid_to`); the previous one keeps its status.",
    ),
    statuses=SchemeStatus,
    entry={
        SchemeStatus.DRAFT: "scheme_new_version (copy of a version) / scheme_create (demo)",
    },
    transitions=(
        step(
            SchemeStatus.DRAFT,
            SchemeStatus.PUBLISHED,
            "scheme_publish (supervisor, from the first day of a month, row lock)",
        ),
    ),
    final=(SchemeStatus.PUBLISHED,),
)

SURVEY = Machine(
    name="satisfaction survey",
    doc="evaluations-states.md",
    models=("Survey",),
    intro=("Answers are added while the survey is open and its month is not published.",),
    statuses=SurveyStatus,
    entry={SurveyStatus.OPEN: "survey_create (supervisor)"},
    transitions=(
        step(
            SurveyStatus.OPEN,
            SurveyStatus.CLOSED,
            "survey_close (supervisor, compare-and-swap), no more answers",
        ),
    ),
    final=(SurveyStatus.CLOSED,),
)

MACHINES = (RUN, APPEAL, PERIOD, SCHEME, SURVEY)
for _machine in MACHINES:
    register(_machine)

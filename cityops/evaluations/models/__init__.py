"""The evaluations app's models, one module per concept; imported here so that Django finds
them under the app label ``evaluations`` (model names and tables as before the split).

``schemes`` (families, versions, components, items, bands, penalties, penalty records) ←
``months`` (the month and a contract's evaluation of it) ← ``runs`` (the background run, the
policy) ← ``snow`` (the snowfall event, its evaluations and runs) ← ``appeals``; ``surveys`` and
``ranking`` (the ranking's own rules) stand beside them.
"""

from cityops.evaluations.models.appeals import (
    PAYMENT_COMPONENT,
    Appeal,
    AppealEvidence,
    AppealStatus,
)
from cityops.evaluations.models.months import (
    Evaluation,
    Period,
    PeriodStatus,
    ResultBase,
)
from cityops.evaluations.models.ranking import (
    SCORE,
    RankingRule,
)
from cityops.evaluations.models.runs import (
    ACTIVE_RUN_STATUSES,
    SHARE,
    AppealDays,
    EvaluationPolicy,
    EvaluationRun,
    RunBase,
    RunStatus,
)
from cityops.evaluations.models.schemes import (
    MISSING_CHOICES,
    PERCENT,
    RULE_CHOICES,
    VETO_MODE_CHOICES,
    ComponentKind,
    GradeBand,
    PaymentPenalty,
    PenaltyRecord,
    Scheme,
    SchemeComponent,
    SchemeFamily,
    SchemeItem,
    SchemeScope,
    SchemeStatus,
    SnowLeft,
)
from cityops.evaluations.models.snow import (
    SnowEvaluation,
    SnowEvaluationRun,
    SnowEvent,
    SnowLevel,
)
from cityops.evaluations.models.surveys import (
    Survey,
    SurveyAnswer,
    SurveyChannel,
    SurveyStatus,
)

__all__ = [
    "ACTIVE_RUN_STATUSES",
    "MISSING_CHOICES",
    "PAYMENT_COMPONENT",
    "PERCENT",
    "RULE_CHOICES",
    "SCORE",
    "SHARE",
    "VETO_MODE_CHOICES",
    "Appeal",
    "AppealDays",
    "AppealEvidence",
    "AppealStatus",
    "ComponentKind",
    "Evaluation",
    "EvaluationPolicy",
    "EvaluationRun",
    "GradeBand",
    "PaymentPenalty",
    "PenaltyRecord",
    "Period",
    "PeriodStatus",
    "RankingRule",
    "ResultBase",
    "RunBase",
    "RunStatus",
    "Scheme",
    "SchemeComponent",
    "SchemeFamily",
    "SchemeItem",
    "SchemeScope",
    "SchemeStatus",
    "SnowEvaluation",
    "SnowEvaluationRun",
    "SnowEvent",
    "SnowLeft",
    "SnowLevel",
    "Survey",
    "SurveyAnswer",
    "SurveyChannel",
    "SurveyStatus",
]

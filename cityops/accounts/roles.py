"""What each role may do in the Django admin, as data. Synced into auth Groups after migrate.

Business permissions (who may file or dispatch a case, who sees which records) live in the
domain access helpers; these groups only govern the admin back office.
"""

from __future__ import annotations

from typing import Any

from cityops.accounts.models import Role

REGISTRY_MODELS = (
    "city",
    "district",
    "street",
    "community",
    "grid",
    "organisation",
    "roadsegment",
    "greenspace",
    "componenttype",
    "component",
    "compound",
    "contract",
    "lot",
)

# The case catalogue: categories with their filing/closing conditions, time limits, questions.
CATALOGUE_MODELS = ("category", "timelimit", "question")
# The working calendar: settings, each year's official schedule, holidays and swapped days.
WORKCAL_MODELS = ("calendarsettings", "calendaryear", "holiday", "swappedworkday")
# Evaluation rules the bureau supervisor maintains (schemes and their parts, bands, penalties).
EVALUATION_RULE_MODELS = (
    "schemefamily",
    "scheme",
    "schemecomponent",
    "schemeitem",
    "gradeband",
    "paymentpenalty",
)
# Property-management records the bureau oversees (read only in the admin: the estates
# services write them, with their own audit trail).
ESTATES_MODELS = (
    "owner",
    "unit",
    "compoundmanagement",
    "committee",
    "committeemember",
    "fundaccount",
    "fundentry",
    "campaign",
    "campaigntarget",
    "proposal",
    "creditrecord",
    "creditobjection",
    "blacklistentry",
    "creditscorechange",
)

# The staff transfer plan's editable data (the register itself is read only: services write it).
STAFFING_PLAN_MODELS = ("formerunit", "difficultyclass", "batch")
STAFFING_RULE_MODELS = ("retirementrule", "staffingsettings")

# Editable inspection rules (settings row, default snow-removal deadlines) and the records.
INSPECTION_RULE_MODELS = ("inspectionsettings", "snowdeadline")
INSPECTION_RECORD_MODELS = ("inspectionplan", "inspection", "finding")

ALL = ("view", "add", "change", "delete")

# Vehicles: the register and work plans; the telematics thresholds row (edited, never added).
VEHICLE_MODELS = ("vehicle", "workplan")
VEHICLE_SETTINGS = {"telematicssettings": ("view", "change")}

# role -> {app_label: {model: actions}}
ADMIN_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    Role.SYSTEM_ADMIN: {
        "registry": {model: ALL for model in REGISTRY_MODELS},
        "accounts": {
            "user": ("view", "add", "change"),
            "membership": ("view", "add", "change", "delete"),
        },
        "core": {"auditevent": ("view",), "deliveryattempt": ("view",)},
        "cases": {model: ALL for model in CATALOGUE_MODELS},
        "workcal": {**{model: ALL for model in WORKCAL_MODELS}, "calendarversion": ("view",)},
        # The statutory numbers of procurement (versioned) and the counting policy.
        "procurement": {
            "statutoryperiod": ("view", "add", "change"),
            "procurementsettings": ("view", "change"),
            "project": ("view",),
            "challenge": ("view",),
        },
        # The supervision section's time limits and escalation thresholds (one row).
        "decisions": {"supervisionsettings": ("view", "change")},
        "vehicles": {**{model: ALL for model in VEHICLE_MODELS}, **VEHICLE_SETTINGS},
    },
    Role.BUREAU_SUPERVISOR: {
        "registry": {model: ("view",) for model in REGISTRY_MODELS},
        # Adjusts conditions, limits and questions of existing categories; the system admin
        # creates and removes categories.
        "cases": {model: ("view", "change") for model in CATALOGUE_MODELS},
        "evaluations": {
            **{model: ALL for model in EVALUATION_RULE_MODELS},
            "period": ("view",),
            "penaltyrecord": ("view",),
            "evaluation": ("view",),
            "snowevaluation": ("view",),
            "snowevent": ("view",),
            "rankingrule": ("view", "change"),
        },
        "estates": {
            **{model: ("view",) for model in ESTATES_MODELS},
            "creditband": ("view", "add", "change", "delete"),
        },
        # The workflow assessment's editable rules (one row each, edited, never added or deleted).
        "assessment": {"assessmentrules": ("view", "change")},
        # Inspection rules editable; the records themselves are written by the inspection
        # services (with their audit trail) and only read in the admin.
        "inspections": {
            **{model: ("view", "change") for model in INSPECTION_RULE_MODELS},
            **{model: ("view",) for model in INSPECTION_RECORD_MODELS},
        },
        "vehicles": {"vehicle": ("view",), "workplan": ALL, **VEHICLE_SETTINGS},
    },
    Role.MAYOR_VIEWER: {
        "registry": {model: ("view",) for model in REGISTRY_MODELS},
    },
    Role.HR_OFFICER: {
        "staffing": {
            **{model: ALL for model in STAFFING_PLAN_MODELS},
            **{model: ("view", "change") for model in STAFFING_RULE_MODELS},
            "staffmember": ("view",),
            "payitem": ("view",),
        },
    },
}

# Roles whose users may open the admin site at all.
ADMIN_ROLES = frozenset(ADMIN_PERMISSIONS)


def sync_role_groups(**kwargs: Any) -> None:
    """Create one auth Group per role and give it exactly the permissions in the table.

    As a post_migrate receiver it works once per migrate (or flush), at the last app's signal:
    every app's permissions exist by then, and the ~30 earlier runs (one per app) cost
    thousands of queries each time a transactional test's flush emits the signal."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    app_config = kwargs.get("app_config")
    if app_config is not None:
        with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
        if with_models and app_config is not with_models[-1]:
            return
    labels = {label for wanted in ADMIN_PERMISSIONS.values() for label in wanted}
    existing = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.filter(content_type__app_label__in=labels).select_related(
            "content_type"
        )
    }
    for role in Role:
        group, _ = Group.objects.get_or_create(name=f"role:{role.value}")
        wanted = ADMIN_PERMISSIONS.get(role, {})
        perms = [
            existing[key]
            for app_label, models in wanted.items()
            for model, actions in models.items()
            for key in ((app_label, f"{action}_{model}") for action in actions)
            if key in existing
        ]
        group.permissions.set(perms)

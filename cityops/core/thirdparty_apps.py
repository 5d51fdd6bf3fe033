"""Third-party apps under names our admin can translate.

django-axes has no ``verbose_name`` (the admin shows "Axes") and django-tasks-db a fixed English
one; these configs give both a translated section name. The models' own names are marked
below so that ``makemessages`` extracts them into core's catalogue (their packages ship no
Simplified Chinese).
"""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login throttling")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")  # type: ignore[assignment]  # lazy: per request


# The third-party strings the admin shows (translated in cityops/core/locale).
THIRD_PARTY_STRINGS = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
)

"""Working calendar: working hours, public holidays, swapped working days (调休).

Deadline arithmetic in working time.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkcalConfig(AppConfig):
    name = "cityops.workcal"
    label = "workcal"
    verbose_name = _("Working calendar")

    def ready(self) -> None:
        from cityops.workcal import checks  # noqa: F401  (registers the system check)

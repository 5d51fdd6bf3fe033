from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "cityops.estates"
    label = "estates"
    verbose_name = _("Property management")

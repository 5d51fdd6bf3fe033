"""Forms of the operators' webhook console (cityops/api/views_console.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityops.core.models import OutboxStatus
from cityops.registry.models import Organisation


class EndpointForm(forms.Form):
    """Register an endpoint. The URL rules (HTTPS, public addresses) are the service's: its
    ``DomainError`` is added to the ``url`` field by the view."""

    url = forms.CharField(
        label=_("Endpoint URL"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
        help_text=_("HTTPS on a public address; the signing secret is shown once."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Unit"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations.order_by("name")
        # One unit (an operator's staff): nothing to choose.
        self.single = organisations.count() == 1
        if self.single:
            field.widget = forms.HiddenInput()
            field.initial = organisations.first()


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *OutboxStatus.choices],
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())

"""Input of the case-list tools: saving a filter and dispatching several cases at once."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cityops.registry.fields import UnitChoiceField


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of the filter"), max_length=80)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    share = forms.BooleanField(label=_("Share with my organisation"), required=False)


class BulkDispatchForm(forms.Form):
    """The selected cases come as the ``cases`` list (checkboxes), read by the view."""

    unit = UnitChoiceField(
        label=_("Responsible unit (empty: each case's routed unit)"), required=False
    )
    reason = forms.CharField(
        label=_("Reason (needed when choosing another unit than the routed one)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    back = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

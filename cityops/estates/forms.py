from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cityops.estates import tally


class BallotForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your choice"),
        choices=[
            (tally.Choice.AGREE.value, _("Agree")),
            (tally.Choice.DISAGREE.value, _("Disagree")),
            (tally.Choice.ABSTAIN.value, _("Abstain")),
        ],
        widget=forms.RadioSelect,
    )

"""The form renderer (``core.formrender``) writes the same markup as Django's templates for the
widgets it renders in Python, escaping included; everything else is left to the templates."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import BaseRenderer, DjangoTemplates

from cityops.core.formrender import FormRenderer

HOSTILE = '"><script>alert(1)</script>&amp;'


class Sample(forms.Form):
    text = forms.CharField(label=f"Text {HOSTILE}", initial=HOSTILE, help_text="h")
    flag = forms.BooleanField(label="Flag", required=False, initial=True)
    day = forms.DateField(label="Day", required=False)
    hidden = forms.IntegerField(widget=forms.HiddenInput, initial=3)
    number = forms.IntegerField(label="N", required=False)
    mail = forms.EmailField(label="Mail", required=False)
    choice = forms.ChoiceField(
        choices=[("", "—"), (f"group {HOSTILE}", [("1", HOSTILE), ("2", "two")]), ("3", "三")],
        initial="2",
    )
    many = forms.MultipleChoiceField(
        choices=[("1", "a"), ("2", "b"), ("3", "c")], initial=["1", "3"]
    )
    radio = forms.ChoiceField(choices=[("1", "a"), ("2", "b")], widget=forms.RadioSelect)
    area = forms.CharField(widget=forms.Textarea, initial=HOSTILE)


def _norm(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _render(form: forms.Form, renderer: BaseRenderer) -> list[str]:
    form.renderer = renderer
    out = []
    for name in form.fields:
        field = form[name]
        out.append(_norm(str(field) + field.label_tag()))
    return out


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": HOSTILE, "flag": "on", "day": "2026-12-07", "hidden": "4", "choice": "1",
         "many": ["2"], "radio": "2", "area": "x"},
        {"text": "", "day": "not a date", "choice": "9"},  # invalid: values shown back as typed
    ],
)  # fmt: skip
def test_the_markup_is_djangos(data: dict[str, object] | None) -> None:
    ours = _render(Sample(data), FormRenderer())
    django = _render(Sample(data), DjangoTemplates())
    assert ours == django
    joined = "".join(ours)
    assert "<script>" not in joined
    assert "&lt;script&gt;" in joined
    assert ("selected" in joined) == (data is None or "many" in data)


def test_the_case_filter_form_renders_as_before(db: None) -> None:
    from django.http import QueryDict

    from cityops.console.forms import CaseFilterForm

    form = CaseFilterForm(QueryDict("status=closed&sort=number&overdue=on&q=%3Cb%3E"))
    form.is_valid()
    assert _render(form, FormRenderer()) == _render(form, DjangoTemplates())

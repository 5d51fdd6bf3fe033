"""Supervisor pages of the scheme editor: families and versions, a version, editing a draft
(header, components, bands and penalties as formsets; items per component), new draft, publish."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.forms import inlineformset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityops.core.errors import DomainError
from cityops.evaluations.forms import MonthForm
from cityops.evaluations.models import (
    GradeBand,
    PaymentPenalty,
    Scheme,
    SchemeComponent,
    SchemeFamily,
    SchemeItem,
)
from cityops.evaluations.schemes.editor import scheme_draft_edit
from cityops.evaluations.schemes.selectors import scheme_with_rules
from cityops.evaluations.schemes.services import scheme_new_version, scheme_publish, scheme_validate
from cityops.evaluations.views_common import supervisor_required


class SchemeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Scheme
        fields = ["notes", "veto_mode", "veto_score", "pass_mark", "percent_per_point",
                  "veto_percent", "cap_percent"]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


ComponentFormSet: Any = inlineformset_factory(
    Scheme, SchemeComponent, fields=["code", "name", "kind", "weight", "max_points", "missing",
                                     "order"], extra=1, can_delete=True,
)  # fmt: skip
BandFormSet: Any = inlineformset_factory(
    Scheme, GradeBand, fields=["code", "name", "min_score"], extra=1, can_delete=True
)
PenaltyFormSet: Any = inlineformset_factory(
    Scheme, PaymentPenalty, fields=["code", "name", "percent_of_fee", "amount"], extra=1,
    can_delete=True,
)  # fmt: skip
ItemFormSet: Any = inlineformset_factory(
    SchemeComponent, SchemeItem,
    fields=["code", "name", "rule", "points", "cap", "veto", "snow_left", "order"],
    extra=2, can_delete=True,
)  # fmt: skip


@supervisor_required
@require_GET
def schemes_view(request: HttpRequest) -> HttpResponse:
    families = SchemeFamily.objects.prefetch_related("versions").order_by("code")
    return render(request, "evaluations/schemes.html", {"families": families})


def _problem(scheme: Scheme) -> str:
    try:
        scheme_validate(scheme=scheme)
    except DomainError as exc:
        return str(exc.message)
    return ""


@supervisor_required
@require_GET
def scheme_view(request: HttpRequest, scheme_id: int) -> HttpResponse:
    get_object_or_404(Scheme, pk=scheme_id)
    scheme = scheme_with_rules(scheme_id)
    return render(
        request,
        "evaluations/scheme.html",
        {
            "scheme": scheme,
            "problem": "" if scheme.is_published else _problem(scheme),
            "publish_form": MonthForm(initial={"month": f"{scheme.valid_from:%Y-%m}"}),
        },
    )


@supervisor_required
@require_POST
def scheme_draft_view(request: HttpRequest, scheme_id: int) -> HttpResponse:
    get_object_or_404(Scheme, pk=scheme_id)
    draft = scheme_new_version(scheme_id=scheme_id, actor=request.user)
    messages.success(request, _("Draft version %(v)d created.") % {"v": draft.version})
    return redirect("evaluations:scheme-edit", scheme_id=draft.pk)


@supervisor_required
@require_POST
def scheme_publish_view(request: HttpRequest, scheme_id: int) -> HttpResponse:
    get_object_or_404(Scheme, pk=scheme_id)
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A month is written YYYY-MM."))
        return redirect("evaluations:scheme", scheme_id=scheme_id)
    try:
        scheme_publish(
            scheme_id=scheme_id, actor=request.user, valid_from=form.cleaned_data["month"]
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("evaluations:scheme", scheme_id=scheme_id)
    messages.success(request, _("The version is published."))
    return redirect("evaluations:scheme", scheme_id=scheme_id)


def _changes(*parts: Any) -> list[str]:
    changed: list[str] = []
    for part in parts:
        if isinstance(part, forms.BaseFormSet):
            changed += [
                f"{type(f.instance).__name__}:{f.instance.pk}"
                for f in part.forms
                if f.has_changed()
            ]
        elif part.has_changed():
            changed += part.changed_data
    return changed


@supervisor_required
@require_http_methods(["GET", "POST"])
def scheme_edit_view(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = get_object_or_404(Scheme.objects.select_related("family"), pk=scheme_id)
    if scheme.is_published:
        messages.error(request, _("A published version cannot change; edit a new draft."))
        return redirect("evaluations:scheme", scheme_id=scheme_id)
    data = request.POST if request.method == "POST" else None
    form = SchemeForm(data, instance=scheme, prefix="scheme")
    components = ComponentFormSet(data, instance=scheme, prefix="components")
    bands = BandFormSet(data, instance=scheme, prefix="bands")
    penalties = PenaltyFormSet(data, instance=scheme, prefix="penalties")
    parts = (form, components, bands, penalties)
    status = 200
    problem = ""
    if data is not None:
        if all(p.is_valid() for p in parts):

            def apply(locked: Scheme) -> list[str]:
                changed = _changes(*parts)
                for part in parts:
                    part.save()
                return changed

            try:
                scheme_draft_edit(
                    scheme_id=scheme.pk, actor=request.user, part="scheme", apply=apply
                )
            except DomainError as exc:
                problem, status = str(exc.message), 400
                # The edit was rolled back: show the input again over the rows as stored.
                scheme = Scheme.objects.select_related("family").get(pk=scheme.pk)
                form = SchemeForm(data, instance=scheme, prefix="scheme")
                components = ComponentFormSet(data, instance=scheme, prefix="components")
                bands = BandFormSet(data, instance=scheme, prefix="bands")
                penalties = PenaltyFormSet(data, instance=scheme, prefix="penalties")
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("evaluations:scheme-edit", scheme_id=scheme.pk)
        else:
            status = 400
    return render(
        request,
        "evaluations/scheme_edit.html",
        {"scheme": scheme, "form": form, "components": components, "bands": bands,
         "penalties": penalties, "problem": problem},
        status=status,
    )  # fmt: skip


@supervisor_required
@require_http_methods(["GET", "POST"])
def scheme_items_view(request: HttpRequest, scheme_id: int, component_id: int) -> HttpResponse:
    component = get_object_or_404(
        SchemeComponent.objects.select_related("scheme", "scheme__family"),
        pk=component_id, scheme_id=scheme_id,
    )  # fmt: skip
    scheme = component.scheme
    if scheme.is_published:
        return redirect("evaluations:scheme", scheme_id=scheme_id)
    data = request.POST if request.method == "POST" else None
    items = ItemFormSet(data, instance=component, prefix="items")
    status, problem = 200, ""
    if data is not None:
        if items.is_valid():

            def apply(locked: Scheme) -> list[str]:
                changed = _changes(items)
                items.save()
                return changed

            try:
                scheme_draft_edit(scheme_id=scheme.pk, actor=request.user,
                                  part=f"items:{component.code}", apply=apply)  # fmt: skip
            except DomainError as exc:
                problem, status = str(exc.message), 400
                items = ItemFormSet(data, instance=component, prefix="items")
            else:
                messages.success(request, _("The items are saved."))
                return redirect("evaluations:scheme-edit", scheme_id=scheme.pk)
        else:
            status = 400
    return render(
        request,
        "evaluations/scheme_items.html",
        {"scheme": scheme, "component": component, "items": items, "problem": problem},
        status=status,
    )

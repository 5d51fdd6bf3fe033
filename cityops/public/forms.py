"""The report form (residents and inspectors), the status lookup and the feedback form.

The report works without the map: the place is a pin / GPS position (lon, lat) *or* the
community chosen from a list plus the address text; the community's centre is then used.
The category's questions become fields named ``q_<code>``; the cases service validates the
answers (its errors are mapped back to those fields).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityops.cases.models import Category, Question, QuestionKind
from cityops.registry.models import Community

MAX_PHOTOS = 6


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(items) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        if not items and self.required:
            raise forms.ValidationError(self.error_messages["required"])
        return [single(d, initial) for d in items if d]


def minor_categories() -> Any:
    return (
        Category.objects.filter(active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("kind", "code")
    )


class CategoryPickForm(forms.Form):
    """Step 1 (a GET form): the category decides which questions the report asks."""

    category = forms.ModelChoiceField(
        label=_("What is the problem?"), queryset=Category.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["category"]
        field.queryset = minor_categories()
        field.widget.attrs["data-autosubmit"] = ""


def category_from_query(query: Any) -> Category | None:
    """The category chosen in step 1 (``?category=<id>``), if valid."""
    if not query.get("category"):
        return None
    pick = CategoryPickForm(query)
    if pick.is_valid():
        category: Category = pick.cleaned_data["category"]
        return category
    return None


def _question_field(q: Question) -> forms.Field:
    common: dict[str, Any] = {"label": q.label, "required": q.required, "help_text": q.help_text}
    choices = [(str(c.get("code")), str(c.get("label"))) for c in q.choices if isinstance(c, dict)]
    if q.kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if q.kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if q.kind == QuestionKind.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)
    if q.kind == QuestionKind.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if q.kind == QuestionKind.DATETIME:
        return forms.CharField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    return forms.CharField(max_length=200, **common)


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), widget=forms.HiddenInput
    )
    description = forms.CharField(
        label=_("Describe the problem"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultiplePhotoField(label=_("Photos"), required=False)
    lon = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "data-geo": "lon"}),
    )  # fmt: skip
    lat = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "data-geo": "lat"}),
    )  # fmt: skip
    community = forms.ModelChoiceField(
        label=_("Community (if you cannot place a pin)"),
        required=False,
        queryset=Community.objects.none(),
    )
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Your phone (optional)"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )  # fmt: skip
    # Honeypot: hidden from people by CSS, filled in by form-spamming robots.
    # Honeypot: hidden from people (and from the keyboard and screen readers), filled by bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    confirm_new = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, category: Category | None = None, staff: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        f: Any = self.fields
        f["category"].queryset = minor_categories()
        f["community"].queryset = Community.objects.order_by("code")
        if staff:
            del f["reporter_name"], f["reporter_phone"], f["website"]
            f["photos"].required = True
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            if category is not None:
                self.initial["category"] = category.pk
        if category is None and self.is_bound:
            raw = self.data.get("category")
            category = minor_categories().filter(pk=raw).first() if str(raw).isdigit() else None
        self.chosen_category = category
        self.question_codes: list[str] = []
        if category is not None:
            for q in category.questions.all():
                f[f"q_{q.code}"] = _question_field(q)
                self.question_codes.append(q.code)

    @property
    def question_fields(self) -> list[Any]:
        return [self[f"q_{code}"] for code in self.question_codes]

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_point = data.get("lon") is not None and data.get("lat") is not None
        if not has_point and data.get("community") is None:
            raise forms.ValidationError(
                _("Place the pin, use your location, or choose the community and give an address.")
            )
        return data

    def report_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        lon, lat = d.get("lon"), d.get("lat")
        if lon is None or lat is None:
            c: Community = d["community"]
            lon, lat = (c.min_lon + c.max_lon) / 2, (c.min_lat + c.max_lat) / 2
        out: dict[str, Any] = {
            "category": d["category"],
            "lon": lon,
            "lat": lat,
            "address": d.get("address") or (str(d["community"]) if d.get("community") else ""),
            "description": d["description"],
            "answers": {code: d.get(f"q_{code}") for code in self.question_codes},
            "photos": d.get("photos") or [],
            "idempotency_key": d.get("idempotency_key") or "",
        }
        if not self.staff:
            out["reporter_name"] = d.get("reporter_name") or ""
            out["reporter_phone"] = d.get("reporter_phone") or ""
        return out

    def error_field(self, field: str | None) -> str | None:
        """The form field a service error names (question codes map to ``q_<code>``)."""
        if field in self.fields:
            return field
        if field and f"q_{field}" in self.fields:
            return f"q_{field}"
        return None


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=20)
    code = forms.CharField(label=_("Tracking code"), max_length=20)


class FeedbackForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.CharField(widget=forms.HiddenInput, max_length=20)
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the result?"),
        coerce=int,
        choices=[
            (5, _("5 — very satisfied")),
            (4, _("4 — satisfied")),
            (3, _("3 — acceptable")),
            (2, _("2 — dissatisfied")),
            (1, _("1 — very dissatisfied")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class PlaceForm(forms.Form):
    """Step 1 of a report (a GET form): the pin / GPS position, or a community without a map."""

    lon = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "data-geo": "lon"}),
    )  # fmt: skip
    lat = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "data-geo": "lat"}),
    )  # fmt: skip
    community = forms.ModelChoiceField(
        label=_("Community (if you cannot place a pin)"),
        required=False,
        queryset=Community.objects.none(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["community"]
        field.queryset = Community.objects.order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_point = data.get("lon") is not None and data.get("lat") is not None
        if not has_point and data.get("community") is None:
            raise forms.ValidationError(
                _("Place the pin, use your location, or choose the community.")
            )
        return data

    def point(self) -> tuple[float, float]:
        d = self.cleaned_data
        if d.get("lon") is not None and d.get("lat") is not None:
            return float(d["lon"]), float(d["lat"])
        c: Community = d["community"]
        return (c.min_lon + c.max_lon) / 2, (c.min_lat + c.max_lat) / 2


class ReopenForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason = forms.CharField(
        label=_("What is still wrong?"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class SubscribeForm(forms.Form):
    """Follow the new and/or closed public reports of a community (double opt-in)."""

    community = forms.ModelChoiceField(label=_("Community"), queryset=Community.objects.none())
    channel = forms.ChoiceField(
        label=_("Send to"),
        choices=[("email", _("E-mail")), ("sms", _("SMS"))],
        widget=forms.RadioSelect,
        initial="email",
    )
    address = forms.CharField(
        label=_("E-mail address or mobile number"), max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    on_new = forms.BooleanField(label=_("New reports"), required=False, initial=True)
    on_closed = forms.BooleanField(label=_("Closed reports"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["community"]
        field.queryset = Community.objects.order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        address = str(data.get("address") or "").strip()
        if data.get("channel") == "email" and address:
            try:
                forms.EmailField().clean(address)
            except forms.ValidationError:
                self.add_error("address", _("Enter a valid e-mail address."))
        if data.get("channel") == "sms" and address:
            digits = address.replace(" ", "").replace("-", "").lstrip("+")
            if not digits.isdigit() or not 7 <= len(digits) <= 15:
                self.add_error("address", _("Enter a valid mobile number."))
        if not (data.get("on_new") or data.get("on_closed")):
            raise forms.ValidationError(_("Choose new reports, closed reports or both."))
        return data

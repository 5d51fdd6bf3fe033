"""The form renderer: Django's, with the select box, the plain inputs and the label written
in Python.

Django renders a ``<select>`` through one template include per option and another per option's
attributes. The staff case list's filter offers every category, street, community and unit —
a few hundred options — and those includes were a third of the page's time. The markup here is
the same as Django's templates (``widgets/select.html`` + ``select_option.html`` +
``attrs.html``, ``widgets/input.html`` and the input types that only include it,
``label.html``), escaped the same way; a widget with its own option template, and every other
template, still goes through the templates.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# Widget templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "date", "checkbox", "hidden", "number", "email")
)
LABEL = "django/forms/label.html"


def _attrs(attrs: dict[str, Any]) -> str:
    """``attrs.html``: `` name="value"`` for each attribute; True alone, False left out."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        name = conditional_escape(name)
        out.append(f" {name}" if value is True else f' {name}="{conditional_escape(value)}"')
    return "".join(out)


def select_html(widget: dict[str, Any]) -> SafeString:
    parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            parts.append(
                format_html('\n  <option value="{}"', str(option["value"]))
                + _attrs(option["attrs"])
                + format_html(">{}</option>", option["label"])
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 — every piece above is escaped


def input_html(widget: dict[str, Any]) -> SafeString:
    value = widget["value"]
    shown = "" if value is None else format_html(' value="{}"', str(value))
    head = format_html('<input type="{}" name="{}"', widget["type"], widget["name"])
    return mark_safe(head + shown + _attrs(widget["attrs"]) + ">")  # noqa: S308 — escaped


def label_html(context: dict[str, Any]) -> SafeString:
    if not context.get("use_tag"):
        return conditional_escape(context["label"])
    tag = conditional_escape(context["tag"])
    attrs = _attrs(context.get("attrs") or {})
    return mark_safe(f"<{tag}{attrs}>{conditional_escape(context['label'])}</{tag}>")  # noqa: S308


class FormRenderer(DjangoTemplates):
    """``settings.FORM_RENDERER``."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if widget is not None:
            if template_name == SELECT and _plain_options(widget):
                return select_html(widget)
            if template_name in INPUTS:
                return input_html(widget)
        elif template_name == LABEL and "label" in context:
            return label_html(context)
        return str(super().render(template_name, context, request))


def _plain_options(widget: dict[str, Any]) -> bool:
    return all(
        option.get("template_name") == OPTION
        for _name, choices, _index in widget["optgroups"]
        for option in choices
    )

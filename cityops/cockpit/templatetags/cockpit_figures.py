"""``{% fig f %}``: a cockpit number as a link to the list behind it, its explanation as the
title (and, for a rate, its denominator with the denominator's list)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cityops.cockpit.present import Figure

register = template.Library()


@register.simple_tag
def fig(f: Figure, pct: bool = False) -> SafeString:
    value = "—" if f.value is None else f"{f.value}{'%' if pct else ''}"
    html = format_html('<a class="fig" href="{}" title="{}">{}</a>', f.url, f.how, value)
    if f.of_url:
        of = _("of %(n)s due") % {"n": f.of}
        html += format_html('<a class="fig-of" href="{}" title="{}">{}</a>', f.of_url, f.how, of)
    return html

"""The 12345 hotline intake form of the call centre (受理员, 值班长).

It is the residents' report form (``public.forms.ReportForm``: category questions, pin or
community, address) with the caller instead of "your" contact, the hotline's own work-order
number, the urgency, and no photos. A typed address without a pin is located by the
registry's geocoder (``maps.geocoder.address_search``), so the form works without the map.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityops.api.hotline import HotlineOrder
from cityops.cases.models import Urgency
from cityops.maps.geocoder import address_search
from cityops.public.forms import ReportForm

CONSOLE_KEY_PREFIX = "console-"


class HotlineForm(ReportForm):
    work_order = forms.CharField(
        label=_("12345 work-order number (optional)"),
        required=False,
        max_length=60,
        help_text=_("The same number twice opens the case already filed for it."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, staff=False, **kwargs)
        f: Any = self.fields
        del f["photos"], f["website"]
        f["description"].label = _("What the caller reports")
        f["reporter_name"].label = _("Caller's name")
        f["reporter_phone"].label = _("Caller's phone")
        f["address"].label = _("Address (type to search the registry)")
        f["community"].label = _("Community (if neither pin nor address)")

    @property
    def is_spam(self) -> bool:
        return False

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        has_point = data.get("lon") is not None and data.get("lat") is not None
        address = str(data.get("address") or "").strip()
        if not has_point and data.get("community") is None and address:
            hits = address_search(query=address, limit=1)
            if hits:
                data["lon"], data["lat"] = hits[0].lon, hits[0].lat
            else:
                raise forms.ValidationError(
                    _(
                        "The address was not found in the registry: place the pin, choose "
                        "one of the suggested places, or choose the community."
                    )
                )
        return super().clean()

    def order(self) -> HotlineOrder:
        """The work order for ``api.hotline.hotline_order_intake`` (after is_valid).

        Without a 12345 number the form's own key (a fresh one per form) makes a resent form
        file one case, not two.
        """
        kw = self.report_kwargs()
        d = self.cleaned_data
        number = str(d.get("work_order") or "").strip()
        if not number:
            number = CONSOLE_KEY_PREFIX + (kw["idempotency_key"] or uuid.uuid4().hex)
        return HotlineOrder(
            number=number,
            content=kw["description"],
            caller_name=kw["reporter_name"],
            caller_phone=kw["reporter_phone"],
            address=kw["address"],
            lon=kw["lon"],
            lat=kw["lat"],
            urgency=d.get("urgency") or Urgency.NORMAL,
            category=kw["category"],
            answers=kw["answers"],
        )

"""The Open311 side of a case reporter's erasure (``cityops.cases.retention``): the e-mail,
device and account ids and any leftover submission of the requests of the erased cases."""

from __future__ import annotations

from collections.abc import Sequence

from cityops.open311.models import Open311Request


def open311_reporter_erase(case_ids: Sequence[int]) -> None:
    Open311Request.objects.filter(case_id__in=list(case_ids)).update(
        email="", device_id="", account_id="", payload=""
    )

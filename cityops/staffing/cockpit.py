"""The staff transfer's panel of the leaders' cockpit (registered in ``apps.StaffingConfig``).

Computed by the cockpit's refresh job from ``selectors.transfer_progress`` (the one read model
of the progress page): counts only — transferred / total, per former unit, blocked and why.
No names, no personal data: the snapshot is shown to every cockpit viewer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cityops.staffing.selectors import transfer_progress

UNIT_KEYS = ("code", "name", "total", "completed", "blocked")


def staffing_compute(*, now: dt.datetime) -> dict[str, Any]:
    progress = transfer_progress()
    return {
        "total": progress["total"],
        "completed": progress["completed"],
        "blocked": progress["blocked"],
        "unbatched": progress["unbatched"],
        "units": [{k: u[k] for k in UNIT_KEYS} for u in progress["units"]],
        "flags": progress["flags"],
    }

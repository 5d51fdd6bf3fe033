"""Events other apps may listen to (webhooks). Sent inside the transaction of the change:
receivers must defer side effects with ``transaction.on_commit``."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by ``services.notices.send`` for every case notice: kwargs ``case`` and ``code``
# (``case.dispatch``, ``case.rework``, ``case.sla.yellow``, ``case.sla.red``, …).
case_notice = Signal()

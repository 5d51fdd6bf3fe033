"""Cases (案件): catalogue, the 数字城管 workflow, routing, deadlines and audit.

Where things are (read → selectors/access, write → services):

- ``models/``: ``Category`` / ``TimeLimit`` / ``Question`` (立结案标准) and ``Case`` /
  ``CaseEvent`` / ``CasePhoto``. Statuses, sources and lights are TextChoices (API contract).
- ``transitions.py``: the workflow as data (action → from statuses, target, roles, guards).
- ``services/workflow.py``: ``case_transition``, the only writer of ``Case.status``, whose input
  is the action's typed payload (``services/payloads.py``); ``services/intake.py``: ``case_report``.
- ``routing.py`` (who must fix it, with an explanation), ``deadlines.py`` (working calendar),
  ``sla.py`` + ``tasks.py`` (set-based traffic lights and escalation), ``access.py`` (scope).
- ``manage.py fsm_diagrams`` renders the table into docs/cases-workflow.md.

Bulk generators (demo history, benchmarks) may write rows directly but must keep the stored
invariants: ``version`` bumped per transition, one ``CaseEvent`` per transition,
``yellow_at``/``deadline_at`` from ``deadlines.compute`` and ``light`` consistent with them.
"""

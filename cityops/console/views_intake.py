"""The call centre's 12345 intake page (受理员 and 值班长): a phone call becomes a case.

Thin: the form (``forms_intake.HotlineForm``) → ``api.hotline.hotline_order_intake``, the one
function that also files the hotline system's work orders (REST ``/api/v1/hotline/orders/``),
which calls ``cases.services.case_report`` with the source ``hotline`` (roles checked, caller
data encrypted, audited there). Other users get a 404, like every page not meant for them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cityops.accounts.access import actor_for
from cityops.accounts.models import Role
from cityops.api.hotline import hotline_order_intake
from cityops.console.forms_intake import HotlineForm
from cityops.core import mapconfig
from cityops.core.errors import DomainError
from cityops.public.forms import CategoryPickForm, category_from_query

HOTLINE_ROLES = (Role.INTAKE_CLERK, Role.SHIFT_LEAD)


def may_take_calls(user: object) -> bool:
    return actor_for(user).has_role(*HOTLINE_ROLES)


@login_required
@require_http_methods(["GET", "POST"])
def hotline_intake_view(request: HttpRequest) -> HttpResponse:
    if not may_take_calls(request.user):
        raise Http404
    category = category_from_query(request.GET)
    pick = CategoryPickForm(initial={"category": category.pk} if category else None)
    form = HotlineForm(request.POST or None, category=category)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                case, created = hotline_order_intake(order=form.order(), actor=request.user)
            except DomainError as err:
                status = err.status_code
                form.add_error(form.error_field(err.field), str(err.message))
            else:
                if created:
                    messages.success(
                        request, _("Case %(n)s filed from the call.") % {"n": case.number}
                    )
                else:
                    messages.info(
                        request,
                        _("This work order was already filed as case %(n)s.") % {"n": case.number},
                    )
                return redirect("console:case-detail", case_id=case.pk)
    return render(
        request,
        "console/hotline.html",
        {
            "form": form,
            "pick": pick,
            "category": category,
            "map_options": mapconfig.map_options(),
        },
        status=status,
    )

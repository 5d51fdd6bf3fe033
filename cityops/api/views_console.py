"""The operators' webhook page at /console/webhooks/: endpoints, registration, secret rotation,
deactivation, and the delivery log with manual redelivery.

Thin adapters over ``webhooks.py`` (the same services as the REST API and the back office) and
``webhook_selectors.py`` (scope: operator staff see their units, bureau supervisors and system
administrators every operator; another unit's endpoint or delivery is a 404). A signing
secret appears once, in the answer to the POST that made it, never stored in the session.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityops.api.forms import DeliveryFilterForm, EndpointForm
from cityops.api.models import WebhookEndpoint
from cityops.api.webhook_selectors import (
    access_delivery,
    access_endpoint,
    may_manage_webhooks,
    webhook_deliveries_visible,
    webhook_endpoints_visible,
    webhook_organisations,
)
from cityops.api.webhooks import (
    webhook_endpoint_deactivate,
    webhook_endpoint_register,
    webhook_endpoint_rotate_secret,
    webhook_redeliver,
)
from cityops.cases.models import Case
from cityops.core.errors import DomainError

PAGE_SIZE = 25


def _guard(request: HttpRequest) -> None:
    if not may_manage_webhooks(request.user):
        raise PermissionDenied


def _log_query(request: HttpRequest) -> tuple[DeliveryFilterForm, str, int]:
    """The delivery log's filter (status) and page from the query string; bad values ignored."""
    form = DeliveryFilterForm(request.GET or None)
    status, page = "", 1
    if form.is_valid():
        status = form.cleaned_data["status"] or ""
        page = form.cleaned_data["page"] or 1
    return form, status, page


def _deliveries(request: HttpRequest) -> dict[str, Any]:
    form, status, number = _log_query(request)
    paginator = Paginator(webhook_deliveries_visible(user=request.user, status=status), PAGE_SIZE)
    page = paginator.get_page(number)
    rows = list(page.object_list)
    numbers = {str((d.payload.get("case") or {}).get("number") or "") for d in rows}
    case_ids = dict(Case.objects.filter(number__in=numbers - {""}).values_list("number", "pk"))
    for delivery in rows:
        number_ = str((delivery.payload.get("case") or {}).get("number") or "")
        delivery.case_number = number_  # type: ignore[attr-defined]
        delivery.case_id = case_ids.get(number_)  # type: ignore[attr-defined]
    return {
        "filter_form": form,
        "status": status,
        "page": page,
        "deliveries": rows,
        "query": urlencode({"status": status}) if status else "",
    }


def _page(
    request: HttpRequest,
    *,
    form: EndpointForm,
    secret: str = "",
    secret_endpoint: WebhookEndpoint | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "endpoints": list(webhook_endpoints_visible(user=request.user).order_by("-created_at")),
        "form": form,
        "secret": secret,
        "secret_endpoint": secret_endpoint,
        "back": request.GET.urlencode(),
        **_deliveries(request),
    }
    response = render(request, "api/webhooks.html", context, status=status)
    if secret:
        add_never_cache_headers(response)  # the secret must not stay in a cache
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def webhooks_view(request: HttpRequest) -> HttpResponse:
    _guard(request)
    if request.method != "POST" and getattr(request, "htmx", False):
        # The filter and the pager swap the delivery log only.
        return render(request, "api/_deliveries.html", _deliveries(request))
    organisations = webhook_organisations(user=request.user)
    if request.method != "POST":
        return _page(request, form=EndpointForm(organisations=organisations))
    form = EndpointForm(request.POST, organisations=organisations)
    if form.is_valid():
        try:
            endpoint, secret = webhook_endpoint_register(
                organisation=form.cleaned_data["organisation"],
                url=form.cleaned_data["url"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error("url" if exc.field == "url" else None, str(exc.message))
        else:
            fresh = EndpointForm(organisations=organisations)
            return _page(request, form=fresh, secret=secret, secret_endpoint=endpoint, status=201)
    return _page(request, form=form, status=400)


def _endpoint(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    _guard(request)
    return access_endpoint(endpoint_id=endpoint_id, user=request.user)


@login_required
@require_POST
def endpoint_rotate_view(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    endpoint, secret = webhook_endpoint_rotate_secret(endpoint_id=endpoint.pk, actor=request.user)
    form = EndpointForm(organisations=webhook_organisations(user=request.user))
    return _page(request, form=form, secret=secret, secret_endpoint=endpoint)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """Back to the page, keeping the log's filter and page (only those parameters)."""
    form = DeliveryFilterForm(request.POST)
    query = {}
    if form.is_valid():
        query = {k: v for k, v in form.cleaned_data.items() if v}
    url = reverse("webhooks_console:page")
    return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)


@login_required
@require_POST
def endpoint_deactivate_view(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    webhook_endpoint_deactivate(endpoint_id=endpoint.pk, actor=request.user)
    messages.success(request, _("The endpoint %(url)s receives no more deliveries.")
                     % {"url": endpoint.url})  # fmt: skip
    return _back(request)


@login_required
@require_POST
def delivery_redeliver_view(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _guard(request)
    delivery = access_delivery(delivery_id=delivery_id, user=request.user)
    try:
        webhook_redeliver(delivery_id=delivery.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Delivery #%(id)d is sent again.") % {"id": delivery.pk})
    return _back(request)

"""Inbox pages: thin adapters over selectors and services (login required, own inbox only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cityops.notifications import selectors, services

PAGE_SIZE = 20


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.inbox(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_GET
def unread_count_view(request: HttpRequest) -> HttpResponse:
    """An HTML fragment for htmx polling (hx-get … hx-trigger="every 60s")."""
    return render(
        request,
        "notifications/_unread_count.html",
        {"unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect(_safe_next(request, "notifications:inbox"))


@login_required
@require_POST
def mark_all_read_view(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    return redirect(_safe_next(request, "notifications:inbox"))


@login_required
@require_POST
def open_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and follow the notification's link (POST: reading is a state change)."""
    notification = services.notification_mark_read(
        user=request.user, notification_id=notification_id
    )
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:inbox")

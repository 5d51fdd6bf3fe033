"""Shared helpers of the evaluation pages: role gates (404, never a hint) and error display."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase

from cityops.core.errors import DomainError
from cityops.evaluations.access import is_supervisor, operator_orgs

View = Callable[..., HttpResponseBase]


def supervisor_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_supervisor(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def evaluations_user_required(view: View) -> View:
    """Supervisors and operator staff; everyone else gets a 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not (is_supervisor(request.user) or operator_orgs(request.user)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def form_error(form: forms.BaseForm, exc: DomainError) -> int:
    """Put a service's refusal on the form; the status code for the response."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))
    return exc.status_code if exc.status_code != 404 else 400

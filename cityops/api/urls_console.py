"""The operators' webhook page, mounted at /console/webhooks/ (config/urls.py)."""

from django.urls import path

from cityops.api import views_console

app_name = "webhooks_console"

urlpatterns = [
    path("", views_console.webhooks_view, name="page"),
    path(
        "endpoints/<int:endpoint_id>/rotate/",
        views_console.endpoint_rotate_view,
        name="endpoint-rotate",
    ),
    path(
        "endpoints/<int:endpoint_id>/deactivate/",
        views_console.endpoint_deactivate_view,
        name="endpoint-deactivate",
    ),
    path(
        "deliveries/<int:delivery_id>/redeliver/",
        views_console.delivery_redeliver_view,
        name="delivery-redeliver",
    ),
]

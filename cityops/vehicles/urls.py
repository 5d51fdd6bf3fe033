from django.urls import path

from cityops.vehicles import views

app_name = "vehicles"

urlpatterns = [
    path("", views.live_map_view, name="live"),
    path("live.json", views.live_json_view, name="live-json"),
    path("<int:vehicle_id>/track/", views.track_view, name="track"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("coverage/month/", views.coverage_month_view, name="coverage-month"),
    path("alarms/", views.alarms_view, name="alarms"),
    path("snow/<int:event_id>/", views.snow_progress_view, name="snow"),
    path(
        "alarms/<int:alarm_id>/acknowledge/",
        views.alarm_acknowledge_view,
        name="alarm-acknowledge",
    ),
]

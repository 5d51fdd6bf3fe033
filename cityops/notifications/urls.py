from django.urls import path

from cityops.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("unread-count/", views.unread_count_view, name="unread-count"),
    path("read-all/", views.mark_all_read_view, name="read-all"),
    path("<int:notification_id>/read/", views.mark_read_view, name="read"),
    path("<int:notification_id>/", views.open_view, name="open"),
]

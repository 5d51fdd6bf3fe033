from django.urls import path

from cityops.decisions import views

app_name = "decisions"

urlpatterns = [
    path("", views.items, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/<slug:action>/", views.item_action, name="item-action"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("bulletin/", views.bulletin, name="bulletin"),
    path("bulletin/<str:month>.pdf", views.bulletin, {"fmt": "pdf"}, name="bulletin-pdf"),
    path("bulletin/<str:month>.xlsx", views.bulletin, {"fmt": "xlsx"}, name="bulletin-xlsx"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/<slug:action>/", views.document_action, name="document-action"),
    path("versions/<int:pk>/", views.version_file, name="version"),
    path("task-forces/", views.task_forces, name="task-forces"),
    path("task-forces/<int:pk>/", views.task_force_detail, name="task-force"),
    path("task-forces/<int:pk>/weekly.pdf", views.task_force_weekly, name="task-force-weekly"),
    path("indicators/", views.indicators, name="indicators"),
]

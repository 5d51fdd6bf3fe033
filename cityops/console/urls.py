from django.urls import path

from cityops.console import views

app_name = "console"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("cases/", views.case_list_view, name="case-list"),
    path("cases/export.<str:fmt>", views.case_export_view, name="case-export"),
    path("cases/<int:case_id>/", views.case_detail_view, name="case-detail"),
    path("cases/<int:case_id>/act/<slug:action>/", views.case_action_view, name="case-action"),
    path("field/", views.field_tasks_view, name="field-tasks"),
    path("field/report/", views.field_report_view, name="field-report"),
    path("desk/", views.desk_view, name="desk"),
]

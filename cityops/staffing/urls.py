from django.urls import path

from cityops.staffing import views

app_name = "staffing"

urlpatterns = [
    path("", views.progress_page, name="progress"),
    path("export.xlsx", views.progress_xlsx, name="export-xlsx"),
    path("report.pdf", views.progress_pdf, name="report-pdf"),
    path("staff/", views.staff_list_page, name="staff-list"),
    path("staff/<int:pk>/", views.staff_page, name="staff"),
    path("staff/<int:pk>/step/", views.staff_step_post, name="staff-step"),
    path("staff/<int:pk>/pay/", views.staff_pay_post, name="staff-pay"),
    path("staff/<int:pk>/reason/", views.staff_reason_post, name="staff-reason"),
    path("staff/<int:pk>/reason/approve/", views.staff_reason_approve_post, name="staff-approve"),
    path("staff/<int:pk>/batch/", views.staff_batch_post, name="staff-batch"),
    path("staff/<int:pk>/reveal/", views.staff_reveal_post, name="staff-reveal"),
    path("import/", views.import_page, name="import"),
]

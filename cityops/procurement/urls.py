from django.urls import path

from cityops.procurement import views

app_name = "procurement"

urlpatterns = [
    path("", views.project_list_view, name="list"),
    path("export.xlsx", views.export_xlsx_view, name="export-xlsx"),
    path("<int:project_id>/", views.project_detail_view, name="detail"),
    path("<int:project_id>/step/", views.project_step_view, name="step"),
    path("<int:project_id>/clarify/", views.clarification_view, name="clarify"),
    path("<int:project_id>/lots/", views.lot_add_view, name="lot-add"),
    path("<int:project_id>/challenges/", views.challenge_new_view, name="challenge-new"),
    path("<int:project_id>/report.pdf", views.project_pdf_view, name="pdf"),
    path("challenges/<int:challenge_id>/answer/", views.challenge_answer_view, name="answer"),
    path("<int:project_id>/complaints/", views.complaint_new_view, name="complaint-new"),
    path(
        "complaints/<int:complaint_id>/decide/",
        views.complaint_decide_view,
        name="complaint-decide",
    ),
]

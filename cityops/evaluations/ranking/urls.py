from django.urls import path

from cityops.evaluations.ranking import views

app_name = "ranking"

urlpatterns = [
    path("", views.ranking_page, name="page"),
    path("evaluation/<int:pk>/", views.ranking_detail, name="detail"),
    path("evaluation/<int:pk>/report.pdf", views.report_pdf, name="report-pdf"),
    path("month/<str:month>/summary.xlsx", views.summary_xlsx, name="summary-xlsx"),
]

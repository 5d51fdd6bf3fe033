from django.urls import path

from cityops.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.assessment_page, name="page"),
    path("export.xlsx", views.assessment_export, name="export"),
]

from django.urls import path

from cityops.workcal import views

app_name = "workcal"

urlpatterns = [
    path("", views.year_view, name="year"),
]

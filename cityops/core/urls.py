from django.urls import path

from cityops.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

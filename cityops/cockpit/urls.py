from django.urls import path

from cityops.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.cockpit_page, name="page"),
    path("wall/", views.wall_page, name="wall"),
    path("wall/body/", views.wall_body, name="wall-body"),
    path("votes/", views.votes_page, name="votes"),
]

from django.urls import path

from cityops.maps import views

app_name = "maps"

urlpatterns = [
    path("base/<int:zoom>.json", views.basemap_view, name="base"),
    path("tiles/<int:z>/<int:x>/<int:y>", views.tile_view, name="tile"),
    path("geocode.json", views.geocode_view, name="geocode"),
    path("reverse.json", views.reverse_view, name="reverse"),
]

from django.urls import path

from cityops.public import views

app_name = "public"

urlpatterns = [
    path("report/", views.report_view, name="report"),
    path("report/duplicates/", views.duplicates_view, name="report-duplicates"),
    path("report/done/", views.report_done_view, name="report-done"),
    path("track/", views.track_view, name="track"),
    path("track/feedback/", views.feedback_view, name="feedback"),
    path("public/", views.public_list_view, name="case-list"),
    path("public/map.json", views.public_map_data_view, name="map-data"),
    path("public/cases/<str:number>/", views.public_case_view, name="case-detail"),
]

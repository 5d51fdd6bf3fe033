from django.urls import path

from cityops.public import views

app_name = "public"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("report/", views.report_view, name="report"),
    path("report/duplicates/", views.duplicates_view, name="report-duplicates"),
    path("report/done/", views.report_done_view, name="report-done"),
    path("track/", views.track_view, name="track"),
    path("track/feedback/", views.feedback_view, name="feedback"),
    path("track/reopen/", views.reopen_view, name="reopen"),
    path("my/reports/", views.my_reports_view, name="my-reports"),
    path("subscribe/", views.subscribe_view, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.subscribe_confirm_view, name="subscribe-confirm"),
    path("subscribe/stop/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("public/", views.public_list_view, name="case-list"),
    path("public/map.json", views.public_map_data_view, name="map-data"),
    path("public/cases/<str:number>/", views.public_case_view, name="case-detail"),
    path("public/cases/<str:number>/support/", views.support_view, name="support"),
]

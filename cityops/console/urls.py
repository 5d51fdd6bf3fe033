from django.urls import path

from cityops.console import views, views_intake, views_lists, views_map, views_registry

app_name = "console"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("cases/", views.case_list_view, name="case-list"),
    path("cases/export.<str:fmt>", views.case_export_view, name="case-export"),
    path("cases/filters/", views_lists.saved_filter_save_view, name="filter-save"),
    path(
        "cases/filters/<int:filter_id>/delete/",
        views_lists.saved_filter_delete_view,
        name="filter-delete",
    ),
    path("cases/bulk-dispatch/", views_lists.bulk_dispatch_view, name="bulk-dispatch"),
    path("cases/map/", views_map.case_map_view, name="case-map"),
    path("cases/map/data.json", views_map.case_map_data_view, name="case-map-data"),
    path("cases/map/heat.json", views_map.case_map_heat_view, name="case-map-heat"),
    path(
        "cases/map/layers/<slug:layer>.json", views_map.case_map_layer_view, name="case-map-layer"
    ),
    path("cases/<int:case_id>/", views.case_detail_view, name="case-detail"),
    path("cases/<int:case_id>/reveal/", views.case_reveal_view, name="case-reveal"),
    path(
        "cases/<int:case_id>/photos/<int:photo_id>/original",
        views.case_photo_original_view,
        name="case-photo-original",
    ),
    path("cases/<int:case_id>/act/<slug:action>/", views.case_action_view, name="case-action"),
    path("registry/<slug:layer>/", views_registry.registry_list_view, name="registry-list"),
    path(
        "registry/<slug:layer>/<int:pk>/",
        views_registry.registry_detail_view,
        name="registry-detail",
    ),
    path("field/", views.field_tasks_view, name="field-tasks"),
    path("field/report/", views.field_report_view, name="field-report"),
    path("desk/", views.desk_view, name="desk"),
    path("hotline/", views_intake.hotline_intake_view, name="hotline"),
]

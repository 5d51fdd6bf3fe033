from django.urls import path

from cityops.inspections.views import detail, field, plans, snow

app_name = "inspections"

urlpatterns = [
    path("", detail.inspection_list_view, name="list"),
    path("<int:inspection_id>/", detail.inspection_detail_view, name="detail"),
    path("<int:inspection_id>/correct/", detail.inspection_correct_view, name="correct"),
    path(
        "<int:inspection_id>/photos/<int:photo_id>/original",
        detail.inspection_photo_original_view,
        name="photo-original",
    ),
    path(
        "<int:inspection_id>/findings/<int:finding_id>/case/",
        detail.finding_case_view,
        name="finding-case",
    ),
    path("<int:inspection_id>/form/", field.inspection_form_view, name="form"),
    path("mine/", field.my_inspections_view, name="mine"),
    path("new/", field.inspection_new_view, name="new"),
    path("plans/", plans.plan_month_view, name="plans"),
    path("plans/<int:plan_id>/", plans.plan_detail_view, name="plan"),
    path("assign/", plans.assign_view, name="assign"),
    path("snow/", snow.snow_list_view, name="snow"),
    path("snow/<int:event_id>/", snow.snow_detail_view, name="snow-detail"),
    path("snow/<int:event_id>/plan/", snow.snow_plan_view, name="snow-plan"),
]

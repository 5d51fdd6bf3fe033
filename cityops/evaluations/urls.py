from django.urls import path

from cityops.evaluations import views_operator
from cityops.evaluations.appeals import views as views_appeals
from cityops.evaluations.runs import views as views_months
from cityops.evaluations.schemes import views as views_schemes
from cityops.evaluations.snow import views as views_snow
from cityops.evaluations.surveys import views as views_surveys

app_name = "evaluations"

urlpatterns = [
    path("", views_operator.home_view, name="home"),
    path("mine/", views_operator.mine_view, name="mine"),
    path("months/", views_months.months_view, name="months"),
    path("months/run/", views_months.run_start_view, name="run-start"),
    path("months/<str:month>/", views_months.month_view, name="month"),
    path("months/<str:month>/publish/", views_months.publish_view, name="publish"),
    path("runs/<int:run_id>/progress/", views_months.run_progress_view, name="run-progress"),
    path("e/<int:evaluation_id>/", views_appeals.evaluation_view, name="evaluation"),
    path("e/<int:evaluation_id>/appeal/", views_appeals.appeal_file_view, name="appeal-file"),
    path("e/<int:evaluation_id>/diff/<int:other_id>/", views_appeals.diff_view, name="diff"),
    path("appeals/", views_appeals.appeals_view, name="appeals"),
    path("appeals/<int:appeal_id>/", views_appeals.appeal_view, name="appeal"),
    path(
        "appeals/<int:appeal_id>/withdraw/",
        views_appeals.appeal_withdraw_view,
        name="appeal-withdraw",
    ),
    path("evidence/<int:evidence_id>/", views_appeals.evidence_view, name="evidence"),
    path("schemes/", views_schemes.schemes_view, name="schemes"),
    path("schemes/<int:scheme_id>/", views_schemes.scheme_view, name="scheme"),
    path("schemes/<int:scheme_id>/draft/", views_schemes.scheme_draft_view, name="scheme-draft"),
    path("schemes/<int:scheme_id>/edit/", views_schemes.scheme_edit_view, name="scheme-edit"),
    path(
        "schemes/<int:scheme_id>/components/<int:component_id>/items/",
        views_schemes.scheme_items_view,
        name="scheme-items",
    ),
    path(
        "schemes/<int:scheme_id>/publish/", views_schemes.scheme_publish_view, name="scheme-publish"
    ),
    path("penalties/", views_surveys.penalties_view, name="penalties"),
    path("surveys/", views_surveys.surveys_view, name="surveys"),
    path("surveys/<int:survey_id>/", views_surveys.survey_view, name="survey"),
    path("surveys/<int:survey_id>/close/", views_surveys.survey_close_view, name="survey-close"),
    path("survey/<str:token>/", views_surveys.public_survey_view, name="public-survey"),
    path("policy/", views_surveys.policy_view, name="policy"),
    path("snow/<int:snow_id>/", views_snow.snow_evaluation_view, name="snow-evaluation"),
    path("snow/<int:snow_id>/appeal/", views_snow.snow_appeal_file_view, name="snow-appeal-file"),
    path("snow/<int:snow_id>/diff/<int:other_id>/", views_snow.snow_diff_view, name="snow-diff"),
    path(
        "snow-events/<int:event_id>/evaluate/",
        views_snow.snow_evaluate_view,
        name="snow-evaluate",
    ),
    path(
        "snow-runs/<int:run_id>/progress/",
        views_snow.snow_run_progress_view,
        name="snow-run-progress",
    ),
]

from django.urls import path

from cityops.estates import views, views_desk, views_staff

app_name = "estates"
urlpatterns = [
    path("", views.home, name="home"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    # Staff pages
    path("territory/", views_staff.officer_home, name="officer"),
    path("territory/tasks/<int:pk>/", views_staff.target_detail, name="target"),
    path("company/", views_staff.company_home, name="company"),
    path("company/records/<int:pk>/object/", views_staff.record_object, name="record_object"),
    path("supervision/", views_staff.supervision, name="supervision"),
    path("compounds/<int:pk>/votes/", views_staff.compound_votes, name="compound_votes"),
    path("manage/proposals/<int:pk>/", views_staff.manage_proposal, name="manage_proposal"),
    # The housing bureau's desk
    path("campaigns/", views_desk.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views_desk.campaign_detail, name="campaign"),
    path("credit/", views_desk.credit_desk, name="credit_desk"),
    path("credit/objections/<int:pk>/", views_desk.objection_decide, name="objection"),
    path("credit/companies/<int:pk>/", views_desk.company_credit, name="company_credit"),
    path("evidence/records/<int:pk>/", views_desk.record_evidence, name="record_evidence"),
    path("evidence/reports/<int:pk>/", views_desk.report_evidence, name="report_evidence"),
]

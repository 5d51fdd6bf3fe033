from django.urls import path

from cityops.estates import views, views_staff

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
]

from django.urls import path

from openisms.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("orgs/new/", views.org_create, name="org_create"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org>/", views.dashboard, name="dashboard"),
    path("o/<slug:org>/settings/", views.org_settings, name="org_settings"),
    path("o/<slug:org>/settings/sso/", views.org_sso, name="org_sso"),
    path("o/<slug:org>/members/", views.members, name="members"),
    path("o/<slug:org>/members/<int:member_id>/role/", views.member_update, name="member_update"),
    path("o/<slug:org>/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:org>/invitations/", views.invitation_create, name="invitation_create"),
    path(
        "o/<slug:org>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("o/<slug:org>/activity/", views.activity, name="activity"),
    path("o/<slug:org>/readiness/", views.readiness_dashboard, name="readiness"),
    path("o/<slug:org>/work/", views.my_work, name="my_work"),
]

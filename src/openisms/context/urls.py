from django.urls import path

from openisms.context import views

app_name = "context"

P = "o/<slug:org>/context/"

urlpatterns = [
    path(P, views.index, name="index"),
    path(P + "edit/", views.context_edit, name="edit"),
    path(P + "export/", views.export, name="export"),
    path(P + "issues/new/", views.issue_new, name="issue_new"),
    path(P + "issues/<int:issue_id>/edit/", views.issue_edit, name="issue_edit"),
    path(P + "parties/new/", views.party_new, name="party_new"),
    path(P + "parties/<int:party_id>/edit/", views.party_edit, name="party_edit"),
    path(P + "requirements/new/", views.requirement_new, name="requirement_new"),
    path(
        P + "requirements/<int:requirement_id>/edit/",
        views.requirement_edit,
        name="requirement_edit",
    ),
    path(P + "submit/", views.submit, name="submit"),
    path(P + "versions/<int:version_id>/", views.version_detail, name="version_detail"),
    path(P + "versions/<int:version_id>/decide/", views.version_decide, name="version_decide"),
]

from django.urls import path

from openisms.evidence import views

app_name = "evidence"

P = "o/<slug:org>/evidence/"

urlpatterns = [
    path(P, views.evidence_list, name="list"),
    path(P + "new/", views.evidence_create, name="create"),
    path(P + "<int:item_id>/", views.evidence_detail, name="detail"),
    path(P + "<int:item_id>/edit/", views.evidence_edit, name="edit"),
    path(P + "<int:item_id>/versions/", views.evidence_upload, name="upload"),
    path(
        P + "<int:item_id>/versions/<int:number>/download/",
        views.evidence_download,
        name="download",
    ),
    path(P + "<int:item_id>/links/", views.evidence_link, name="link"),
    path(P + "<int:item_id>/links/<int:link_id>/remove/", views.evidence_unlink, name="unlink"),
]

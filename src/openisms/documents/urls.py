from django.urls import path

from openisms.documents import views

app_name = "documents"

P = "o/<slug:org>/documents/"
D = P + "<int:document_id>/"
V = D + "versions/<int:number>/"

urlpatterns = [
    path(P, views.document_list, name="list"),
    path(P + "new/", views.document_new, name="new"),
    path(P + "templates/", views.templates, name="templates"),
    path(P + "to-read/", views.awaiting, name="awaiting"),
    path(P + "export/", views.register_export, name="register_export"),
    path(D, views.document_detail, name="detail"),
    path(D + "edit/", views.document_edit, name="edit"),
    path(D + "submit/", views.document_submit, name="submit"),
    path(D + "export/", views.document_export, name="export"),
    path(D + "upload/", views.document_upload, name="upload"),
    path(D + "file/", views.document_file, name="file"),
    path(V, views.version_detail, name="version"),
    path(V + "approve/", views.version_approve, name="approve"),
    path(V + "reject/", views.version_reject, name="reject"),
    path(V + "acknowledge/", views.version_acknowledge, name="acknowledge"),
]

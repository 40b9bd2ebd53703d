from django.urls import path

from openisms.nonconformities import views

app_name = "nonconformities"

P = "o/<slug:org>/nonconformities/"

urlpatterns = [
    path(P, views.nc_list, name="list"),
    path(P + "new/", views.nc_new, name="new"),
    path(P + "export/", views.nc_export, name="export"),
    path(P + "<int:nc_id>/", views.nc_detail, name="detail"),
    path(P + "<int:nc_id>/edit/", views.nc_edit, name="edit"),
    path(P + "<int:nc_id>/verify/", views.nc_verify, name="verify"),
    path(P + "<int:nc_id>/check/", views.nc_check, name="check"),
    path(P + "<int:nc_id>/close/", views.nc_close, name="close"),
    path(P + "<int:nc_id>/delete/", views.nc_delete, name="delete"),
    path(P + "<int:nc_id>/actions/", views.action_new, name="action_new"),
    path(P + "actions/<int:action_id>/", views.action_progress, name="action_progress"),
    path(P + "actions/<int:action_id>/delete/", views.action_delete, name="action_delete"),
]

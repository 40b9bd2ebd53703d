from django.urls import path

from openisms.assets import views

app_name = "assets"

urlpatterns = [
    path("o/<slug:org>/assets/", views.asset_list, name="list"),
    path("o/<slug:org>/assets/new/", views.asset_create, name="create"),
    path("o/<slug:org>/assets/export/", views.asset_export, name="export"),
    path("o/<slug:org>/assets/import/", views.asset_import, name="import"),
    path("o/<slug:org>/assets/<int:asset_id>/", views.asset_detail, name="detail"),
    path("o/<slug:org>/assets/<int:asset_id>/edit/", views.asset_edit, name="edit"),
    path("o/<slug:org>/assets/<int:asset_id>/delete/", views.asset_delete, name="delete"),
]

from django.urls import path

from openisms.controls import views

app_name = "controls"

P = "o/<slug:org>/controls/"

urlpatterns = [
    path(P, views.control_list, name="list"),
    path(P + "new/", views.control_create, name="create"),
    path(P + "bulk/", views.control_bulk, name="bulk"),
    path(P + "<int:control_id>/", views.control_detail, name="detail"),
    path(P + "<int:control_id>/edit/", views.control_edit, name="edit"),
    path(P + "<int:control_id>/delete/", views.control_delete, name="delete"),
    path(
        P + "parameters/<framework_slug:framework>/<str:ref>/",
        views.parameters_set,
        name="parameters",
    ),
]

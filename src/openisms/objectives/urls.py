from django.urls import path

from openisms.objectives import views

app_name = "objectives"

P = "o/<slug:org>/objectives/"

urlpatterns = [
    path(P, views.objective_list, name="list"),
    path(P + "new/", views.objective_new, name="new"),
    path(P + "export/", views.export, name="export"),
    path(P + "<int:objective_id>/", views.objective_detail, name="detail"),
    path(P + "<int:objective_id>/edit/", views.objective_edit, name="edit"),
    path(P + "<int:objective_id>/delete/", views.objective_delete, name="delete"),
    path(P + "<int:objective_id>/measurements/", views.measurement_add, name="measurement_add"),
    path(
        P + "<int:objective_id>/measurements/<int:measurement_id>/delete/",
        views.measurement_delete,
        name="measurement_delete",
    ),
]

from django.urls import path

from openisms.oscal import views

app_name = "oscal"

P = "o/<slug:org>/oscal/"

urlpatterns = [
    path(P, views.import_page, name="import"),
    path(P + "imports/<int:job_id>/", views.job_page, name="job"),
    path(
        P + "frameworks/<framework_slug:framework>/delete/",
        views.framework_delete,
        name="framework_delete",
    ),
    path(P + "export/ssp/", views.export_ssp, name="export_ssp"),
    path(
        P + "export/assessment-results/",
        views.export_assessment_results,
        name="export_assessment_results",
    ),
    path(
        P + "export/catalog/<framework_slug:framework>/",
        views.export_catalog,
        name="export_catalog",
    ),
    path(P + "export/mapping/<str:mapping_set>/", views.export_mapping, name="export_mapping"),
]

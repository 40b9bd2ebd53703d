from django.urls import path

from openisms.soa import coverage_views, views

app_name = "soa"

P = "o/<slug:org>/soa/"
F = "o/<slug:org>/frameworks/"
C = "o/<slug:org>/coverage/<str:framework>/"

urlpatterns = [
    path(P, views.soa_list, name="list"),
    path(P + "bulk/", views.soa_bulk, name="bulk"),
    path(P + "export/", views.soa_export, name="export"),
    path(P + "audit-pack/", views.audit_pack, name="audit_pack"),
    path(P + "versions/", views.versions, name="versions"),
    path(P + "versions/submit/", views.version_submit, name="submit"),
    path(P + "versions/diff/", views.version_diff, name="diff"),
    path(P + "versions/<int:version_id>/", views.version_detail, name="version_detail"),
    path(P + "versions/<int:version_id>/approve/", views.version_approve, name="approve"),
    path(P + "versions/<int:version_id>/reject/", views.version_reject, name="reject"),
    path(P + "<int:entry_id>/", views.soa_detail, name="detail"),
    path(P + "<int:entry_id>/edit/", views.soa_edit, name="edit"),
    path(F, coverage_views.frameworks, name="frameworks"),
    path(F + "<str:framework>/track/", coverage_views.framework_track, name="framework_track"),
    path(
        F + "<str:framework>/untrack/", coverage_views.framework_untrack, name="framework_untrack"
    ),
    path(C, coverage_views.coverage_page, name="coverage"),
    path(C + "gaps/", coverage_views.coverage_gaps, name="coverage_gaps"),
    path(C + "export/", coverage_views.coverage_export, name="coverage_export"),
    path(
        C + "<int:requirement_id>/override/",
        coverage_views.coverage_override,
        name="coverage_override",
    ),
]

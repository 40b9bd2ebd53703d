from django.urls import path

from openisms.risks import views

app_name = "risks"

P = "o/<slug:org>/risks/"

urlpatterns = [
    path(P, views.register, name="register"),
    path(P + "new/", views.risk_create, name="create"),
    path(P + "export/", views.export, name="export"),
    path(P + "dashboard/", views.dashboard, name="dashboard"),
    path(P + "simulation/", views.simulation_page, name="simulation"),
    path(P + "treatment-plan/", views.treatment_plan, name="treatment_plan"),
    path(P + "method/", views.method, name="method"),
    path(P + "method/rescore/", views.method_rescore, name="method_rescore"),
    path(P + "library/", views.library, name="library"),
    path(P + "library/<str:kind>/new/", views.library_create, name="library_create"),
    path(P + "library/<str:kind>/<int:item_id>/edit/", views.library_edit, name="library_edit"),
    path(
        P + "library/<str:kind>/<int:item_id>/delete/",
        views.library_delete,
        name="library_delete",
    ),
    path(P + "assessments/", views.assessments, name="assessments"),
    path(P + "assessments/new/", views.assessment_create, name="assessment_create"),
    path(P + "assessments/compare/", views.assessment_compare, name="assessment_compare"),
    path(
        P + "assessments/<int:assessment_id>/",
        views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        P + "assessments/<int:assessment_id>/complete/",
        views.assessment_complete,
        name="assessment_complete",
    ),
    path(
        P + "acceptances/<int:acceptance_id>/revoke/",
        views.acceptance_revoke,
        name="acceptance_revoke",
    ),
    path(
        P + "acceptance-requests/<int:request_id>/decide/",
        views.acceptance_decide,
        name="acceptance_decide",
    ),
    path(P + "actions/<int:action_id>/", views.action_update, name="action_update"),
    path(P + "<int:risk_id>/", views.risk_detail, name="detail"),
    path(P + "<int:risk_id>/edit/", views.risk_edit, name="edit"),
    path(P + "<int:risk_id>/delete/", views.risk_delete, name="delete"),
    path(P + "<int:risk_id>/accept/", views.risk_accept, name="accept"),
    path(
        P + "<int:risk_id>/request-acceptance/", views.acceptance_request, name="acceptance_request"
    ),
    path(P + "<int:risk_id>/actions/", views.action_create, name="action_create"),
]

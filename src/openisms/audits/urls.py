from django.urls import path

from openisms.audits import views

app_name = "audits"

P = "o/<slug:org>/audits/"
A = P + "<int:audit_id>/"

urlpatterns = [
    path(P, views.programme_list, name="programme_list"),
    path(P + "programmes/new/", views.programme_new, name="programme_new"),
    path(P + "programmes/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path(P + "programmes/<int:programme_id>/edit/", views.programme_edit, name="programme_edit"),
    path(P + "new/", views.audit_new, name="audit_new"),
    path(A, views.audit_detail, name="audit_detail"),
    path(A + "edit/", views.audit_edit, name="audit_edit"),
    path(A + "export/", views.audit_export, name="audit_export"),
    path(A + "checklist/<int:item_id>/", views.checklist_item, name="checklist_item"),
    path(A + "findings/new/", views.finding_new, name="finding_new"),
    path(A + "findings/<int:finding_id>/edit/", views.finding_edit, name="finding_edit"),
    path(A + "findings/<int:finding_id>/delete/", views.finding_delete, name="finding_delete"),
    path(A + "findings/<int:finding_id>/raise/", views.finding_raise, name="finding_raise"),
    path(A + "reports/submit/", views.report_submit, name="report_submit"),
    path(A + "reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path(A + "reports/<int:report_id>/decide/", views.report_decide, name="report_decide"),
]

from django.urls import path

from openisms.reviews import views

app_name = "reviews"

P = "o/<slug:org>/reviews/"

urlpatterns = [
    path(P, views.review_list, name="list"),
    path(P + "new/", views.review_new, name="new"),
    path(P + "<int:review_id>/", views.review_detail, name="detail"),
    path(P + "<int:review_id>/edit/", views.review_edit, name="edit"),
    path(P + "<int:review_id>/inputs/", views.review_compute, name="compute"),
    path(P + "<int:review_id>/decisions/", views.decision_add, name="decision_add"),
    path(P + "<int:review_id>/actions/", views.action_add, name="action_add"),
    path(P + "<int:review_id>/minutes/", views.minutes_submit, name="minutes_submit"),
    path(P + "<int:review_id>/export/", views.review_export, name="export"),
    path(P + "decisions/<int:decision_id>/delete/", views.decision_delete, name="decision_delete"),
    path(P + "actions/<int:action_id>/", views.action_progress, name="action_progress"),
    path(P + "minutes/<int:minutes_id>/approve/", views.minutes_approve, name="minutes_approve"),
    path(P + "minutes/<int:minutes_id>/reject/", views.minutes_reject, name="minutes_reject"),
]

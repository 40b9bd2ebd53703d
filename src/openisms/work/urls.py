from django.urls import path

from openisms.work import views

app_name = "work"

P = "o/<slug:org>/work/"

urlpatterns = [
    path(P + "tasks/", views.task_list, name="task_list"),
    path(P + "tasks/new/", views.task_new, name="task_new"),
    path(P + "tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path(P + "tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path(P + "tasks/<int:task_id>/status/", views.task_status, name="task_status"),
    path(P + "tasks/<int:task_id>/comments/", views.task_comment, name="task_comment"),
    path(P + "tasks/<int:task_id>/delete/", views.task_delete, name="task_delete"),
]

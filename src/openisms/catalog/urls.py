from django.urls import path

from openisms.catalog import views

app_name = "catalog"

urlpatterns = [
    path("o/<slug:org>/catalog/", views.index, name="index"),
    path("o/<slug:org>/catalog/transition/", views.transition, name="transition"),
    path("o/<slug:org>/catalog/<slug:framework>/", views.framework, name="framework"),
    path(
        "o/<slug:org>/catalog/<slug:framework>/<str:ref>/",
        views.requirement,
        name="requirement",
    ),
]

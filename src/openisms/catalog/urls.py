from django.urls import path, register_converter

from openisms.catalog import views


class FrameworkSlugConverter:
    """A framework slug; unlike ``<slug:>`` it allows dots, as in ``nist-csf-2.0``."""

    regex = r"[-a-zA-Z0-9_.]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FrameworkSlugConverter, "framework_slug")

app_name = "catalog"

urlpatterns = [
    path("o/<slug:org>/catalog/", views.index, name="index"),
    path("o/<slug:org>/catalog/transition/", views.transition, name="transition"),
    path("o/<slug:org>/catalog/mappings/", views.mapping_sets, name="mapping_sets"),
    path("o/<slug:org>/catalog/<framework_slug:framework>/", views.framework, name="framework"),
    path(
        "o/<slug:org>/catalog/<framework_slug:framework>/<str:ref>/",
        views.requirement,
        name="requirement",
    ),
]

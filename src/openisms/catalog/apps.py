from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "openisms.catalog"
    label = "catalog"
    verbose_name = "Framework catalogue"

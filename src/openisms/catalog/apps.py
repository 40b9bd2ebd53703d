from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "openisms.catalog"
    label = "catalog"
    verbose_name = "Framework catalogue"

    def ready(self) -> None:
        from openisms.catalog.loader import after_restore
        from openisms.core.backup import register_after_restore

        register_after_restore("the catalogues and their search index", after_restore)

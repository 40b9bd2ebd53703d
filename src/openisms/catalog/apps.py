from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "openisms.catalog"
    label = "catalog"
    verbose_name = "Framework catalogue"

    def ready(self) -> None:
        from openisms.catalog.search import reindex_all
        from openisms.core.backup import register_after_restore

        register_after_restore("the catalogue's search index", reindex_all)

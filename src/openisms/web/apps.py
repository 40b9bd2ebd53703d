from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "openisms.web"
    label = "web"
    verbose_name = "Web interface shell"

    def ready(self) -> None:
        # Imported here: the panel reads models, which exist only once the registry is ready.
        from openisms.core import panels
        from openisms.web.panels import linked_work, parameters_panel

        panels.register("linked_work", linked_work)
        panels.register("parameters", parameters_panel)

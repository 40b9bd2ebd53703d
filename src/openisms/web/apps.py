from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "openisms.web"
    label = "web"
    verbose_name = "Web interface shell"

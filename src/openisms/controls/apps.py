from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "openisms.controls"
    label = "controls"
    verbose_name = "Control register"

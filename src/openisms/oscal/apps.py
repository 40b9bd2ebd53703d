from django.apps import AppConfig


class OscalConfig(AppConfig):
    name = "openisms.oscal"
    label = "oscal"
    verbose_name = "OSCAL"

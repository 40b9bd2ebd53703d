from django.apps import AppConfig


class SoaConfig(AppConfig):
    name = "openisms.soa"
    label = "soa"
    verbose_name = "Statement of Applicability"

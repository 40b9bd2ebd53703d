from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "openisms.evidence"
    label = "evidence"
    verbose_name = "Evidence library"

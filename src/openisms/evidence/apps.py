from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "openisms.evidence"
    label = "evidence"
    verbose_name = "Evidence library"

    def ready(self) -> None:
        from openisms.core import reminders
        from openisms.evidence.reminders import evidence_events

        reminders.register("evidence", evidence_events)

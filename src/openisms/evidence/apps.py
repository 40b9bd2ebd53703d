from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "openisms.evidence"
    label = "evidence"
    verbose_name = "Evidence library"

    def ready(self) -> None:
        from openisms.evidence.reminders import evidence_events
        from openisms.orgs import reminders

        reminders.register("evidence", evidence_events)

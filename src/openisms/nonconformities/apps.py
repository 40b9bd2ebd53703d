from django.apps import AppConfig


class NonconformitiesConfig(AppConfig):
    name = "openisms.nonconformities"
    label = "nonconformities"
    verbose_name = "Nonconformities and corrective actions"

    def ready(self) -> None:
        from openisms.nonconformities.exports import pack_part
        from openisms.nonconformities.reminders import nonconformity_events
        from openisms.nonconformities.review_input import nonconformity_input
        from openisms.orgs import pack_parts, reminders, review_inputs

        reminders.register("nonconformities", nonconformity_events)
        review_inputs.register("nonconformities", "9.3.2 d) 1)", nonconformity_input)
        pack_parts.register("nonconformities", pack_part)

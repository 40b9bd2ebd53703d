from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "openisms.objectives"
    label = "objectives"
    verbose_name = "Objectives and measurement"

    def ready(self) -> None:
        from openisms.objectives import exports, inputs, reminders
        from openisms.orgs import pack_parts, review_inputs
        from openisms.orgs import reminders as reminder_registry

        reminder_registry.register("objectives", reminders.measurement_events)
        review_inputs.register("objective_measurements", "9.3.2 d) 2)", inputs.measurements)
        review_inputs.register("objective_fulfilment", "9.3.2 d) 4)", inputs.fulfilment)
        pack_parts.register("objectives", exports.pack_part)

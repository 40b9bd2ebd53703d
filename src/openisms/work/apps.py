from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "openisms.work"
    label = "work"
    verbose_name = "Tasks and reminders"

    def ready(self) -> None:
        from openisms.orgs import reminders
        from openisms.work.reminders import task_events

        reminders.register("tasks", task_events)

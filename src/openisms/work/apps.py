from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "openisms.work"
    label = "work"
    verbose_name = "Tasks and reminders"

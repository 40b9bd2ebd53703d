from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "openisms.orgs"
    label = "orgs"
    verbose_name = "Organisations and memberships"

from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "openisms.risks"
    label = "risks"
    verbose_name = "Risk assessment and treatment"

    def ready(self) -> None:
        from openisms.orgs import starters
        from openisms.risks.services import risk_module_setup

        starters.register("risks", risk_module_setup)

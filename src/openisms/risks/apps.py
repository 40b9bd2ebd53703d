from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "openisms.risks"
    label = "risks"
    verbose_name = "Risk assessment and treatment"

    def ready(self) -> None:
        from openisms.orgs import review_inputs, starters
        from openisms.risks.review_input import risk_input
        from openisms.risks.services import risk_module_setup

        starters.register("risks", risk_module_setup)
        review_inputs.register("risks", "9.3.2 f)", risk_input)

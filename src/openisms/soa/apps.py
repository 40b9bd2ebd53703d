from django.apps import AppConfig

from openisms.catalog.signals import framework_loaded
from openisms.controls.signals import controls_changed
from openisms.orgs.signals import organization_pii_role_changed


class SoaConfig(AppConfig):
    name = "openisms.soa"
    label = "soa"
    verbose_name = "Statement of Applicability"

    def ready(self) -> None:
        # Imported here: receivers read models, which exist only once the registry is ready.
        from openisms.orgs import starters
        from openisms.soa import receivers

        starters.register("soa", receivers.soa_start)
        framework_loaded.connect(receivers.on_framework_loaded, weak=False)
        controls_changed.connect(receivers.on_controls_changed, weak=False)
        organization_pii_role_changed.connect(receivers.on_pii_role_changed, weak=False)

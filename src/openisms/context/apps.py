from django.apps import AppConfig


class ContextConfig(AppConfig):
    name = "openisms.context"
    label = "context"
    verbose_name = "ISMS context"

    def ready(self) -> None:
        from openisms.context import exports, inputs, services
        from openisms.orgs import pack_parts, review_inputs, starters

        starters.register("context", services.context_start)
        review_inputs.register("context_issues", "9.3.2 b)", inputs.issue_changes)
        review_inputs.register("context_parties", "9.3.2 c)", inputs.party_changes)
        pack_parts.register("context", exports.pack_part)

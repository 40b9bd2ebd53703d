from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "openisms.audits"
    label = "audits"
    verbose_name = "Internal audit"

    def ready(self) -> None:
        from openisms.audits import exports, review
        from openisms.orgs import pack_parts, review_inputs

        review_inputs.register("audit_results", "9.3.2 d) 3)", review.audit_results)
        review_inputs.register("improvement", "9.3.2 g)", review.improvement_opportunities)
        pack_parts.register("audits", exports.pack_part)

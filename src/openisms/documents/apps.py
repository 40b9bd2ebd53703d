from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "openisms.documents"
    label = "documents"
    verbose_name = "Documents and policies"

    def ready(self) -> None:
        from openisms.documents.exports import pack_part
        from openisms.documents.reminders import document_events
        from openisms.orgs import pack_parts, reminders

        reminders.register("documents", document_events)
        pack_parts.register("documents", pack_part)

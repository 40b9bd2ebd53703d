from django.apps import AppConfig
from django.core import checks

from openisms.reports.checks import pdf_fonts


class ReportsConfig(AppConfig):
    name = "openisms.reports"
    label = "reports"
    verbose_name = "Exports: CSV, XLSX, PDF and DOCX"

    def ready(self) -> None:
        checks.register(pdf_fonts)

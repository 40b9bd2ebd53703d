"""The risk register and report as CSV, XLSX and PDF."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from openisms.orgs.access import Actor
from openisms.reports.pdf import Cell, PageFrame, PdfDocument
from openisms.reports.tables import write_csv, write_xlsx
from openisms.risks import selectors
from openisms.risks.models import Risk

COLUMNS = (
    "id",
    "ref",
    "title",
    "description",
    "assets",
    "threat",
    "vulnerability",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "inherent_score",
    "inherent_level",
    "existing_controls",
    "treatment",
    "planned_controls",
    "controls",
    "residual_likelihood",
    "residual_impact",
    "residual_score",
    "residual_level",
    "review_date",
    "acceptance",
    "method_version",
    "frequency_low",
    "frequency_mode",
    "frequency_high",
    "magnitude_low",
    "magnitude_mode",
    "magnitude_high",
    "distribution",
    "residual_frequency_low",
    "residual_frequency_mode",
    "residual_frequency_high",
    "residual_magnitude_low",
    "residual_magnitude_mode",
    "residual_magnitude_high",
    "treatment_cost",
)
COMPUTED = frozenset(
    {
        "ref",
        "inherent_score",
        "inherent_level",
        "residual_score",
        "residual_level",
        "acceptance",
        "method_version",
    }
)
HELP = (
    "One row per risk. Leave 'id' empty for a new risk; keep it to update that risk.",
    "Computed columns (ref, scores, levels, acceptance, method_version) are ignored on import.",
    "assets: asset names separated by '; '. threat, vulnerability: library key or name.",
    "planned_controls: ISO/IEC 27001:2022 Annex A refs separated by '; ' (A.8.13; A.5.30).",
    "controls: controls of the organisation's register by ref, separated by '; ' (BK-01).",
    "Likelihood and impact: numbers on the organisation's current risk method scales.",
    "treatment: modify, retain, avoid or share. review_date: YYYY-MM-DD.",
    "Quantitative ranges (optional): events per year and loss per event in USD; "
    "distribution pert or lognormal.",
)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _acceptance(risk: Any) -> str:
    if getattr(risk, "accepted", False):
        return "accepted"
    return "needed" if getattr(risk, "above_threshold", False) else "not needed"


def _quant(risk: Risk) -> list[Any]:
    q = risk.quant or {}

    def triple(key: str) -> list[Any]:
        r = q.get(key) or {}
        return [r.get("low", ""), r.get("mode", ""), r.get("high", "")]

    distribution = (q.get("magnitude") or {}).get("distribution", "")
    return [
        *triple("frequency"),
        *triple("magnitude"),
        distribution,
        *triple("residual_frequency"),
        *triple("residual_magnitude"),
        q.get("treatment_cost", "") if q else "",
    ]


def rows(actor: Actor) -> list[list[Any]]:
    out = []
    for r in selectors.risk_export_rows(actor=actor):
        out.append(
            [
                r.pk,
                r.ref,
                r.title,
                r.description,
                "; ".join(a.name for a in r.assets.all()),
                r.threat.key if r.threat else "",
                r.vulnerability.key if r.vulnerability else "",
                r.owner.email if r.owner else "",
                r.inherent_likelihood,
                r.inherent_impact,
                r.inherent_score,
                r.inherent_level,
                r.existing_controls,
                r.treatment,
                "; ".join(c.ref for c in r.planned_controls.all()),
                "; ".join(c.ref for c in r.controls.all()),
                _blank(r.residual_likelihood),
                _blank(r.residual_impact),
                _blank(r.residual_score),
                r.residual_level,
                r.review_date.isoformat() if r.review_date else "",
                _acceptance(r),
                r.method.version,
                *_quant(r),
            ]
        )
    return out


def _blank(value: Any) -> Any:
    return "" if value is None else value


def export_risks(*, actor: Actor, fmt: str) -> tuple[bytes, str, str]:
    if fmt == "csv":
        return write_csv(COLUMNS, rows(actor)), CONTENT_TYPES["csv"], "csv"
    if fmt == "xlsx":
        content = write_xlsx(COLUMNS, rows(actor), title="Risk register", notes=HELP)
        return content, CONTENT_TYPES["xlsx"], "xlsx"
    if fmt == "pdf":
        return report_pdf(actor), CONTENT_TYPES["pdf"], "pdf"
    raise ValidationError({"format": "Use csv, xlsx or pdf."})


REGISTER_COLUMNS = (
    ("Ref", 50),
    ("Risk", 0),
    ("Owner", 175),
    ("Inherent", 66),
    ("Treatment", 95),
    ("Residual", 66),
    ("Acceptance", 58),
)


def report_pdf(actor: Actor) -> bytes:
    """A risk report: method, heatmaps before and after treatment, and the register."""
    method = selectors.method_in_use(actor=actor)
    generated = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
    org_name = actor.org.name
    pdf = PdfDocument(
        PageFrame(
            title=f"{org_name} - Risk report",
            right=str(method),
            subtitle=f"Generated {generated}",
            footer="Generated by OpenISMS",
        ),
        title=f"{org_name} risk report",
    )
    pdf.heading(f"Risk report: {org_name}")
    pdf.text(
        [
            f"Generated {generated}. Method: {method} ({method.get_scoring_display()}); residual "
            f"scores above {method.acceptance_threshold} need a recorded acceptance."
        ],
        gap=8,
    )
    for which in ("inherent", "residual"):
        heat = selectors.heatmap(actor=actor, method=method, which=which)
        columns = [(f"{which.title()} (L \\ I)", 90.0)] + [
            (str(i["label"]), 60.0) for i in method.impact_scale
        ]
        grid = [
            [str(level["label"])]
            + [Cell(str(n) if n else "", fill=colour) for _, n, colour in cells]
            for level, cells in heat.rows()
        ]
        pdf.table(columns, grid)
    pdf.heading("Register")
    register = [
        [
            r.ref,
            r.title,
            r.owner.email if r.owner else "",
            f"{r.inherent_level} ({r.inherent_score})",
            r.get_treatment_display(),
            f"{r.residual_level} ({r.residual_score})" if r.residual_score else "not assessed",
            _acceptance(r),
        ]
        for r in selectors.risk_list(actor=actor).order_by("-inherent_score", "ref")
    ]
    pdf.table(REGISTER_COLUMNS, register)
    return pdf.render()

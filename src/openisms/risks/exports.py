"""The risk register and report as CSV, XLSX and PDF."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from openisms.core.tabular import write_csv, write_xlsx
from openisms.orgs.access import Actor
from openisms.risks import selectors, services
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


def report_pdf(actor: Actor) -> bytes:
    """A risk report: method, heatmaps before and after treatment, and the register."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    method = services.risk_module_setup(actor=actor)
    styles = getSampleStyleSheet()
    generated = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
    buffer = io.BytesIO()
    org_name = actor.org.name

    def header_footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        width, height = landscape(A4)
        canvas.drawString(15 * mm, height - 10 * mm, f"{org_name} - Risk report - {generated}")
        canvas.drawRightString(width - 15 * mm, 8 * mm, f"Page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=f"{org_name} risk report",
    )
    story: list[Any] = [
        Paragraph(f"Risk report: {_esc(org_name)}", styles["Title"]),
        Paragraph(
            f"Generated {generated}. Method: {_esc(str(method))} "
            f"({method.get_scoring_display()}); residual scores above "
            f"{method.acceptance_threshold} need a recorded acceptance.",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    heat_tables = []
    for which in ("inherent", "residual"):
        heat = selectors.heatmap(actor=actor, method=method, which=which)
        data: list[list[Any]] = [
            [f"{which.title()} (L \\ I)"] + [i["label"] for i in method.impact_scale]
        ]
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.white), ("FONTSIZE", (0, 0), (-1, -1), 7)]
        for row_index, (level, cells) in enumerate(heat.rows(), start=1):
            data.append([level["label"]] + [str(n) if n else "" for _, n, _ in cells])
            for col_index, (_, _, colour) in enumerate(cells, start=1):
                style.append(
                    (
                        "BACKGROUND",
                        (col_index, row_index),
                        (col_index, row_index),
                        colors.HexColor(colour),
                    )
                )
        table = Table(data)
        table.setStyle(TableStyle(style))
        heat_tables.append(table)
    story += [Table([heat_tables]), Spacer(1, 6 * mm)]
    register = [["Ref", "Risk", "Owner", "Inherent", "Treatment", "Residual", "Acceptance"]]
    cell = styles["BodyText"]
    cell.fontSize = 7
    cell.leading = 9
    for r in selectors.risk_list(actor=actor).order_by("-inherent_score", "ref"):
        register.append(
            [
                r.ref,
                Paragraph(_esc(r.title), cell),
                r.owner.email if r.owner else "",
                f"{r.inherent_level} ({r.inherent_score})",
                r.get_treatment_display(),
                f"{r.residual_level} ({r.residual_score})" if r.residual_score else "not assessed",
                _acceptance(r),
            ]
        )
    table = Table(
        register,
        repeatRows=1,
        colWidths=[18 * mm, 95 * mm, 50 * mm, 25 * mm, 35 * mm, 25 * mm, 22 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0f2740")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#d5dbe1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    doc.build(story, onFirstPage=header_footer, onLaterPages=header_footer)
    return buffer.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

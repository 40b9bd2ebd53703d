"""Risk register import (CSV and XLSX), all or nothing, matching exports column for column."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from openisms.assets.models import Asset
from openisms.catalog.models import Requirement
from openisms.controls.models import Control
from openisms.core import audit
from openisms.core.tabular import ImportResult, Issue, TableError, read_table
from openisms.orgs.access import Actor, scoped
from openisms.orgs.selectors import members_by_email
from openisms.risks import scoring, services
from openisms.risks.exports import COLUMNS
from openisms.risks.fields import RISK_RULE
from openisms.risks.models import Risk, Threat, Treatment, Vulnerability

# (risk, snapshot before, assets, Annex A controls planned, register controls)
Plan = tuple[Risk, dict[str, Any] | None, list[Asset], list[Requirement], list[Control]]

REQUIRED = ("title", "inherent_likelihood", "inherent_impact")
_RANGE_PREFIXES = ("frequency_", "magnitude_", "residual_frequency_", "residual_magnitude_")
QUANT_COLUMNS = (
    *(c for c in COLUMNS if c.startswith(_RANGE_PREFIXES)),
    "distribution",
    "treatment_cost",
)


def _lookup(items: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        out[item.key.lower()] = item
        out[item.name.lower()] = item
    return out


def import_risks(
    *, actor: Actor, data: bytes, filename: str = "", dry_run: bool = False
) -> ImportResult:
    actor.require_edit(
        RISK_RULE, None, adding=True, message="Your role does not allow importing risks."
    )
    method = services.risk_module_setup(actor=actor)
    issues: list[Issue] = []
    try:
        header, rows = read_table(data, filename)
    except TableError as exc:
        return ImportResult("risks", issues=[Issue(1, "", str(exc))], dry_run=dry_run)
    for name in header:
        if name and name not in COLUMNS:
            issues.append(Issue(1, name, f"Unknown column. Allowed: {', '.join(COLUMNS)}."))
    for name in REQUIRED:
        if name not in header:
            issues.append(Issue(1, name, "Required column is missing."))
    if issues:
        return ImportResult("risks", issues=issues, dry_run=dry_run)
    existing = {
        r.pk: r
        for r in scoped(actor, Risk)
        .select_related("method")
        .prefetch_related("assets", "planned_controls", "controls")
    }
    assets = {a.name.lower(): a for a in scoped(actor, Asset)}
    threats = _lookup(list(scoped(actor, Threat)))
    vulns = _lookup(list(scoped(actor, Vulnerability)))
    members = members_by_email(actor=actor)
    controls = {
        r.ref: r
        for r in Requirement.objects.filter(framework__slug="iso27001-2022", kind="control")
    }
    register = {c.ref.lower(): c for c in scoped(actor, Control)}
    plans: list[Plan] = []
    result_unchanged: list[int] = []
    for number, cells in rows:
        count = len(issues)

        def bad(column: str, message: str, number: int = number) -> None:
            issues.append(Issue(number, column, message))

        risk: Risk | None = None
        if cells.get("id"):
            risk = existing.get(int(cells["id"])) if cells["id"].isdigit() else None
            if risk is None:
                bad("id", f"No risk with id {cells['id']} here.")
        before = services._risk_snapshot(risk) if risk is not None else None
        risk = risk or Risk(org=actor.org, method=method)
        if not cells.get("title"):
            bad("title", "A title is required.")
        risk.title = cells.get("title", "")[:250]
        for column in ("description", "existing_controls"):
            if column in header:
                setattr(risk, column, cells[column])
        for column in (
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
        ):
            if column not in header:
                continue
            raw = cells[column]
            axis = "likelihood" if column.endswith("likelihood") else "impact"
            size = len(
                risk.method.likelihood_scale if axis == "likelihood" else risk.method.impact_scale
            )
            if not raw:
                if column.startswith("inherent"):
                    bad(column, "Required.")
                setattr(risk, column, None)
            elif not raw.isdigit() or not 1 <= int(raw) <= size:
                bad(column, f"Use a {axis} from 1 to {size}.")
            else:
                setattr(risk, column, int(raw))
        if "treatment" in header:
            value = cells["treatment"].lower() or "modify"
            if value not in Treatment.values:
                bad("treatment", f"Use one of: {', '.join(Treatment.values)}.")
            risk.treatment = value
        if "owner" in header:
            email = cells["owner"].lower()
            if email and email not in members:
                bad("owner", f"{email} is not a member of this organisation.")
            risk.owner = members.get(email) if email else None
        for column, table in (("threat", threats), ("vulnerability", vulns)):
            if column in header:
                value = cells[column].lower()
                if value and value not in table:
                    bad(column, f"No {column} '{cells[column]}' in the library.")
                setattr(risk, column, table.get(value) if value else None)
        if "review_date" in header and cells["review_date"]:
            try:
                risk.review_date = dt.date.fromisoformat(cells["review_date"][:10])
            except ValueError:
                bad("review_date", "Use a date like 2027-03-31.")
        linked_assets: list[Asset] = []
        for name in _split(cells.get("assets", "")):
            if name.lower() not in assets:
                bad("assets", f"No asset named '{name}'.")
            else:
                linked_assets.append(assets[name.lower()])
        planned: list[Requirement] = []
        for ref in _split(cells.get("planned_controls", "")):
            ref = ref if ref.startswith("A.") else f"A.{ref}"
            if ref not in controls:
                bad("planned_controls", f"{ref} is not an ISO/IEC 27001:2022 Annex A control.")
            else:
                planned.append(controls[ref])
        own_controls: list[Control] = []
        if "controls" in header:
            for ref in _split(cells.get("controls", "")):
                if ref.lower() not in register:
                    bad("controls", f"No control '{ref}' in the register.")
                else:
                    own_controls.append(register[ref.lower()])
        elif risk is not None and risk.pk is not None:
            own_controls = list(risk.controls.all())
        if any(cells.get(c) for c in QUANT_COLUMNS):
            try:
                risk.quant = services.validate_quant(_quant(cells))
            except ValidationError as exc:
                bad("frequency_low", " ".join(exc.messages))
        elif any(c in header for c in QUANT_COLUMNS):
            risk.quant = None
        if len(issues) == count:
            try:
                _check(risk)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    bad(field if field != "__all__" else "", " ".join(messages))
        after = audit.snapshot(risk) | {
            "assets": sorted(a.pk for a in linked_assets),
            "planned_controls": [c.ref for c in planned],
            "controls": sorted(c.ref for c in own_controls),
        }
        if before is not None and before == after:
            result_unchanged.append(number)
            continue
        plans.append((risk, before, linked_assets, planned, own_controls))
    result = ImportResult("risks", issues=issues, dry_run=dry_run)
    if issues:
        return result
    result.created = sum(1 for plan in plans if plan[0].pk is None)
    result.updated = len(plans) - result.created
    result.unchanged = len(result_unchanged)
    if not dry_run:
        _save(actor, plans)
    return result


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _quant(cells: dict[str, str]) -> dict[str, Any]:
    distribution = cells.get("distribution") or "pert"
    out: dict[str, Any] = {"treatment_cost": cells.get("treatment_cost") or 0}
    for key in ("frequency", "magnitude", "residual_frequency", "residual_magnitude"):
        values = {k: cells.get(f"{key}_{k}", "") for k in ("low", "mode", "high")}
        if key.startswith("residual") and not any(values.values()):
            continue
        out[key] = {k: v or 0 for k, v in values.items()} | {
            "distribution": distribution if key.endswith("magnitude") else "pert"
        }
    return out


def _check(risk: Risk) -> None:
    if (risk.residual_likelihood is None) != (risk.residual_impact is None):
        raise ValidationError({"residual_impact": "Give both residual likelihood and impact."})
    services._compute(risk)
    if risk.residual_score is not None and risk.residual_score > risk.inherent_score:
        raise ValidationError(
            {"residual_likelihood": "The residual risk cannot be higher than the inherent risk."}
        )
    if not risk.threat_id and not risk.vulnerability_id and not risk.description.strip():
        raise ValidationError({"description": "Describe the scenario, or give a threat."})
    scoring.band(risk.method, risk.inherent_score)


@transaction.atomic
def _save(actor: Actor, plans: list[Plan]) -> None:
    refs = scoped(actor, Risk).values_list("ref", flat=True)
    next_number = max((int(r[2:]) for r in refs if r[2:].isdigit()), default=0) + 1
    events = []
    for risk, before, linked_assets, planned, own_controls in plans:
        is_new = risk.pk is None
        if is_new:
            risk.ref = f"R-{next_number:03d}"
            next_number += 1
            risk.save()
        else:
            risk.save_as_next_version()
        risk.assets.set(linked_assets)
        risk.planned_controls.set(planned)
        risk.controls.set(own_controls)
        events.append(
            (
                "risk.create" if is_new else "risk.update",
                risk,
                before,
                services._risk_snapshot(risk),
            )
        )
    audit.record_many(actor=actor.user, org=actor.org, events=events)

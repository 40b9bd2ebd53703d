"""The nonconformity register as CSV and XLSX (through ``openisms.reports``), and its part of
the audit pack."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from openisms.nonconformities import selectors
from openisms.nonconformities.models import CorrectiveAction, Nonconformity
from openisms.orgs.access import Actor
from openisms.orgs.pack_parts import PackPart
from openisms.reports.tables import CSV_TYPE, XLSX_TYPE, Table, write_csv, write_workbook

COLUMNS = (
    "Ref",
    "Title",
    "Description",
    "Source",
    "Source reference",
    "Severity",
    "Status",
    "Raised on",
    "Raised by",
    "Owner",
    "Requirements",
    "Correction",
    "Correction on",
    "Root cause method",
    "Root cause",
    "Corrective actions",
    "Actions open",
    "Effectiveness",
    "Checked by",
    "Checked on",
    "Effectiveness notes",
    "Closed on",
    "Closed by",
)

ACTION_COLUMNS = ("NC", "Action", "Owner", "Due on", "Status", "Completed on", "Notes")

HELP = (
    "Nonconformity register (ISO/IEC 27001 clause 10.2), one row per nonconformity.",
    "The 'Corrective actions' sheet lists every action; the register column summarises them.",
)


def _email(user: Any) -> str:
    return user.email if user is not None else ""


def _action_line(action: CorrectiveAction) -> str:
    due = f", due {action.due_on.isoformat()}" if action.due_on else ""
    return f"{action.title} ({action.get_status_display().lower()}{due})"


def nc_row(nc: Nonconformity) -> list[Any]:
    actions = list(nc.actions.all())
    return [
        nc.ref,
        nc.title,
        nc.description,
        nc.get_source_display(),
        nc.source_ref,
        nc.get_severity_display(),
        nc.get_status_display(),
        nc.raised_on,
        _email(nc.raised_by),
        _email(nc.owner),
        ", ".join(r.ref for r in nc.requirements.all()),
        nc.correction,
        nc.correction_on,
        nc.get_root_cause_method_display() if nc.root_cause_method else "",
        nc.root_cause,
        "; ".join(_action_line(a) for a in actions),
        sum(1 for a in actions if not a.is_closed),
        nc.get_effectiveness_display() if nc.effectiveness else "",
        _email(nc.effectiveness_checked_by),
        nc.effectiveness_checked_on,
        nc.effectiveness_notes,
        nc.closed_on,
        _email(nc.closed_by),
    ]


def action_row(action: CorrectiveAction) -> list[Any]:
    return [
        action.nonconformity.ref,
        action.title,
        _email(action.owner),
        action.due_on,
        action.get_status_display(),
        action.completed_on,
        action.notes,
    ]


def _tables(actor: Actor) -> tuple[list[list[Any]], list[list[Any]]]:
    ncs, actions = selectors.export_rows(actor=actor)
    return [nc_row(nc) for nc in ncs], [action_row(a) for a in actions]


def _workbook(registers: Sequence[list[Any]], actions: Iterable[list[Any]]) -> bytes:
    return write_workbook(
        [
            Table("Nonconformities", COLUMNS, registers, wrap=True),
            Table("Corrective actions", ACTION_COLUMNS, list(actions), wrap=True, notes=HELP),
        ]
    )


def export_nonconformities(*, actor: Actor, fmt: str) -> tuple[bytes, str, str]:
    """The register: CSV (one row per nonconformity, actions summarised) or XLSX (a second
    sheet lists the actions)."""
    registers, actions = _tables(actor)
    if fmt == "csv":
        return write_csv(COLUMNS, registers), CSV_TYPE, "csv"
    if fmt == "xlsx":
        return _workbook(registers, actions), XLSX_TYPE, "xlsx"
    raise ValidationError({"format": "Use csv or xlsx."})


def pack_part(actor: Actor) -> list[PackPart]:
    """``nonconformities/``: the register as XLSX and CSV."""
    registers, actions = _tables(actor)
    return [
        PackPart("register.xlsx", _workbook(registers, actions)),
        PackPart("register.csv", write_csv(COLUMNS, registers)),
    ]

"""From finding to register: a major or minor nonconformity found by an internal audit becomes
an entry of the nonconformity register (clause 10.2), linked both ways.

The auditor role writes findings and nothing else, so raising the register entry is an
editor's step: it carries the finding's title, description, severity and requirement over, names
the finding as its source (``IA-2026-01-F1``) and records an audit event on the finding.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from openisms.accounts.models import User
from openisms.audits import selectors
from openisms.audits.models import Finding, FindingType
from openisms.audits.services import finding_snapshot
from openisms.core import audit as trail
from openisms.nonconformities.models import NcSource, Nonconformity, Severity
from openisms.nonconformities.services import nonconformity_create
from openisms.orgs.access import Actor, Perm

SEVERITY = {FindingType.MAJOR: Severity.MAJOR, FindingType.MINOR: Severity.MINOR}


@transaction.atomic
def finding_raise_nonconformity(
    *,
    actor: Actor,
    finding: Finding,
    owner: str | User | None = None,
    raised_on: dt.date | None = None,
) -> Nonconformity:
    """Raise the register entry for a major or minor nonconformity finding (once);
    ``raised_on`` defaults to today."""
    actor.require(Perm.EDIT_ISMS, "Only editors raise nonconformities from findings.")
    locked = selectors.finding_list(actor=actor).select_for_update(of=("self",)).get(pk=finding.pk)
    if locked.type not in SEVERITY:
        raise ValidationError(
            {"type": "Only a major or minor nonconformity finding goes to the register."}
        )
    if locked.nonconformity_id is not None:
        raise ValidationError(
            {"nonconformity": f"{locked.ref} is already followed by {locked.nonconformity}."}
        )
    before = finding_snapshot(locked)
    description = locked.description
    if locked.evidence_seen:
        description = f"{description}\n\nEvidence seen: {locked.evidence_seen}".strip()
    nc = nonconformity_create(
        actor=actor,
        title=locked.title,
        description=description,
        source=NcSource.AUDIT,
        source_ref=locked.ref,
        severity=SEVERITY[FindingType(locked.type)],
        owner=owner,
        requirements=[locked.requirement.ref] if locked.requirement else (),
        raised_on=raised_on,
    )
    locked.nonconformity = nc
    locked.save(update_fields=["nonconformity", "updated_at"])
    trail.record(
        actor=actor.user,
        org=actor.org,
        action="audit_finding.raise_nonconformity",
        obj=locked,
        object_repr=f"{locked.ref} raised as {nc.ref}",
        before=before,
        after=finding_snapshot(locked),
    )
    return nc

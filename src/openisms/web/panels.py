"""Context for the panels that several detail pages share.

Why here: the evidence and task panels appear on SoA rows and on risks, and they combine
two domains (evidence, work); the pages' own apps should not each know how to ask both.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from openisms.evidence import selectors as evidence_selectors
from openisms.orgs.access import Actor, Perm
from openisms.work import selectors as work_selectors


def linked_work(actor: Actor, *, requirement: Any = None, risk: Any = None) -> dict[str, Any]:
    """Evidence linked to, and tasks on, one requirement or one risk (two queries)."""
    if requirement is not None:
        evidence = evidence_selectors.evidence_for_requirement(actor=actor, requirement=requirement)
    else:
        evidence = evidence_selectors.evidence_for_risk(actor=actor, risk=risk)
    return {
        "today": timezone.localdate(),
        "linked_evidence": evidence,
        "linked_tasks": work_selectors.tasks_for_target(
            actor=actor, requirement=requirement, risk=risk
        ),
        "can_edit_isms": actor.can(Perm.EDIT_ISMS),
    }

"""Context for the panels that several detail pages share.

Why here: the evidence and task panels appear on SoA rows, risks and controls of the register,
and they combine two domains (evidence, work); the pages' own apps should not each know how to
ask both (nor may they: controls, risks and the SoA sit below evidence and work).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from openisms.controls import selectors as controls_selectors
from openisms.evidence import selectors as evidence_selectors
from openisms.orgs.access import Actor, Perm
from openisms.work import selectors as work_selectors


def linked_work(
    actor: Actor, *, requirement: Any = None, risk: Any = None, control: Any = None
) -> dict[str, Any]:
    """Evidence linked to, and tasks on, one requirement, one risk or one control of the
    register (two queries; a control's page also lists the evidence linked to the requirements
    it meets, which its coverage counts too: a third)."""
    through: list[Any] = []
    if requirement is not None:
        evidence = evidence_selectors.evidence_for_requirement(actor=actor, requirement=requirement)
    elif control is not None:
        evidence = evidence_selectors.evidence_for_control(actor=actor, control=control)
        # What coverage also counts for the control's requirements (one more query).
        mine = {item.pk for item in evidence}
        ids = [r.pk for r in control.requirements.all()]
        through = [
            item
            for item in evidence_selectors.evidence_for_requirements(
                actor=actor, requirement_ids=ids
            )
            if item.pk not in mine
        ]
    else:
        evidence = evidence_selectors.evidence_for_risk(actor=actor, risk=risk)
    return {
        "requirement_evidence": through,
        "today": timezone.localdate(),
        "linked_evidence": evidence,
        "linked_tasks": work_selectors.tasks_for_target(
            actor=actor, requirement=requirement, risk=risk, control=control
        ),
        "can_edit_isms": actor.can(Perm.EDIT_ISMS),
    }


def parameters_panel(actor: Actor, *, requirement: Any) -> dict[str, Any]:
    """The "parameters" panel of a catalogue requirement page: the requirement's parameters
    with the organisation's values, editable by members who edit the ISMS."""
    if not requirement.params:
        return {}
    parameters = controls_selectors.parameters_of(actor=actor, requirement=requirement)
    return {
        "parameters": parameters,
        "can_set_parameters": actor.can(Perm.EDIT_ISMS),
        "parameters_url": reverse(
            "controls:parameters",
            kwargs={
                "org": actor.org.slug,
                "framework": requirement.framework.slug,
                "ref": requirement.ref,
            },
        ),
    }

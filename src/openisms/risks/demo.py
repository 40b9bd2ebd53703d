"""The demo organisation's risk register: 40 risks of a US healthcare SaaS company.

The register and its treatment actions are data, in ``data/demo_risks.json``; this module
loads them through the services, with the assessments, updates and acceptance in between
that give the demo its history.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from openisms.assets.models import Asset
from openisms.orgs.access import actor_for, scoped
from openisms.orgs.selectors import resolve_member
from openisms.risks import services
from openisms.risks.models import Threat, Vulnerability

DEMO_REQUESTER = "dev.patel@demo.openisms.example"
DEMO_RISKS_FILE = Path(__file__).resolve().parent / "data" / "demo_risks.json"


def load_demo_risks(actor: Any) -> None:
    """Create the register, two completed assessments, actions, one acceptance and one
    acceptance request waiting for management."""
    data = json.loads(DEMO_RISKS_FILE.read_text(encoding="utf-8"))
    services.risk_module_setup(actor=actor)
    assets = {a.name: a.pk for a in scoped(actor, Asset)}
    threats = {t.key: t.pk for t in scoped(actor, Threat)}
    vulns = {v.key: v.pk for v in scoped(actor, Vulnerability)}
    created = {}
    for risk in data["risks"]:
        residual = risk["residual"]
        created[risk["title"]] = services.risk_create(
            actor=actor,
            title=risk["title"],
            threat=threats[risk["threat"]],
            vulnerability=vulns[risk["vulnerability"]],
            assets=[assets[n] for n in risk["assets"]],
            owner=risk["owner"],
            inherent_likelihood=risk["inherent"]["likelihood"],
            inherent_impact=risk["inherent"]["impact"],
            treatment=risk["treatment"],
            planned_controls=risk["controls"],
            residual_likelihood=residual["likelihood"] if residual else None,
            residual_impact=residual["impact"] if residual else None,
            review_date=dt.date(2027, 3, 31),
            quant=risk["quant"],
        )
    baseline = services.assessment_create(
        actor=actor,
        name="Baseline assessment",
        performed_on=dt.date(2026, 3, 16),
        notes="First assessment under the ISO 27001 programme.",
    )
    services.assessment_complete(actor=actor, assessment=baseline)
    # Since the baseline: MFA rolled out everywhere, phishing training done.
    services.risk_update(
        actor=actor,
        risk=created["Stolen credentials used against the admin console"],
        residual_likelihood=1,
        residual_impact=4,
    )
    services.risk_update(
        actor=actor,
        risk=created["Phishing leads to mailbox takeover and ePHI exposure"],
        residual_likelihood=2,
        residual_impact=3,
    )
    annual = services.assessment_create(
        actor=actor,
        name="Annual risk assessment 2026",
        performed_on=dt.date(2026, 10, 30),
    )
    services.assessment_complete(actor=actor, assessment=annual)
    today = dt.date.today()
    for action in data["actions"]:
        services.action_save(
            actor=actor,
            risk=created[action["risk"]],
            title=action["title"],
            owner=action["owner"],
            due_date=today + dt.timedelta(days=action["due_in_days"]),
            status=action["status"],
        )
    services.risk_accept(
        actor=actor,
        risk=created["SMS provider outage stops appointment reminders"],
        rationale="A second SMS provider costs more than the expected loss; reminders also go by "
        "e-mail and clinics are told of outages within an hour.",
        expires_on=today + dt.timedelta(days=365),
    )
    # The owner of a high risk asks management to accept it; the request waits for a decision.
    owner = resolve_member(DEMO_REQUESTER, "owner", actor=actor)
    assert owner is not None  # a demo member
    asking = next(
        r
        for r in created.values()
        if r.owner_id == owner.pk
        and services.needs_acceptance(r)
        and r.title != "SMS provider outage stops appointment reminders"
    )
    services.risk_acceptance_request(
        actor=actor_for(owner, actor.org.slug),
        risk=asking,
        rationale="The remaining treatment waits for next year's budget; the current controls "
        "keep the likely loss below what the fix would cost this year.",
        expires_on=today + dt.timedelta(days=180),
    )

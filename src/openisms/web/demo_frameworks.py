"""The demo organisation beyond ISO/IEC 27001: it tracks NIST CSF 2.0 and the HIPAA Security
Rule, and keeps two controls that exist for HIPAA alone, each with its own evidence, beside the
ISO controls that also count for the other frameworks through the mapping sets."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openisms.controls import services as control_services
from openisms.controls.models import Control
from openisms.evidence import services as evidence_services
from openisms.orgs.access import Actor, scoped
from openisms.soa import tracking

OWNER = "maria.lopez@demo.openisms.example"  # the demo's compliance manager


def load_demo_frameworks(*, actor: Actor) -> None:
    """``actor`` must be able to edit the ISMS (the demo's administrator)."""
    today = timezone.localdate()
    for slug in ("nist-csf-2.0", "hipaa-security-rule"):
        tracking.framework_track(actor=actor, framework_slug=slug)
    control_services.control_create(
        actor=actor,
        ref="HIP-01",
        name="Emergency access to patient data",
        owner=OWNER,
        description="A sealed break-glass account lets the on-call clinician lead reach "
        "electronic health records when single sign-on is down.",
        status="implemented",
        implementation="Two break-glass accounts in the EHR, passwords split between two "
        "sealed envelopes in the office safe; every use pages the security lead and is "
        "reviewed within one working day. Tested each quarter.",
        requirements=["hipaa-security-rule:164.312(a)(2)(ii)"],
    )
    control_services.control_create(
        actor=actor,
        ref="HIP-02",
        name="Business associate agreements",
        owner=OWNER,
        description="Every vendor that creates, receives, keeps or sends ePHI for us signs a "
        "business associate agreement before it gets access.",
        status="partially_implemented",
        target_date=dt.date(2027, 2, 28),
        implementation="Register of business associates kept by legal; 11 of 13 agreements "
        "signed, two renewals with the new terms pending.",
        requirements=["hipaa-security-rule:164.308(b)(1)", "hipaa-security-rule:164.314(a)(1)"],
    )
    # An ISO control that also answers a CSF outcome directly, beyond the mapping sets.
    incident = scoped(actor, Control).filter(ref="A.5.24").first()
    if incident is not None:
        control_services.control_update(
            actor=actor,
            control=incident,
            requirements=["iso27001-2022:A.5.24", "nist-csf-2.0:RS.MA-01"],
        )
    evidence_services.evidence_create_link(
        actor=actor,
        title="Break-glass test, Q4 2026",
        url="https://tickets.demo.openisms.example/SEC-2291",
        description="Quarterly test of both emergency accounts: login, page to the security "
        "lead, review note and password rotation.",
        collected_on=today - dt.timedelta(days=20),
        validity_days=92,
        controls=["HIP-01"],
    )
    evidence_services.evidence_create_link(
        actor=actor,
        title="Business associate register",
        url="https://wiki.demo.openisms.example/legal/baa-register",
        description="Each business associate, its agreement's date and version, and renewals due.",
        collected_on=today - dt.timedelta(days=45),
        validity_days=180,
        controls=["HIP-02"],
    )

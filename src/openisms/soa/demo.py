"""The demo organisation's Statement of Applicability.

CareLoop Health is a cloud-native SaaS company: production runs in AWS, staff work from one
small office in Austin or from home, and all software is built in-house. Its SoA therefore
excludes the few controls that have nothing to act on (no secure areas, no on-premises
cabling that carries production data, no outsourced development) and records honest progress
elsewhere: most controls implemented, some partial or planned. One version is approved by
the administrator; a few rows changed afterwards, so the working SoA differs from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openisms.context.models import PartyRequirement
from openisms.orgs.access import Actor
from openisms.soa import selectors, services
from openisms.soa.models import SoaStatus

M = "maria.lopez@demo.openisms.example"
D = "dev.patel@demo.openisms.example"

IMPLEMENTED = SoaStatus.IMPLEMENTED
PARTIAL = SoaStatus.PARTIALLY_IMPLEMENTED
PLANNED = SoaStatus.PLANNED
NOT_STARTED = SoaStatus.NOT_STARTED

# ref: (justification for excluding it)
EXCLUDED = {
    "A.7.6": "We have no secure areas. Production systems and ePHI live in AWS data centres, "
    "whose physical controls are covered by the AWS SOC 2 Type II report reviewed under "
    "A.5.19-A.5.22; the Austin office holds no servers and no paper records with ePHI.",
    "A.7.12": "No cabling under our control carries production data or ePHI: the office network "
    "is a landlord-managed guest-grade connection used only to reach cloud services over "
    "encrypted channels (A.8.20, A.8.24). Revisit if we host equipment on premises.",
    "A.8.30": "All software is developed by employees in our own repositories; no development "
    "is outsourced. Contractors, if engaged, work under the same SDLC as staff (A.8.25). "
    "Revisit before any outsourcing contract is signed.",
}

# Rows with more than the default: ref -> (status, owner, reasons, how we implement it).
# Reasons: L legal/regulatory (HIPAA Security Rule, state breach laws), C contractual
# (customer BAAs and MSAs), B business / best practice.
DETAIL: dict[str, tuple[str, str, str, str]] = {
    "A.5.1": (
        IMPLEMENTED,
        M,
        "LB",
        "Information security policy approved by the CEO in March 2026; topic policies for "
        "access, cryptography, backup, incident response and acceptable use are published in "
        "the handbook and reviewed every year.",
    ),
    "A.5.7": (
        PARTIAL,
        D,
        "B",
        "We subscribe to CISA and AWS security bulletins and the Health-ISAC feed. Triage of "
        "the feed into tickets is still manual; automating it is planned for Q1 2027.",
    ),
    "A.5.9": (
        IMPLEMENTED,
        M,
        "LB",
        "The asset inventory in OpenISMS is the register of record; cloud resources are "
        "reconciled monthly against the AWS Config inventory.",
    ),
    "A.5.15": (
        IMPLEMENTED,
        D,
        "LCB",
        "Role-based access through Okta groups; least privilege for production; access "
        "requests approved by the system owner in the ticketing system.",
    ),
    "A.5.19": (
        IMPLEMENTED,
        M,
        "LC",
        "Suppliers that touch ePHI are tiered; tier 1 suppliers sign a BAA and provide a SOC 2 "
        "report, reviewed every year.",
    ),
    "A.5.20": (IMPLEMENTED, M, "LC", "BAA and security schedule in every tier 1 contract."),
    "A.5.23": (
        IMPLEMENTED,
        D,
        "LCB",
        "AWS accounts under an organisation with SCP guardrails; the shared-responsibility "
        "matrix is documented and reviewed with each new AWS service we adopt.",
    ),
    "A.5.24": (
        IMPLEMENTED,
        M,
        "LC",
        "Incident response plan with severity levels, HIPAA breach assessment steps and "
        "customer notification timelines from our BAAs.",
    ),
    "A.5.29": (PARTIAL, M, "LC", "Continuity plan written; the annual exercise is scheduled."),
    "A.5.30": (
        PARTIAL,
        D,
        "LC",
        "Multi-region design with restore runbooks. The first full failover test to us-west-2 is "
        "planned for February 2027.",
    ),
    "A.5.31": (
        IMPLEMENTED,
        M,
        "L",
        "Register of legal and contractual requirements (HIPAA Security and Privacy Rules, "
        "Texas and California breach laws, customer BAAs), reviewed by counsel each year.",
    ),
    "A.5.34": (
        IMPLEMENTED,
        M,
        "LC",
        "ePHI is inventoried by system; the privacy officer approves new uses; minimum "
        "necessary is enforced through role design.",
    ),
    "A.5.35": (PLANNED, M, "B", "First external ISO 27001 certification audit in 2027."),
    "A.6.1": (IMPLEMENTED, M, "LB", "Background checks before start for every employee."),
    "A.6.3": (
        IMPLEMENTED,
        M,
        "LC",
        "Security and HIPAA training at onboarding and every year; quarterly phishing "
        "simulations with follow-up training.",
    ),
    "A.6.7": (IMPLEMENTED, D, "B", "Remote work standard: managed laptops, MFA, no local ePHI."),
    "A.7.9": (IMPLEMENTED, D, "B", "Full-disk encryption and remote wipe on every laptop."),
    "A.8.1": (
        IMPLEMENTED,
        D,
        "LB",
        "Laptops enrolled in MDM with disk encryption, screen lock, EDR and OS patching "
        "enforced; non-compliant devices lose access through Okta device trust.",
    ),
    "A.8.2": (
        IMPLEMENTED,
        D,
        "LC",
        "Production admin access is just-in-time through AWS IAM Identity Center with a "
        "one-hour session and approval; break-glass accounts are sealed and alarmed.",
    ),
    "A.8.5": (IMPLEMENTED, D, "LC", "Phishing-resistant MFA (WebAuthn) for all workforce logins."),
    "A.8.8": (
        PARTIAL,
        D,
        "LC",
        "Container and dependency scanning in CI; monthly OS patching. Remediation SLAs are "
        "defined but not yet met for medium findings.",
    ),
    "A.8.9": (PARTIAL, D, "B", "Infrastructure as code for production; laptops baselined by MDM."),
    "A.5.13": (PLANNED, M, "B", "Labels in the document templates first, then in the data lake."),
    "A.7.4": (PLANNED, M, "B", "Entrance camera for the Austin office is being quoted."),
    "A.8.11": (NOT_STARTED, D, "C", ""),
    "A.8.23": (NOT_STARTED, D, "B", ""),
    "A.8.12": (PLANNED, D, "LC", "DLP for e-mail and SaaS storage selected; rollout in 2027."),
    "A.8.13": (
        IMPLEMENTED,
        D,
        "LC",
        "Encrypted RDS snapshots every hour and cross-region copies daily, kept 35 days; restore "
        "tested every quarter.",
    ),
    "A.8.15": (
        IMPLEMENTED,
        D,
        "LC",
        "CloudTrail, application audit logs and Okta logs sent to the SIEM and kept for six "
        "years in write-once storage.",
    ),
    "A.8.16": (
        PARTIAL,
        D,
        "LC",
        "SIEM collects all sources; detection rules for admin actions are being written.",
    ),
    "A.8.24": (
        IMPLEMENTED,
        D,
        "LC",
        "TLS 1.2+ everywhere, AES-256 at rest with KMS customer-managed keys, yearly key rotation.",
    ),
    "A.8.25": (IMPLEMENTED, D, "CB", "Documented SDLC with threat modelling for new features."),
    "A.8.28": (IMPLEMENTED, D, "CB", "Static analysis and peer review required to merge."),
    "A.8.29": (PARTIAL, D, "CB", "DAST in staging; the yearly external penetration test is due."),
    "A.8.32": (IMPLEMENTED, D, "CB", "All production changes through reviewed pull requests."),
}

# Clauses 4 to 10: status and owner.
CLAUSES = {
    "4": IMPLEMENTED,
    "5": IMPLEMENTED,
    "6": IMPLEMENTED,
    "6.3": PARTIAL,
    "7": IMPLEMENTED,
    "8": IMPLEMENTED,
    "9": PARTIAL,
    "9.2": PLANNED,
    "9.3": PLANNED,
    "10": PARTIAL,
}

# Default status by theme for the rows not listed above (a programme in its first year:
# organisational and people controls mostly done, technical ones catching up).
THEME_DEFAULT = {
    "organizational": IMPLEMENTED,
    "people": IMPLEMENTED,
    "physical": IMPLEMENTED,
    "technological": PARTIAL,
}
OWNER_BY_THEME = {"organizational": M, "people": M, "physical": M, "technological": D}

REASON_FIELDS = {"L": "legal_regulatory", "C": "contractual", "B": "business"}


def _changes(row: Any) -> dict[str, Any]:
    ref = row.requirement.ref
    theme = row.requirement.theme
    if ref in EXCLUDED:
        return {"applicable": False, "justification": EXCLUDED[ref]}
    if row.requirement.kind == "clause":
        return {"status": CLAUSES.get(ref, IMPLEMENTED), "owner": M}
    status, owner, reasons, how = DETAIL.get(
        ref, (THEME_DEFAULT.get(theme, PARTIAL), OWNER_BY_THEME.get(theme, M), "B", "")
    )
    changes: dict[str, Any] = {"status": status, "owner": owner, "implementation": how}
    changes.update({field: code in reasons for code, field in REASON_FIELDS.items()})
    if status in (PLANNED, PARTIAL, NOT_STARTED):
        changes["target_date"] = dt.date(2027, 3, 31)
    return changes


def load_demo_soa(*, author: Actor, approver: Actor) -> None:
    """Fill the SoA, have ``author`` submit it and ``approver`` approve it, then move on."""
    services.soa_sync(actor=author)
    rows = [*selectors.soa_list(actor=author), *selectors.soa_list(actor=author, kind="clause")]
    for row in rows:
        services.soa_entry_update(actor=author, entry=row, **_changes(row))
    version = services.soa_submit(
        actor=author, comment="First complete SoA after the 2026 annual risk assessment."
    )
    services.soa_approve(
        actor=approver, version=version, comment="Approved at the management review."
    )
    # Work continued after the approval: the working SoA is ahead of version 1.
    for ref, changes in (
        ("A.8.16", {"status": IMPLEMENTED}),
        ("A.5.7", {"implementation": DETAIL["A.5.7"][3] + " Feed triage automated in November."}),
    ):
        row = selectors.soa_list(actor=author).get(requirement__ref=ref)
        services.soa_entry_update(actor=author, entry=row, **changes)


DEMO_CITATIONS = {
    "A.5.31": ("45 CFR 164.308", "45 CFR 164.404"),
    "A.8.13": ("MSA clause 12", "Policy schedule B"),
    "A.5.34": ("BAA section 4",),
}


def load_demo_citations(*, actor: Actor, requirements: list[PartyRequirement]) -> None:
    """Three SoA rows cite requirements of interested parties as their reasons."""
    by_reference = {r.reference: r.pk for r in requirements}
    for ref, references in DEMO_CITATIONS.items():
        row = selectors.soa_list(actor=actor).get(requirement__ref=ref)
        ids = [by_reference[r] for r in references if r in by_reference]
        services.soa_entry_update(actor=actor, entry=row, cited_requirements=ids)

"""The demo organisation's context: boundaries, issues, interested parties and their
requirements, and one approved version (submitted and approved by different members)."""

from __future__ import annotations

from openisms.context import services
from openisms.context.models import PartyRequirement
from openisms.orgs.access import Actor

BOUNDARIES = (
    "The CareLoop care-coordination platform (web app, mobile apps, public API) in production "
    "and staging on the cloud provider's US-East and US-West regions; the engineering, "
    "support, security and people teams; the corporate laptops and identity provider."
)
INTERFACES = (
    "Hospital customers connect through SSO and HL7 FHIR interfaces; the cloud provider runs "
    "the physical data centres; payroll and the office building are run by suppliers."
)
EXCLUSIONS = (
    "The Boston office building and its physical access system are excluded: the landlord "
    "runs them, no patient data is kept or reachable there, and staff work from laptops "
    "managed like remote devices. The marketing website is excluded: it is a static site on "
    "a separate hosting account with no link to the platform or its data."
)

ISSUES = (
    (
        "external",
        "legal_regulatory",
        "HIPAA and state privacy laws",
        "New state health-privacy laws add consent and breach rules beyond HIPAA.",
        "Privacy controls must cover the strictest state; legal reviews changes each quarter.",
    ),
    (
        "external",
        "market",
        "Hospitals ask for ISO 27001",
        "Large hospital groups now make certification a condition of contract.",
        "Certification is the ISMS's first goal.",
    ),
    (
        "external",
        "technological",
        "Ransomware aimed at healthcare",
        "Attacks on care providers and their suppliers keep rising.",
        "Backups, detection and response get priority in the risk treatment plan.",
    ),
    (
        "internal",
        "organisational",
        "Fast hiring in engineering",
        "Engineering doubles in the next 18 months.",
        "Onboarding, access reviews and awareness must scale.",
    ),
    (
        "internal",
        "technological",
        "Single cloud provider",
        "Everything runs on one cloud provider.",
        "Supplier risk and exit planning belong in the ISMS.",
    ),
    (
        "internal",
        "strategic",
        "Series B growth plan",
        "Investors expect new markets in 2027.",
        "The scope will be reviewed before new regions or products launch.",
    ),
)

PARTIES = (
    (
        "Hospital and clinic customers",
        "customer",
        "Patient data kept confidential and "
        "available; evidence of security (certificates, questionnaires); prompt breach notice.",
        (
            (
                "Business associate agreement",
                "contractual",
                "BAA section 4",
                "Safeguards for ePHI and notice of breaches within 10 days.",
                "BAA obligations mapped to controls; breach runbook.",
            ),
            (
                "Availability commitment",
                "contractual",
                "MSA clause 12",
                "99.9% monthly availability of the platform.",
                "Capacity, backup and continuity controls.",
            ),
        ),
    ),
    (
        "HHS Office for Civil Rights (OCR)",
        "regulator",
        "Compliance with the HIPAA Security and Breach Notification Rules.",
        (
            (
                "HIPAA Security Rule administrative safeguards",
                "regulatory",
                "45 CFR 164.308",
                "Risk analysis, workforce security, contingency planning.",
                "Risk method, SoA and contingency plan.",
            ),
            (
                "Breach notification",
                "legal",
                "45 CFR 164.404",
                "Notify individuals and HHS of breaches of unsecured PHI.",
                "Incident management procedure with legal review.",
            ),
        ),
    ),
    (
        "Employees",
        "employee",
        "Clear rules, training, protection of their own personal data.",
        (
            (
                "Employee privacy notice",
                "legal",
                "State employment law",
                "Tell staff what monitoring takes place.",
                "Acceptable use and monitoring policy.",
            ),
        ),
    ),
    (
        "Cloud infrastructure provider",
        "supplier",
        "Customers configure and secure their own cloud resources (shared responsibility).",
        (
            (
                "Shared responsibility terms",
                "contractual",
                "Customer agreement 4.2",
                "The customer secures accounts, data and configuration.",
                "Cloud security baseline and configuration monitoring.",
            ),
        ),
    ),
    (
        "Cyber insurer",
        "insurer",
        "Evidence of MFA, backups and incident response before renewal.",
        (
            (
                "Policy security conditions",
                "contractual",
                "Policy schedule B",
                "MFA everywhere, offline backups, tested response plan.",
                "",
            ),
        ),
    ),
    (
        "Investors",
        "shareholder",
        "Security that supports growth; no breach that damages "
        "the company's value; regular reporting to the board.",
        (
            (
                "Security reporting to the board",
                "contractual",
                "Investor rights agreement 5.3",
                "A security report to the board every quarter.",
                "The ISMS manager's quarterly report from the readiness dashboard and the "
                "objectives.",
            ),
        ),
    ),
)


def load_demo_context(*, author: Actor, approver: Actor) -> list[PartyRequirement]:
    """``author`` edits and submits, ``approver`` approves; returns the requirements."""
    services.context_update(
        actor=author, boundaries=BOUNDARIES, interfaces=INTERFACES, exclusions=EXCLUSIONS
    )
    owner = author.user.email if author.user else None
    for kind, category, title, description, effect in ISSUES:
        services.issue_create(
            actor=author,
            kind=kind,
            category=category,
            title=title,
            description=description,
            effect=effect,
            owner=owner,
        )
    requirements = []
    for name, kind, needs, reqs in PARTIES:
        party = services.party_create(actor=author, name=name, kind=kind, needs=needs)
        for title, rkind, reference, description, how in reqs:
            requirements.append(
                services.requirement_create(
                    actor=author,
                    party=party.pk,
                    title=title,
                    kind=rkind,
                    reference=reference,
                    description=description,
                    addressed=bool(how),
                    how=how,
                )
            )
    version = services.context_submit(
        actor=author, comment="Context reviewed with the leadership team for the 2026 cycle."
    )
    services.context_approve(actor=approver, version=version, comment="Approved.")
    return requirements

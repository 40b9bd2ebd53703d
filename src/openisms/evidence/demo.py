"""Evidence for the demo organisation.

Dates are relative to the day the demo is created, so the library always shows a realistic
mix: most items current, one due for renewal soon and one expired. Files are generated here
(a PDF policy, CSV exports, a text report); nothing is read from outside the package.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from openisms.evidence import services as evidence_services
from openisms.orgs.access import Actor, scoped
from openisms.risks.models import Risk

M = "maria.lopez@demo.openisms.example"
D = "dev.patel@demo.openisms.example"


def _policy_pdf() -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=True)
    pdf.setTitle("CareLoop Health - Information Security Policy v2.1")
    lines = [
        "CareLoop Health - Information Security Policy (v2.1)",
        "Approved by the CEO on 2026-03-16. Owner: Security & Compliance.",
        "",
        "1. Purpose: protect patient and customer information, including ePHI.",
        "2. Scope: all staff, contractors, systems and suppliers of the CareLoop platform.",
        "3. Objectives are set yearly and reviewed at the management review.",
        "4. Topic policies: access control, cryptography, backup, incident response,",
        "   acceptable use, supplier security, secure development.",
        "5. Exceptions need a documented risk acceptance by the CTO.",
    ]
    y = 720
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 18
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _access_review_csv() -> bytes:
    rows = [
        "system,user,role,reviewer,decision,date",
        "AWS production,dev.patel,PowerUser (JIT),CTO,keep,2026-10-05",
        "AWS production,former.contractor,ReadOnly,CTO,remove,2026-10-05",
        "Okta,maria.lopez,Super admin,CEO,keep,2026-10-05",
        "Zendesk,support-agent-3,Agent,Support lead,keep,2026-10-06",
        "GitHub,ex-intern,Write,CTO,remove,2026-10-06",
    ]
    return ("\n".join(rows) + "\n").encode()


def _training_csv() -> bytes:
    rows = ["employee,course,completed_on,score"]
    rows += [
        f"employee-{i:02d},Security and HIPAA 2026,2026-0{1 + i % 9}-15,{80 + i % 20}"
        for i in range(1, 41)
    ]
    return ("\n".join(rows) + "\n").encode()


def _restore_test_txt(day: dt.date) -> bytes:
    return (
        f"Restore test {day:%Y-%m-%d}\n"
        "Snapshot: careloop-prod-db, 02:00 UTC, restored to an isolated account in us-west-2.\n"
        "Restore time: 38 minutes (objective: 4 hours). Row counts and checksums matched.\n"
        "Application smoke tests passed. Restored instance deleted after the test.\n"
    ).encode()


def load_demo_evidence(*, actor: Actor) -> None:
    """``actor`` must be able to edit the ISMS (the demo's administrator)."""
    today = timezone.localdate()
    risks = {r.title: r.pk for r in scoped(actor, Risk)}

    def file_item(name: str, data: bytes, **fields: Any) -> None:
        evidence_services.evidence_create_file(
            actor=actor, upload=ContentFile(data, name=name), **fields
        )

    file_item(
        "information-security-policy-v2.1.pdf",
        _policy_pdf(),
        title="Information security policy v2.1 (approved)",
        description="The top-level policy with the CEO's approval; topic policies refer to it.",
        owner=M,
        collected_on=dt.date(2026, 3, 16),
        valid_until=dt.date(2026, 3, 16) + dt.timedelta(days=365),
        next_review_on=dt.date(2027, 2, 15),
        requirements=["A.5.1", "5.2", "A.5.10", "A.5.37"],
    )
    file_item(
        "access-review-2026-q3.csv",
        _access_review_csv(),
        title="Quarterly access review, Q3 2026",
        description="Export of the review in the ticketing system: every privileged and "
        "production account, the reviewer's decision and the removals done.",
        owner=D,
        collected_on=today - dt.timedelta(days=80),
        valid_until=today + dt.timedelta(days=12),  # the next quarterly review is due
        requirements=["A.5.15", "A.5.18", "A.8.2", "A.8.3"],
        risks=[risks["Stolen credentials used against the admin console"]],
    )
    file_item(
        "restore-test.txt",
        _restore_test_txt(today - dt.timedelta(days=20)),
        title="Database restore test",
        description="Quarterly restore of the production database into an isolated account.",
        owner=D,
        collected_on=today - dt.timedelta(days=20),
        validity_days=90,
        requirements=["A.8.13", "A.8.14", "A.5.30"],
        risks=[risks["Ransomware encrypts production and backups"]],
    )
    file_item(
        "security-training-2026.csv",
        _training_csv(),
        title="Security and HIPAA training completion 2026",
        description="LMS export: all 40 staff completed the 2026 course.",
        owner=M,
        collected_on=today - dt.timedelta(days=40),
        valid_until=today + dt.timedelta(days=325),
        requirements=["A.6.3", "7.2", "7.3"],
        risks=[risks["Phishing leads to mailbox takeover and ePHI exposure"]],
    )
    links: list[dict[str, Any]] = [
        {
            "title": "AWS SOC 2 Type II report review",
            "description": "Our review of the AWS report and its complementary user entity "
            "controls; also supports the exclusion of A.7.6 (no secure areas of our own).",
            "url": "https://tickets.careloop.example/SEC-412",
            "owner": M,
            "collected_on": today - dt.timedelta(days=375),
            "valid_until": today - dt.timedelta(days=10),  # the yearly re-review is late
            "requirements": ["A.5.19", "A.5.22", "A.5.23", "A.7.6"],
        },
        {
            "title": "Incident response tabletop exercise, 2026",
            "description": "Scenario: ransomware in production. Findings and actions.",
            "url": "https://wiki.careloop.example/security/tabletop-2026",
            "owner": M,
            "collected_on": today - dt.timedelta(days=60),
            "validity_days": 365,
            "requirements": ["A.5.24", "A.5.26", "A.5.27"],
            "risks": [risks["Ransomware encrypts production and backups"]],
        },
        {
            "title": "MDM compliance dashboard",
            "description": "Live view of laptop encryption, screen lock, EDR and patch state.",
            "url": "https://mdm.careloop.example/compliance",
            "owner": D,
            "collected_on": today - dt.timedelta(days=5),
            "next_review_on": today + dt.timedelta(days=85),
            "requirements": ["A.8.1", "A.7.9", "A.8.7"],
        },
    ]
    for fields in links:
        evidence_services.evidence_create_link(actor=actor, **fields)

"""A management review for the demo organisation: held last week, its inputs computed from the
demo's data, decisions, three actions and minutes submitted by the ISMS manager and approved by
the administrator (separation of duties)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openisms.orgs.access import Actor
from openisms.reviews import selectors, services

M = "maria.lopez@demo.openisms.example"
D = "dev.patel@demo.openisms.example"


def load_demo_reviews(*, author: Actor, approver: Actor) -> None:
    """``author`` edits the ISMS (the manager); ``approver`` approves (the administrator)."""
    today = timezone.localdate()
    admin_email = approver.user.email if approver.user else ""
    review = services.review_create(
        actor=author,
        title="ISMS management review 2026",
        meeting_on=today,  # held today, so its period covers everything the demo created
        period_start=today - dt.timedelta(days=365),
        chair=admin_email,
        attendees=[M, D, admin_email],
        guests="Priya Raman (external ISO consultant)",
        status="held",
        interested_parties="Two hospital customers asked for our SOC 2 report and evidence of "
        "backup testing; the new HIPAA security rule proposal was discussed with counsel.",
        other_notes="Budget for the second platform engineer is to be confirmed in Q3.",
    )
    services.review_compute_inputs(actor=author, review=review)
    for text, category in (
        ("Automate leaver deprovisioning from the HR system this quarter.", "improvement"),
        ("Extend the ISMS scope to the new analytics service from next year.", "change"),
        ("Fund an additional platform engineer for on-call and backups.", "resources"),
    ):
        services.decision_add(actor=author, review=review, text=text, category=category)
    for title, owner, days in (
        ("Present the deprovisioning design to the CTO", D, -2),
        ("Draft the scope change for the analytics service", M, 45),
        ("Prepare the hiring case for the platform engineer", M, 30),
    ):
        services.review_action_create(
            actor=author,
            review=review,
            title=title,
            owner=owner,
            due_on=today + dt.timedelta(days=days),
        )
    minutes = services.minutes_submit(
        actor=author,
        review=selectors.review_get(actor=author, review_id=review.pk),
        comment="Minutes of the 2026 review.",
    )
    services.minutes_approve(actor=approver, minutes=minutes, comment="Agreed.")

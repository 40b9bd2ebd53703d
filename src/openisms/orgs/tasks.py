"""Background jobs of the organisations app, run by ``openisms worker``."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from openisms.orgs.models import Invitation


@task()
def send_invitation_email(invitation_id: int, raw_token: str) -> bool:
    invitation = (
        Invitation.objects.select_related("org", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.status != "pending":
        return False
    inviter = invitation.invited_by.display_name if invitation.invited_by else "An administrator"
    link = f"{settings.OPENISMS_BASE_URL}/invite/{raw_token}/"
    send_mail(
        subject=f"You are invited to {invitation.org.name} on OpenISMS",
        message=(
            f"{inviter} invited you to join {invitation.org.name} as {invitation.role}.\n\n"
            f"Accept the invitation: {link}\n\n"
            f"The link works once and expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True

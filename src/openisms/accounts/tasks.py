"""Background jobs of the accounts app, run by ``openisms worker``."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from openisms.accounts.models import User


@task()
def send_throttle_email(user_id: int, address: str) -> bool:
    """Tell the owner of an account that sign-in to it was paused after failed attempts."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    minutes = settings.OPENISMS_LOGIN_WINDOW_MINUTES
    send_mail(
        subject="OpenISMS: sign-in to your account was paused",
        message=(
            f"There were several failed sign-in attempts to your OpenISMS account "
            f"({user.email}), the last from address {address or 'unknown'}.\n\n"
            f"Sign-in is paused for {minutes} minutes. If this was not you, your password "
            f"held; consider turning on multi-factor authentication. If you forgot your "
            f"password, reset it from the login page: {settings.OPENISMS_BASE_URL}"
            f"/accounts/password-reset/"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return True

"""Login throttling kept in the database, so every app process sees the same counts.

A failed password or multi-factor code is one ``LoginFailure`` row, keyed by the e-mail typed
and the client address. While an account has ``OPENISMS_LOGIN_ACCOUNT_LIMIT`` failures inside
the window, or an address ``OPENISMS_LOGIN_ADDRESS_LIMIT``, every attempt for it is refused
before the password is even checked, so the right password does not get through either. The
refusal itself is not counted: the lock ends one window after the failures stop. The moment a
limit is reached is audited, and the account's owner is e-mailed once per lock.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openisms.accounts.models import LoginFailure, User
from openisms.accounts.tasks import send_throttle_email
from openisms.core import audit

REFUSED = (
    "Too many failed attempts. Sign-in is paused for this account or network for "
    "{minutes} minutes; try again later or reset your password."
)


def window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.OPENISMS_LOGIN_WINDOW_MINUTES)


def refused_message() -> str:
    return REFUSED.format(minutes=settings.OPENISMS_LOGIN_WINDOW_MINUTES)


def client_address(request: HttpRequest | None) -> str:
    """The peer address Django sees (a TLS proxy in front must pass the real one through)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR") or "")[:45]


def _recent(**filters: str) -> int:
    return LoginFailure.objects.filter(created_at__gte=timezone.now() - window(), **filters).count()


def is_throttled(*, email: str, address: str) -> bool:
    email = email.strip().lower()
    if email and _recent(email=email) >= settings.OPENISMS_LOGIN_ACCOUNT_LIMIT:
        return True
    return bool(address) and _recent(address=address) >= settings.OPENISMS_LOGIN_ADDRESS_LIMIT


@transaction.atomic
def failure_record(*, email: str, address: str, kind: str = LoginFailure.Kind.PASSWORD) -> None:
    """Count one failure; audit (and tell the owner) when it is the one that reaches a limit."""
    email = email.strip().lower()[:254]
    LoginFailure.objects.filter(created_at__lt=timezone.now() - window()).delete()
    LoginFailure.objects.create(email=email, address=address, kind=kind)
    if email and _recent(email=email) == settings.OPENISMS_LOGIN_ACCOUNT_LIMIT:
        user = User.objects.filter(email=email, is_active=True).first()
        audit.record(
            actor=None,
            org=None,
            action="user.login_throttled",
            obj=user,
            object_type=None if user else "accounts.user",
            object_repr=None if user else email,
            after={"address": address, "kind": kind},
        )
        if user is not None:
            user_id = user.pk
            transaction.on_commit(lambda: send_throttle_email.enqueue(user_id, address))
    if address and _recent(address=address) == settings.OPENISMS_LOGIN_ADDRESS_LIMIT:
        audit.record(
            actor=None,
            org=None,
            action="login.address_throttled",
            object_type="address",
            object_repr=address,
            after={"address": address},
        )


def failures_clear(*, email: str, kind: str | None = None) -> None:
    """A successful sign-in forgets the account's failures (not the address's).

    A right password alone forgets only wrong passwords: wrong codes stay counted until a code
    is right, so knowing the password does not buy more guesses at the code.
    """
    found = LoginFailure.objects.filter(email=email.strip().lower())
    (found.filter(kind=kind) if kind else found).delete()

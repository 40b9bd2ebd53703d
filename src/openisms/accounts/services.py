"""Writes for accounts and API tokens. Each is atomic and records an audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from openisms.accounts.models import ApiToken, User
from openisms.accounts.sessions import sessions_end_others
from openisms.core import audit

TOKEN_PREFIX = "oism_"  # noqa: S105 - a public prefix, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from exc
    return email


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    password: str,
    full_name: str = "",
    is_superuser: bool = False,
) -> User:
    email = _clean_email(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": f"A user with e-mail {email} already exists."})
    candidate = User(email=email, full_name=full_name.strip())
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user = User.objects.create_user(
        email,
        password,
        full_name=full_name.strip(),
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    audit.record(actor=actor, org=None, action="user.create", obj=user, after=audit.snapshot(user))
    return user


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, org=None, action="user.set_password", obj=user)
    # Whoever knew the old password is signed out everywhere.
    sessions_end_others(actor=user, keep=None, reason="password set")


@transaction.atomic
def user_update(*, actor: User, user: User, full_name: str) -> User:
    before = audit.snapshot(user, ["full_name"])
    user.full_name = full_name.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name"])
    audit.record(
        actor=actor,
        org=None,
        action="user.update",
        obj=user,
        before=before,
        after=audit.snapshot(user, ["full_name"]),
    )
    return user


@transaction.atomic
def token_create(
    *, actor: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the actor and return it with the only copy of its secret."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. 'CI export'."})
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationError({"expires_in_days": "Must be between 1 and 3650 days."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        prefix=raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        key_hash=hash_token(raw),
        expires_at=expires_at,
    )
    audit.record(
        actor=actor, org=None, action="token.create", obj=token, after=audit.snapshot(token)
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        before = audit.snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            org=None,
            action="token.revoke",
            obj=token,
            before=before,
            after=audit.snapshot(token),
        )
    return token


def token_authenticate(raw: str) -> User | None:
    """Return the active user for a raw token, or None. Records last use at most once a minute."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

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

from openisms.accounts.models import ApiToken, TokenScope, User
from openisms.accounts.sessions import sessions_end_others
from openisms.core import audit

TOKEN_PREFIX = "oism_"  # noqa: S105 - a public prefix, not a secret
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
TOKEN_USE_INTERVAL = dt.timedelta(minutes=1)  # last_used_at is written at most this often


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
    *,
    actor: User,
    name: str,
    expires_in_days: int | None = None,
    scope: str = TokenScope.READ,
    org_id: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for the actor and return it with the only copy of its secret.

    Every token expires (TOKEN_DEFAULT_DAYS unless said, at most TOKEN_MAX_DAYS). ``org_id``
    binds it to one organisation, which the caller has checked the actor belongs to."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. 'CI export'."})
    days = TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationError({"expires_in_days": f"Must be between 1 and {TOKEN_MAX_DAYS} days."})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": "Choose 'read' or 'write'."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        scope=scope,
        org_id=org_id,
        prefix=raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=days),
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


def token_authenticate(raw: str) -> ApiToken | None:
    """Return the active token (with its user) for a raw secret, or None.

    Records the last use at most once a minute, so a busy client costs one extra write a
    minute rather than one per request."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def tokens_revoke_for_org(*, actor: User | None, user: User, org_id: int) -> int:
    """Revoke the user's live tokens bound to one organisation (they left it)."""
    count = ApiToken.objects.filter(user=user, org_id=org_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        audit.record(
            actor=actor,
            org=None,
            action="token.revoke",
            obj=user,
            object_repr=f"{count} token(s) of {user.email} bound to organisation {org_id}",
        )
    return count

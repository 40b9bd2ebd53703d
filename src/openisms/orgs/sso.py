"""OpenID Connect single sign-on (through mozilla-django-oidc) with just-in-time membership.

Off unless OPENISMS_OIDC_CLIENT_ID is set (see settings.py and docs/deployment.md). The
provider signs ID tokens with RS256; we check the signature against its JWKS, the issuer, the
audience, the nonce and that the provider has verified the e-mail address. A person signing
in for the first time gets an account only when their e-mail's domain is one an organisation
has claimed (``SsoDomain``); they then join that organisation with the role it chose.
Everyone else is refused with a message and no account is created.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from openisms.accounts.models import User
from openisms.core import audit
from openisms.orgs.access import Actor, Perm
from openisms.orgs.models import Role, SsoDomain
from openisms.orgs.services import membership_add

log = logging.getLogger(__name__)

# Roles a self-service newcomer may receive: never owner or admin.
JIT_ROLES = (Role.MANAGER, Role.CONTRIBUTOR, Role.AUDITOR, Role.VIEWER)
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN_RE = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})+$")
GENERIC_FAILURE = "Single sign-on did not succeed. Try again, or ask your administrator."


def sso_enabled() -> bool:
    return bool(getattr(settings, "OPENISMS_OIDC_ENABLED", False))


# --- Services ------------------------------------------------------------------------------


def sso_domain_list(*, actor: Actor) -> list[SsoDomain]:
    return list(SsoDomain.objects.filter(org=actor.org).order_by("domain"))


@transaction.atomic
def sso_domains_set(*, actor: Actor, domains: list[str], role: str) -> list[SsoDomain]:
    """Replace the organisation's single sign-on domains and the role newcomers get."""
    actor.require(Perm.MANAGE_ORG)
    clean = sorted({d.strip().lower().removeprefix("@") for d in domains if d.strip()})
    bad = [d for d in clean if not DOMAIN_RE.match(d)]
    if bad:
        raise ValidationError({"domains": f"Not a domain name: {', '.join(bad)}."})
    if role not in JIT_ROLES:
        raise ValidationError(
            {"role": "Newcomers may be a manager, contributor, auditor or viewer."}
        )
    taken = sorted(
        SsoDomain.objects.filter(domain__in=clean)
        .exclude(org=actor.org)
        .values_list("domain", flat=True)
    )
    if taken:
        raise ValidationError(
            {"domains": f"Already claimed by another organisation: {', '.join(taken)}."}
        )
    current = SsoDomain.objects.filter(org=actor.org)
    before = {"domains": sorted(d.domain for d in current), "role": _role_of(current)}
    current.delete()
    rows = SsoDomain.objects.bulk_create(
        [SsoDomain(org=actor.org, domain=d, role=role) for d in clean]
    )
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="organization.sso_domains",
        obj=actor.org,
        before=before,
        after={"domains": clean, "role": role if clean else None},
    )
    return rows


def _role_of(domains: Any) -> str | None:
    first = domains.first()
    return first.role if first else None


@transaction.atomic
def sso_user_create(*, email: str, full_name: str) -> User:
    """Create a first-time SSO user and their membership, or refuse (ValidationError)."""
    domain = SsoDomain.objects.select_related("org").filter(
        domain=email.rsplit("@", 1)[-1], org__is_active=True
    )
    claim = domain.first()
    if claim is None:
        raise ValidationError(
            f"No organisation here accepts single sign-on for {email.rsplit('@', 1)[-1]}. "
            "Ask an administrator to invite you."
        )
    user = User.objects.create_user(email, None, full_name=full_name.strip()[:150])
    audit.record(actor=None, org=None, action="user.create", obj=user, after=audit.snapshot(user))
    membership_add(actor=None, org=claim.org, user=user, role=claim.role)
    return user


# --- Authentication backend ----------------------------------------------------------------


class SsoBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with our checks and just-in-time membership."""

    def _refuse(self, message: str) -> None:
        self.request.sso_error = message
        raise SuspiciousOperation(message)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued for another client.")
        if "exp" not in payload:
            raise SuspiciousOperation("The ID token has no expiry.")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The claims come from the signed ID token we have just checked."""
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not claims.get("email"):
            self._refuse("Your identity provider did not send an e-mail address.")
        if claims.get("email_verified") is not True:
            self._refuse("Your identity provider has not verified your e-mail address.")
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(email=str(claims["email"]).strip().lower())

    def create_user(self, claims: dict[str, Any]) -> User:
        email = str(claims["email"]).strip().lower()
        try:
            return sso_user_create(email=email, full_name=str(claims.get("name") or ""))
        except ValidationError as exc:
            self._refuse(" ".join(exc.messages))
            raise  # not reached: _refuse raises

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user


# --- Views ---------------------------------------------------------------------------------


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: any failure ends on the login page with a reason."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException) as exc:
            log.warning("single sign-on refused: %s", exc)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, getattr(self.request, "sso_error", GENERIC_FAILURE))
        return redirect("accounts:login")


def sso_start(request: HttpRequest) -> HttpResponse:
    if not sso_enabled():
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationRequestView.as_view()(request)


def sso_callback(request: HttpRequest) -> HttpResponse:
    if not sso_enabled():
        raise Http404("Single sign-on is not configured.")
    return SsoCallbackView.as_view()(request)


def login_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: whether the login page offers "Sign in with SSO"."""
    return {"sso_enabled": sso_enabled()}


app_name = "sso"
urlpatterns = [
    path("start/", sso_start, name="start"),
    path("callback/", sso_callback, name="callback"),
]

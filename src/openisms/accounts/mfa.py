"""Multi-factor authentication with django-otp: one TOTP device (an authenticator app) per
user and one static device holding recovery codes.

Enrolment creates an unconfirmed TOTP device; a correct code from the app confirms it and
issues the recovery codes, which are shown once. Disabling and regenerating need a current
code. django-otp throttles wrong codes per device; ``throttle`` counts them per account too.
"""

from __future__ import annotations

from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode import make as qr_make
from qrcode.image.svg import SvgPathImage

from openisms.accounts.models import User
from openisms.core import audit

RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def mfa_enabled(user: User) -> bool:
    return bool(user.is_authenticated) and user_has_device(user, confirmed=True)


def pending_totp(*, actor: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-id").first()


def recovery_codes_left(*, actor: User) -> int:
    return StaticToken.objects.filter(device__user=actor, device__confirmed=True).count()


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment address as an inline SVG drawn on the server (no image request, no CDN)."""
    image = qr_make(device.config_url, image_factory=SvgPathImage, box_size=8, border=2)
    return str(image.to_string(encoding="unicode"))


def secret_base32(device: TOTPDevice) -> str:
    """The key as people type it into an app that cannot scan: base32 in groups of four."""
    from_url = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return " ".join(from_url[i : i + 4] for i in range(0, len(from_url), 4))


def verify_code(*, user: User, code: str) -> Device | None:
    """The confirmed device that accepts the code (app code or unused recovery code)."""
    code = "".join((code or "").split()).lower()
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


@transaction.atomic
def mfa_enrol_start(*, actor: User) -> TOTPDevice:
    """A fresh unconfirmed app device (any earlier unconfirmed one is replaced)."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name=TOTP_NAME, confirmed=False)


def _new_codes(actor: User) -> list[str]:
    StaticDevice.objects.filter(user=actor).delete()
    device = StaticDevice.objects.create(user=actor, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def mfa_enrol_confirm(*, actor: User, code: str) -> list[str] | None:
    """Confirm the pending device with a code from the app; returns the recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).last()
    if device is None or not device.verify_token("".join((code or "").split())):
        return None
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_codes(actor)
    audit.record(actor=actor, org=None, action="user.mfa_enable", obj=actor)
    return codes


@transaction.atomic
def mfa_disable(*, actor: User, code: str) -> bool:
    if verify_code(user=actor, code=code) is None:
        return False
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()
    audit.record(actor=actor, org=None, action="user.mfa_disable", obj=actor)
    return True


@transaction.atomic
def mfa_recovery_regenerate(*, actor: User, code: str) -> list[str] | None:
    device = verify_code(user=actor, code=code)
    if device is None or not isinstance(device, TOTPDevice):
        return None
    codes = _new_codes(actor)
    audit.record(actor=actor, org=None, action="user.mfa_recovery_codes", obj=actor)
    return codes


def pending_user(user_id: object) -> User | None:
    """The active user a half-finished login (password accepted, code pending) belongs to."""
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()

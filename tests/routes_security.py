"""Registry entries for login security: the code step, password reset and change, sessions
and multi-factor set-up (see tests/routes.py for the fields).

The owner of organisation A calls them while logged in without multi-factor, so the code step
sends them home, the set-up page (with nothing pending) back to the security page, and codes
they post are wrong: every write route answers with a redirect and changes nothing but the
throttling counters.
"""

from __future__ import annotations

from typing import Any

from openisms.accounts.models import UserSession
from tests.conftest import login
from tests.routes import Ctx, Route


def _session(ctx: Ctx) -> dict[str, Any]:
    """Another session of the owner (a second login), to be signed out."""
    login(ctx.world.owner_a)
    row = UserSession.objects.filter(user=ctx.world.owner_a).order_by("-id").first()
    assert row is not None
    return {"session_id": row.pk}


def _another_login(ctx: Ctx) -> dict[str, Any]:
    """No form fields; builds one more session of the owner so there is always one to end."""
    _session(ctx)
    return {}


def _code(ctx: Ctx) -> dict[str, Any]:
    return {"code": "000000"}


SECURITY_UI: list[Route] = [
    Route("GET", "accounts:login_code", "public", 302),  # a logged-in user is sent home
    Route("POST", "accounts:login_code", "public", 302, body=_code),
    Route("GET", "accounts:security", "user", 200),
    Route("GET", "accounts:password_change", "user", 200),
    Route(
        "POST",
        "accounts:password_change",
        "user",
        200,  # the old password is wrong: the form comes back
        body=lambda c: {"old_password": "no", "new_password1": "x", "new_password2": "x"},
    ),
    Route("GET", "accounts:password_reset", "public", 200),
    Route(
        "POST",
        "accounts:password_reset",
        "public",
        302,
        body=lambda c: {"email": c.world.owner_a.email},
    ),
    Route("GET", "accounts:password_reset_done", "public", 200),
    Route(
        "GET",
        "accounts:password_reset_confirm",
        "public",
        200,  # an invalid link shows its page
        params=lambda c: {"uidb64": "MQ", "token": "no-token"},
        owned_params=False,
    ),
    Route("GET", "accounts:password_reset_complete", "public", 200),
    Route("POST", "accounts:session_end", "user", 302, params=_session),
    Route("POST", "accounts:sessions_end_others", "user", 302, body=_another_login),
    Route("POST", "accounts:mfa_enrol", "user", 302),
    Route("GET", "accounts:mfa_setup", "user", 302),  # nothing pending: back to the page
    Route("POST", "accounts:mfa_setup", "user", 302, body=_code),
    Route("POST", "accounts:mfa_disable", "user", 302, body=_code),
    Route("POST", "accounts:mfa_recovery_codes", "user", 302, body=_code),
]

"""The sessions a user can see and end: one ``UserSession`` row per login, keyed to the
Django session. Ending one deletes the Django session too, so its cookie stops working on
the next request; changing the password ends all the others.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from openisms.accounts.models import User, UserSession
from openisms.accounts.throttle import client_address
from openisms.core import audit

SEEN_KEY = "_openisms_seen"
SEEN_EVERY = dt.timedelta(minutes=5)  # how stale "last seen" may get, to spare a write a request


def _store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_list(*, actor: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=actor).order_by("-last_seen", "-id")


def session_get(*, actor: User, session_id: int) -> UserSession:
    found = session_list(actor=actor).filter(pk=session_id).first()
    if found is None:
        raise Http404("No such session.")
    return found


def session_started(*, request: HttpRequest, user: User) -> None:
    """Called on login: remember the device and address of the new session."""
    if not request.session.session_key:
        request.session.save()
    key = request.session.session_key or ""
    request.session[SEEN_KEY] = timezone.now().isoformat()
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "user_agent": str(request.META.get("HTTP_USER_AGENT", ""))[:300],
            "address": client_address(request),
            "last_seen": timezone.now(),
        },
    )


def session_rekey(*, old: str | None, new: str | None) -> None:
    """Follow the session when Django gives it a new key (e.g. after a password change)."""
    if old and new and old != new:
        UserSession.objects.filter(session_key=old).update(session_key=new)


def session_seen(request: HttpRequest) -> None:
    """Refresh "last seen" at most every few minutes (one UPDATE, none on most requests)."""
    now = timezone.now()
    seen = request.session.get(SEEN_KEY)
    try:
        stale = seen is None or now - dt.datetime.fromisoformat(seen) > SEEN_EVERY
    except (TypeError, ValueError):
        stale = True
    if stale and request.session.session_key:
        request.session[SEEN_KEY] = now.isoformat()
        UserSession.objects.filter(session_key=request.session.session_key).update(
            last_seen=now, address=client_address(request)
        )


def _end(rows: list[UserSession]) -> None:
    store = _store()
    keys = [row.session_key for row in rows]
    if hasattr(store, "get_model_class"):  # database-backed sessions: one DELETE for all
        store.get_model_class().objects.filter(session_key__in=keys).delete()
    else:
        for key in keys:
            store(session_key=key).delete()
    UserSession.objects.filter(pk__in=[r.pk for r in rows]).delete()


@transaction.atomic
def session_end(*, actor: User, session: UserSession) -> None:
    audit.record(
        actor=actor,
        org=None,
        action="user.session_end",
        obj=actor,
        after={"address": session.address, "user_agent": session.user_agent},
    )
    _end([session])


@transaction.atomic
def sessions_end_others(*, actor: User, keep: str | None, reason: str = "") -> int:
    """End every session of the actor except ``keep`` (the current one, if any)."""
    rows = [s for s in session_list(actor=actor) if s.session_key != keep]
    if rows:
        audit.record(
            actor=actor,
            org=None,
            action="user.sessions_end",
            obj=actor,
            after={"count": len(rows), "reason": reason},
        )
        _end(rows)
    return len(rows)


def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_started(request=request, user=user)


def _on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and getattr(request, "session", None) is not None:
        key = request.session.session_key
        if key:
            UserSession.objects.filter(session_key=key).delete()


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="openisms_session_started")
    user_logged_out.connect(_on_logout, dispatch_uid="openisms_session_ended")


@transaction.atomic
def password_changed(*, actor: User, keep: str | None, how: str) -> None:
    """After a password change or reset: audit it and end every other session."""
    audit.record(actor=actor, org=None, action=f"user.password_{how}", obj=actor)
    sessions_end_others(actor=actor, keep=keep, reason=f"password {how}")

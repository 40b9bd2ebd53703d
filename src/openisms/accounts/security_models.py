"""Models of login security: failed attempts (throttling) and the sessions a user can see.

They live beside ``models.py`` (which imports them) so that the user and token models stay
untouched by this part of the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class LoginFailure(models.Model):
    """One failed password or code. Counted over a window; rows past it are deleted lazily."""

    class Kind(models.TextChoices):
        PASSWORD = "password", "password"
        CODE = "code", "multi-factor code"

    email = models.CharField(max_length=254, db_index=True)
    address = models.CharField(max_length=45, blank=True, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PASSWORD)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} failure for {self.email} from {self.address or '?'}"


class UserSession(models.Model):
    """What a user sees of one of their logins; the Django session row holds the data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    address = models.CharField(max_length=45, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} from {self.address or '?'}"

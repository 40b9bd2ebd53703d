from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openisms.orgs.access import ROLE_PERMS, Perm
from openisms.orgs.selectors import memberships_of

NAV = (
    ("dashboard", "Dashboard", "web:dashboard"),
    ("work", "My work", "web:my_work"),
    ("catalog", "Catalogue", "catalog:index"),
    ("assets", "Assets", "assets:list"),
    ("context", "Context", "context:index"),
    ("risks", "Risks", "risks:register"),
    ("soa", "SoA", "soa:list"),
    ("controls", "Controls", "controls:list"),
    ("frameworks", "Frameworks", "soa:frameworks"),
    ("evidence", "Evidence", "evidence:list"),
    ("documents", "Documents", "documents:list"),
    ("objectives", "Objectives", "objectives:list"),
    ("audits", "Audits", "audits:programme_list"),
    ("nonconformities", "Nonconformities", "nonconformities:list"),
    ("reviews", "Management reviews", "reviews:list"),
    ("settings", "Settings", "web:org_settings"),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisation switcher and the main navigation; one query for the memberships."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    current_slug = match.kwargs.get("org") if match else None
    memberships = list(memberships_of(user=user))
    current = next((m for m in memberships if m.org.slug == current_slug), None)
    return {
        "nav_items": NAV,
        "nav_memberships": memberships,
        "nav_current": current,
        "nav_section": getattr(request, "nav_section", ""),
        "nav_can_activity": current is not None
        and Perm.VIEW_AUDIT_TRAIL in ROLE_PERMS.get(current.role, frozenset()),
    }

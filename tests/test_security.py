"""Cross-cutting security properties of the shell."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

from tests.conftest import World, login

SRC = Path(__file__).resolve().parent.parent / "src" / "openisms"


def test_csp_and_security_headers(world: World) -> None:
    response = login(world.owner_a).get("/o/org-a/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_no_external_assets_or_inline_script_in_templates() -> None:
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text()
        assert not re.search(r"""(src|href)=["']https?://""", text), template
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {template}"
        assert " style=" not in text, f"inline style in {template}"
        assert " on" + "click=" not in text, template


def test_views_and_api_read_through_selectors_only() -> None:
    """The permission choke point: no view or API handler queries models directly."""
    offenders = []
    entry_points = [
        path
        for path in SRC.rglob("*.py")
        if path.name in ("views.py", "api.py")
        or path.name.endswith("_views.py")
        or {"views", "api"} & set(path.relative_to(SRC).parts[:-1])
    ]
    assert SRC / "soa" / "coverage_views.py" in entry_points
    for path in entry_points:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if ".objects." in line or ("org=" in line and ".filter(" in line):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert not offenders, "Query through selectors instead:\n" + "\n".join(offenders)


def test_cookies_are_http_only_and_same_site(db: None) -> None:
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax" and settings.CSRF_COOKIE_SAMESITE == "Lax"


def test_secret_key_file_is_private() -> None:
    from django.conf import settings

    key_file = settings.DATA_DIR / "secret_key"
    if key_file.exists():
        assert key_file.stat().st_mode & 0o077 == 0


def test_login_page_and_static_assets_are_local(db: None) -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "/static/openisms/app.css" in html

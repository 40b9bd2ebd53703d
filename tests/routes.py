"""The registry of every API route and UI page, used by the isolation and query-budget tests.

Each entry says how to call the route on organisation A's data. A route that exists in the
OpenAPI document or the URL configuration but not here fails the meta-tests, so every new
route must state its scope, its expected statuses and its query budget.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openisms.accounts import services as account_services
from openisms.accounts.models import ApiToken
from openisms.assets import services as asset_services
from openisms.assets.models import Asset
from openisms.orgs import services as org_services
from openisms.orgs.models import Invitation, Membership
from tests.conftest import World, add_member

_seq = itertools.count(1)


@dataclass
class Ctx:
    world: World

    def member(self) -> Membership:
        user = add_member(self.world.org_a, f"m{next(_seq)}@example.com", "contributor")
        return Membership.objects.get(user=user, org=self.world.org_a)

    def invitation(self) -> Invitation:
        from openisms.orgs.access import actor_for

        actor = actor_for(self.world.owner_a, self.world.org_a.slug)
        invitation, _ = org_services.invitation_create(
            actor=actor, email=f"inv{next(_seq)}@example.com", role="viewer"
        )
        return invitation

    def token(self) -> ApiToken:
        token, _ = account_services.token_create(actor=self.world.owner_a, name=f"t{next(_seq)}")
        return token

    def asset(self) -> Asset:
        from openisms.orgs.access import actor_for

        actor = actor_for(self.world.owner_a, self.world.org_a.slug)
        previous = Asset.objects.filter(org=self.world.org_a).order_by("-pk").first()
        return asset_services.asset_create(
            actor=actor,
            name=f"Asset {next(_seq)}",
            type="software",
            owner=self.world.users_a["manager"].email,
            tags=["grow"],
            depends_on=[previous.pk] if previous else [],
        )

    def actor(self) -> Any:
        from openisms.orgs.access import actor_for

        return actor_for(self.world.owner_a, self.world.org_a.slug)

    def risk(self, *, above_threshold: bool = False) -> Any:
        from openisms.risks import services as risk_services

        asset = Asset.objects.filter(org=self.world.org_a).order_by("-pk").first()
        return risk_services.risk_create(
            actor=self.actor(),
            title=f"Risk {next(_seq)}",
            description="A scenario",
            assets=[asset.pk] if asset else [],
            owner=self.world.users_a["manager"].email,
            inherent_likelihood=4,
            inherent_impact=4,
            planned_controls=["A.8.13", "A.5.30"],
            residual_likelihood=None if above_threshold else 2,
            residual_impact=None if above_threshold else 2,
            quant={
                "frequency": {"low": 0.1, "mode": 0.5, "high": 2},
                "magnitude": {"low": 1000, "mode": 8000, "high": 90000},
                "treatment_cost": 1000,
            },
        )

    def library_item(self, kind: str) -> Any:
        from openisms.risks import selectors as risk_selectors
        from openisms.risks import services as risk_services
        from openisms.risks.models import Threat, Vulnerability

        risk_services.risk_module_setup(actor=self.actor())
        model = Threat if kind == "threats" else Vulnerability
        return risk_selectors.library_list(actor=self.actor(), model=model).first()

    def action(self) -> Any:
        from openisms.risks import services as risk_services

        risk = self.risk()
        return risk_services.action_save(
            actor=self.actor(), risk=risk, title=f"Action {next(_seq)}", status="planned"
        )

    def assessment(self, *, complete: bool = True) -> Any:
        import datetime as dt

        from openisms.risks import services as risk_services

        assessment = risk_services.assessment_create(
            actor=self.actor(), name=f"Assessment {next(_seq)}", performed_on=dt.date(2026, 1, 1)
        )
        if complete:
            risk_services.assessment_complete(actor=self.actor(), assessment=assessment)
        return assessment

    def acceptance(self) -> Any:
        import datetime as dt

        from openisms.risks import services as risk_services

        return risk_services.risk_accept(
            actor=self.actor(),
            risk=self.risk(above_threshold=True),
            rationale="Cost",
            expires_on=dt.date.today() + dt.timedelta(days=30),
        )

    def linked_work(self, *, requirement: str | None = None, risk: Any = None, n: int = 1) -> None:
        """n evidence items and n assigned tasks on one requirement (a ref) or one risk."""
        import datetime as dt

        from openisms.evidence import services as evidence_services
        from openisms.work import services as work_services

        for _ in range(n):
            step = next(_seq)
            evidence_services.evidence_create_link(
                actor=self.actor(),
                title=f"Linked evidence {step}",
                url=f"https://example.com/e/{step}",
                owner=self.world.users_a["manager"].email,
                collected_on=dt.date(2026, 1, 1),
                valid_until=dt.date(2026, 1, 1) + dt.timedelta(days=step),
                requirements=[requirement] if requirement else [],
                risks=[risk.pk] if risk is not None else [],
            )
            work_services.task_create(
                actor=self.actor(),
                title=f"Linked task {step}",
                assignee=self.world.users_a["manager"].email,
                due_on=dt.date(2026, 1, 1) + dt.timedelta(days=step),
                **({"requirement": requirement} if requirement else {"risk": risk.pk}),
            )

    def grow(self, n: int) -> None:
        """Add n of every kind of organisation row (and the audit events they create)."""
        for _ in range(n):
            self.member()
            self.invitation()
            self.token()
            self.asset()
            self.action()


Params = Callable[[Ctx], dict[str, Any]]


def none(ctx: Ctx) -> dict[str, Any]:
    return {}


@dataclass
class Route:
    method: str
    path: str  # OpenAPI path (API) or URL name (UI)
    scope: str  # org: organisation data; user: the caller's own; global: catalogue; public
    ok: int  # status for the owner of A
    viewer: int | None = None  # status for a viewer of A (org routes)
    params: Params = none
    body: Params | None = None
    query: str = ""
    owned_params: bool = True  # path params name org A's rows (not shared catalogue content)
    multipart: bool = False  # body is a form with a file, not JSON
    session_only: bool = False  # API tokens get 403: the browser session alone may call it

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def writes(self) -> bool:
        return self.method in {"POST", "PUT", "PATCH", "DELETE"}


def _member(ctx: Ctx) -> dict[str, Any]:
    return {"member_id": ctx.member().pk}


def _invitation(ctx: Ctx) -> dict[str, Any]:
    return {"invitation_id": ctx.invitation().pk}


def _token(ctx: Ctx) -> dict[str, Any]:
    return {"token_id": ctx.token().pk}


def _asset(ctx: Ctx) -> dict[str, Any]:
    return {"asset_id": ctx.asset().pk}


def _asset_body(ctx: Ctx) -> dict[str, Any]:
    return {"name": f"New asset {next(_seq)}", "type": "hardware", "tags": ["x"]}


def _asset_form(ctx: Ctx) -> dict[str, Any]:
    return {
        "name": f"Form asset {next(_seq)}",
        "type": "site",
        "classification": "internal",
        "confidentiality": 3,
        "integrity": 3,
        "availability": 3,
    }


def _import_file(ctx: Ctx) -> dict[str, Any]:
    import io

    data = f"name,type,tags\nImported {next(_seq)},site,a; b\n".encode()
    upload = io.BytesIO(data)
    upload.name = "assets.csv"
    return {"file": upload}


def _quantified(ctx: Ctx) -> dict[str, Any]:
    """A quantified risk exists; the simulation's own parameters go in the query string."""
    ctx.risk()
    return {"trials": 2000, "seed": 3}


def _current_method(ctx: Ctx) -> Any:
    from openisms.risks import services as risk_services

    return risk_services.risk_module_setup(actor=ctx.actor())


def _fresh_org(ctx: Ctx) -> dict[str, Any]:
    return {"name": "New Org", "slug": f"new-{next(_seq)}"}


def _invite_body(ctx: Ctx) -> dict[str, Any]:
    return {"email": f"new{next(_seq)}@example.com", "role": "viewer"}


API: list[Route] = [
    Route("GET", "/api/v1/me", "user", 200),
    Route("GET", "/api/v1/tokens", "user", 200),
    Route("POST", "/api/v1/tokens", "user", 201, body=lambda c: {"name": "x"}, session_only=True),
    Route("DELETE", "/api/v1/tokens/{token_id}", "user", 200, params=_token, session_only=True),
    Route("GET", "/api/v1/orgs", "user", 200),
    Route("POST", "/api/v1/orgs", "user", 201, body=_fresh_org),
    Route("GET", "/api/v1/orgs/{org}", "org", 200, 200),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}",
        "org",
        200,
        403,
        body=lambda c: {"scope": f"All services, revision {next(_seq)}"},
        session_only=True,
    ),
    Route("GET", "/api/v1/orgs/{org}/members", "org", 200, 200),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/members/{member_id}",
        "org",
        200,
        403,
        params=_member,
        body=lambda c: {"role": "manager"},
        session_only=True,
    ),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/members/{member_id}",
        "org",
        204,
        403,
        params=_member,
        session_only=True,
    ),
    Route("GET", "/api/v1/orgs/{org}/invitations", "org", 200, 403),
    Route(
        "POST",
        "/api/v1/orgs/{org}/invitations",
        "org",
        201,
        403,
        body=_invite_body,
        session_only=True,
    ),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/invitations/{invitation_id}",
        "org",
        200,
        403,
        params=_invitation,
        session_only=True,
    ),
    Route("GET", "/api/v1/orgs/{org}/audit-events", "org", 200, 403),
    Route("GET", "/api/v1/orgs/{org}/audit-events/verify", "org", 200, 403),
    Route("GET", "/api/v1/orgs/{org}/assets", "org", 200, 200, query="tag=grow&sort=owner"),
    Route("POST", "/api/v1/orgs/{org}/assets", "org", 201, 403, body=_asset_body),
    Route("GET", "/api/v1/orgs/{org}/assets/export", "org", 200, 200, query="format=xlsx"),
    Route(
        "POST",
        "/api/v1/orgs/{org}/assets/import",
        "org",
        200,
        403,
        body=_import_file,
        multipart=True,
    ),
    Route("GET", "/api/v1/orgs/{org}/assets/{asset_id}", "org", 200, 200, params=_asset),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/assets/{asset_id}",
        "org",
        200,
        403,
        params=_asset,
        body=lambda c: {"location": f"Rack {next(_seq)}"},
    ),
    Route("DELETE", "/api/v1/orgs/{org}/assets/{asset_id}", "org", 204, 403, params=_asset),
    Route("GET", "/api/v1/orgs/{org}/risk-methods", "org", 200, 200),
    Route(
        "POST",
        "/api/v1/orgs/{org}/risk-methods",
        "org",
        201,
        403,
        body=lambda c: {"notes": f"Revision {next(_seq)}", "acceptance_threshold": 8},
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/risk-methods/{method_id}",
        "org",
        200,
        200,
        params=lambda c: {"method_id": _current_method(c).pk},
    ),
    Route("POST", "/api/v1/orgs/{org}/risk-methods/rescore", "org", 200, 403),
    *[
        route
        for kind in ("threats", "vulnerabilities")
        for route in (
            Route("GET", f"/api/v1/orgs/{{org}}/{kind}", "org", 200, 200, query="q=a"),
            Route(
                "POST",
                f"/api/v1/orgs/{{org}}/{kind}",
                "org",
                201,
                403,
                body=lambda c: {
                    "name": f"Custom {next(_seq)}",
                    "group": "Custom",
                    "suggested_controls": ["A.8.7"],
                },
            ),
            Route(
                "GET",
                f"/api/v1/orgs/{{org}}/{kind}/{{item_id}}",
                "org",
                200,
                200,
                params=lambda c, k=kind: {"item_id": c.library_item(k).pk},
            ),
            Route(
                "PATCH",
                f"/api/v1/orgs/{{org}}/{kind}/{{item_id}}",
                "org",
                200,
                403,
                params=lambda c, k=kind: {"item_id": c.library_item(k).pk},
                body=lambda c: {"description": f"Edited {next(_seq)}"},
            ),
            Route(
                "DELETE",
                f"/api/v1/orgs/{{org}}/{kind}/{{item_id}}",
                "org",
                204,
                403,
                params=lambda c, k=kind: {"item_id": c.library_item(k).pk},
            ),
        )
    ],
    Route(
        "GET", "/api/v1/orgs/{org}/risks", "org", 200, 200, query="sort=residual&acceptance=needed"
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/risks",
        "org",
        201,
        403,
        body=lambda c: {
            "title": f"New risk {next(_seq)}",
            "description": "x",
            "inherent_likelihood": 3,
            "inherent_impact": 3,
            "planned_controls": ["A.8.8"],
            "quant": {
                "frequency": {"low": 0.1, "mode": 0.5, "high": 2},
                "magnitude": {"low": 1000, "mode": 5000, "high": 90000},
            },
        },
    ),
    Route("GET", "/api/v1/orgs/{org}/risks/heatmap", "org", 200, 200, query="which=residual"),
    Route(
        "GET",
        "/api/v1/orgs/{org}/risks/simulation",
        "org",
        200,
        200,
        params=_quantified,
        owned_params=False,
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/risks/{risk_id}",
        "org",
        200,
        200,
        params=lambda c: {"risk_id": c.risk().pk},
    ),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/risks/{risk_id}",
        "org",
        200,
        403,
        params=lambda c: {"risk_id": c.risk().pk},
        body=lambda c: {"inherent_impact": 5},
    ),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/risks/{risk_id}",
        "org",
        204,
        403,
        params=lambda c: {"risk_id": c.risk().pk},
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/risks/{risk_id}/acceptances",
        "org",
        201,
        403,
        params=lambda c: {"risk_id": c.risk(above_threshold=True).pk},
        body=lambda c: {"rationale": "Accepted for now", "expires_on": "2027-06-30"},
    ),
    Route(
        "DELETE",
        "/api/v1/orgs/{org}/risk-acceptances/{acceptance_id}",
        "org",
        200,
        403,
        params=lambda c: {"acceptance_id": c.acceptance().pk},
    ),
    Route("GET", "/api/v1/orgs/{org}/treatment-actions", "org", 200, 200, query="status=planned"),
    Route(
        "POST",
        "/api/v1/orgs/{org}/risks/{risk_id}/actions",
        "org",
        201,
        403,
        params=lambda c: {"risk_id": c.risk().pk},
        body=lambda c: {"title": "Do it", "owner": c.world.users_a["viewer"].email},
    ),
    Route(
        "PATCH",
        "/api/v1/orgs/{org}/treatment-actions/{action_id}",
        "org",
        200,
        403,
        params=lambda c: {"action_id": c.action().pk},
        body=lambda c: {"status": "done"},
    ),
    Route("GET", "/api/v1/orgs/{org}/risk-assessments", "org", 200, 200),
    Route(
        "POST",
        "/api/v1/orgs/{org}/risk-assessments",
        "org",
        201,
        403,
        body=lambda c: {"name": f"Assessment {next(_seq)}", "performed_on": "2026-11-01"},
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/risk-assessments/compare",
        "org",
        200,
        200,
        params=lambda c: {"first": c.assessment().pk, "second": c.assessment().pk},
    ),
    Route(
        "GET",
        "/api/v1/orgs/{org}/risk-assessments/{assessment_id}",
        "org",
        200,
        200,
        params=lambda c: {"assessment_id": c.assessment().pk},
    ),
    Route(
        "POST",
        "/api/v1/orgs/{org}/risk-assessments/{assessment_id}/complete",
        "org",
        200,
        403,
        params=lambda c: {"assessment_id": c.assessment(complete=False).pk},
    ),
    Route("GET", "/api/v1/frameworks", "global", 200),
    Route(
        "GET",
        "/api/v1/frameworks/{slug}",
        "global",
        200,
        params=lambda c: {"slug": "iso27001-2022"},
    ),
    Route(
        "GET",
        "/api/v1/frameworks/{slug}/requirements",
        "global",
        200,
        params=lambda c: {"slug": "iso27001-2022"},
        query="kind=control&control_type=Detective",
    ),
    Route(
        "GET",
        "/api/v1/frameworks/{slug}/requirements/{ref}",
        "global",
        200,
        params=lambda c: {"slug": "iso27001-2022", "ref": "A.8.8"},
    ),
    Route("GET", "/api/v1/catalog/transition", "global", 200, query="ref=A.12.6.1"),
    Route("GET", "/api/v1/mapping-sets", "global", 200),
    Route(
        "GET",
        "/api/v1/mapping-sets/{slug}",
        "global",
        200,
        params=lambda c: {"slug": "nist-csf-2.0-to-iso27001-2022"},
        query="limit=100&offset=20",
    ),
    Route(
        "GET",
        "/api/v1/mappings",
        "global",
        200,
        query="source=nist-csf-2.0&target=iso27001-2022&limit=200",
    ),
]

UI: list[Route] = [
    Route("GET", "web:home", "user", 302),
    Route("GET", "web:healthz", "public", 200),
    Route("GET", "web:org_create", "user", 200),
    Route(
        "POST",
        "web:org_create",
        "user",
        302,
        body=lambda c: {**_fresh_org(c), "size": "1-49", "sector": "other"},
    ),
    Route("GET", "web:invitation_accept", "public", 404, params=lambda c: {"token": "nope"}),
    Route("GET", "web:dashboard", "org", 200, 200),
    Route("GET", "web:org_settings", "org", 200, 200),
    Route(
        "POST",
        "web:org_settings",
        "org",
        302,
        403,
        body=lambda c: {
            "name": "Org A",
            "slug": "org-a",
            "scope": f"Revision {next(_seq)}",
            "size": "1-49",
            "sector": "other",
        },
    ),
    Route(
        "POST",
        "web:org_sso",
        "org",
        302,
        403,
        body=lambda c: {"domains": f"d{next(_seq)}.example", "role": "viewer"},
    ),
    Route("GET", "web:members", "org", 200, 200),
    Route(
        "POST",
        "web:member_update",
        "org",
        302,
        403,
        params=_member,
        body=lambda c: {"role": "manager"},
    ),
    Route("POST", "web:member_remove", "org", 302, 403, params=_member),
    Route("POST", "web:invitation_create", "org", 302, 403, body=_invite_body),
    Route("POST", "web:invitation_revoke", "org", 302, 403, params=_invitation),
    Route("GET", "web:activity", "org", 200, 403),
    Route("GET", "catalog:index", "org", 302, 302),
    Route("GET", "catalog:transition", "org", 200, 200, query="ref=A.12.6.1"),
    Route("GET", "catalog:mapping_sets", "org", 200, 200),
    Route(
        "GET",
        "catalog:framework",
        "org",
        200,
        200,
        params=lambda c: {"framework": "iso27001-2022"},
        query="q=backup&control_type=Corrective",
        owned_params=False,
    ),
    Route(
        "GET",
        "catalog:requirement",
        "org",
        200,
        200,
        params=lambda c: {"framework": "iso27001-2022", "ref": "A.8.13"},
        owned_params=False,
    ),
    Route("GET", "assets:list", "org", 200, 200, query="q=asset&type=software&sort=updated"),
    Route("GET", "assets:create", "org", 200, 403),
    Route("POST", "assets:create", "org", 302, 403, body=_asset_form),
    Route("GET", "assets:export", "org", 200, 200, query="format=csv"),
    Route("POST", "assets:import", "org", 302, 403, body=_import_file),
    Route("GET", "assets:detail", "org", 200, 200, params=_asset),
    Route("GET", "assets:edit", "org", 200, 403, params=_asset),
    Route("POST", "assets:edit", "org", 302, 403, params=_asset, body=_asset_form),
    Route("POST", "assets:delete", "org", 302, 403, params=_asset),
    Route("GET", "accounts:login", "public", 302),  # a logged-in user is sent home
    Route("POST", "accounts:logout", "public", 302),
    Route("GET", "accounts:tokens", "user", 200),
    Route("POST", "accounts:tokens", "user", 200, body=lambda c: {"name": "cli", "scope": "read"}),
    # Single sign-on is off unless configured (tests/test_sso.py turns it on).
    Route("GET", "sso:start", "public", 404),
    Route("GET", "sso:callback", "public", 404),
    Route("POST", "accounts:token_revoke", "user", 302, params=_token),
]


@dataclass
class Call:
    route: Route
    url: str
    body: dict[str, Any] | None = field(default=None)


def api_url(route: Route, org: str, params: dict[str, Any]) -> str:
    """Fill the path; params that are not path parameters become the query string."""
    from urllib.parse import urlencode

    url = route.path.replace("{org}", org)
    extra = {}
    for key, value in params.items():
        if "{" + key + "}" in url:
            url = url.replace("{" + key + "}", str(value))
        else:
            extra[key] = value
    query = "&".join(q for q in (route.query, urlencode(extra)) if q)
    return url + (f"?{query}" if query else "")


def ui_url(route: Route, org: str, params: dict[str, Any]) -> str:
    from django.urls import reverse

    kwargs = dict(params)
    if route.scope == "org":
        kwargs["org"] = org
    return reverse(route.path, kwargs=kwargs) + (f"?{route.query}" if route.query else "")


def send(
    client: Any,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    *,
    api: bool,
    multipart: bool = False,
) -> Any:
    if api and not multipart:
        import json

        data = json.dumps(body) if body is not None else None
        return client.generic(method, url, data=data or "", content_type="application/json")
    if method == "GET":
        return client.get(url)
    return client.post(url, data=body or {})


def _extend_ui() -> None:
    """UI routes of the risk module are registered in their own file."""
    from tests.routes_risks_ui import RISK_UI

    UI.extend(RISK_UI)


_extend_ui()


def _extend_soa() -> None:
    """Routes of the Statement of Applicability are registered in their own file."""
    from tests.routes_soa import SOA_API, SOA_UI

    API.extend(SOA_API)
    UI.extend(SOA_UI)


_extend_soa()


def _extend_evidence_and_work() -> None:
    """Routes of the evidence library and of tasks / My work are registered in their own files."""
    from tests.routes_evidence import EVIDENCE_API, EVIDENCE_UI
    from tests.routes_work import WORK_API, WORK_UI

    API.extend(EVIDENCE_API)
    UI.extend(EVIDENCE_UI)
    API.extend(WORK_API)
    UI.extend(WORK_UI)


_extend_evidence_and_work()


def _extend_controls() -> None:
    """Routes of the control register, tracked frameworks and coverage have their own file."""
    from tests.routes_controls import CONTROLS_API, CONTROLS_UI

    API.extend(CONTROLS_API)
    UI.extend(CONTROLS_UI)


_extend_controls()


def _extend_oscal() -> None:
    """OSCAL imports and exports, and parameter values, have their own file."""
    from tests.routes_oscal import OSCAL_API, OSCAL_UI

    API.extend(OSCAL_API)
    UI.extend(OSCAL_UI)


_extend_oscal()


def _extend_nonconformities() -> None:
    """Nonconformities and corrective actions have their own file."""
    from tests.routes_nonconformities import NONCONFORMITIES_API, NONCONFORMITIES_UI

    API.extend(NONCONFORMITIES_API)
    UI.extend(NONCONFORMITIES_UI)


_extend_nonconformities()


def _extend_reviews() -> None:
    """Management reviews have their own file."""
    from tests.routes_reviews import REVIEWS_API, REVIEWS_UI

    API.extend(REVIEWS_API)
    UI.extend(REVIEWS_UI)


_extend_reviews()


def _extend_audits() -> None:
    """Internal audit: programmes, audits, checklists, findings and reports."""
    from tests.routes_audits import AUDITS_API, AUDITS_UI

    API.extend(AUDITS_API)
    UI.extend(AUDITS_UI)


_extend_audits()


def _extend_documents() -> None:
    """Documents and policies have their own file."""
    from tests.routes_documents import DOCUMENTS_API, DOCUMENTS_UI

    API.extend(DOCUMENTS_API)
    UI.extend(DOCUMENTS_UI)


_extend_documents()


def _extend_context() -> None:
    """The ISMS context (issues, interested parties, versions) has its own file."""
    from tests.routes_context import CONTEXT_API, CONTEXT_UI

    API.extend(CONTEXT_API)
    UI.extend(CONTEXT_UI)


_extend_context()


def _extend_objectives() -> None:
    """Objectives and their measurements have their own file."""
    from tests.routes_objectives import OBJECTIVES_API, OBJECTIVES_UI

    API.extend(OBJECTIVES_API)
    UI.extend(OBJECTIVES_UI)


_extend_objectives()


def _extend_riskacc() -> None:
    """Risk acceptance requests (the shared approval workflow) have their own file."""
    from tests.routes_riskacc import RISKACC_API, RISKACC_UI

    API.extend(RISKACC_API)
    UI.extend(RISKACC_UI)


_extend_riskacc()


def _extend_security() -> None:
    """Login security (code step, password reset, sessions, multi-factor) has its own file."""
    from tests.routes_security import SECURITY_UI

    UI.extend(SECURITY_UI)


_extend_security()

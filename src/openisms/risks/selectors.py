"""Reads for risks. Every function takes the actor and owns its joins and prefetching."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from openisms.orgs.access import Actor, get_scoped_or_404, scoped
from openisms.risks import scoring
from openisms.risks.models import (
    Risk,
    RiskAcceptance,
    RiskAcceptanceRequest,
    RiskAssessment,
    RiskAssessmentEntry,
    RiskMethod,
    Threat,
    TreatmentAction,
    Vulnerability,
)

SORTS = {
    "ref": ("ref",),
    "inherent": ("-inherent_score", "ref"),
    "residual": (F("residual_score").desc(nulls_last=True), "ref"),
    "review": (F("review_date").asc(nulls_last=True), "ref"),
    "title": ("title",),
}


def method_current(*, actor: Actor) -> RiskMethod | None:
    return scoped(actor, RiskMethod).filter(is_current=True).first()


def method_in_use(*, actor: Actor) -> RiskMethod:
    """The current method, for pages and reports that show scales, bands and the threshold.

    Every organisation gets its method when it starts (and a migration gave one to those that
    existed before), so this is one read. Should an organisation still have none, the pages
    show the default it would get, unsaved: a read never creates it; the first write that
    needs a method does (``services.risk_module_setup``).
    """
    current = method_current(actor=actor)
    if current is not None:
        return current
    return RiskMethod(org=actor.org, version=1, is_current=True, **scoring.default_method())


def method_list(*, actor: Actor) -> QuerySet[RiskMethod]:
    return scoped(actor, RiskMethod).annotate(risk_count=Count("risks")).order_by("-version")


def method_get(*, actor: Actor, method_id: int) -> RiskMethod:
    return get_scoped_or_404(method_list(actor=actor), pk=method_id)


def library_list(
    *, actor: Actor, model: type[Threat] | type[Vulnerability], q: str = "", group: str = ""
) -> QuerySet[Any]:
    qs = scoped(actor, model).prefetch_related("suggested_controls")
    if q.strip():
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if group:
        qs = qs.filter(group=group)
    return qs.order_by("group", "name")


def library_get(*, actor: Actor, model: type[Threat] | type[Vulnerability], item_id: int) -> Any:
    return get_scoped_or_404(library_list(actor=actor, model=model), pk=item_id)


def _valid_acceptance() -> Exists:
    return Exists(
        RiskAcceptance.objects.filter(
            risk=OuterRef("pk"),
            revoked_at__isnull=True,
            expires_on__gte=timezone.localdate(),
            residual_score__gte=OuterRef("current_score"),
        )
    )


def risk_list(
    *,
    actor: Actor,
    q: str = "",
    level: str | None = None,
    residual_level: str | None = None,
    treatment: str | None = None,
    owner: str | None = None,
    asset: int | None = None,
    control: str | None = None,
    acceptance: str | None = None,
    sort: str = "ref",
) -> QuerySet[Risk]:
    """The register. ``acceptance``: 'needed' (above threshold, not accepted) or 'accepted'."""
    qs = scoped(actor, Risk).select_related("method", "owner", "threat", "vulnerability")
    if q.strip():
        qs = qs.filter(
            Q(title__icontains=q) | Q(ref__iexact=q.strip()) | Q(description__icontains=q)
        )
    if level:
        qs = qs.filter(inherent_level=level)
    if residual_level:
        qs = qs.filter(residual_level=residual_level)
    if treatment:
        qs = qs.filter(treatment=treatment)
    if owner:
        qs = qs.filter(owner__email=owner.strip().lower())
    if asset:
        qs = qs.filter(assets=asset)
    if control:
        qs = qs.filter(
            planned_controls__ref=control if control.startswith("A.") else f"A.{control}"
        )
    qs = qs.annotate(
        current_score=Coalesce("residual_score", "inherent_score"),
        asset_count=Count("assets", distinct=True),
    ).annotate(accepted=_valid_acceptance())
    above = Q(current_score__gt=F("method__acceptance_threshold"))
    if acceptance == "needed":
        qs = qs.filter(above, accepted=False)
    elif acceptance == "accepted":
        qs = qs.filter(accepted=True)
    return qs.annotate(
        above_threshold=ExpressionWrapper(above, output_field=BooleanField())
    ).order_by(*SORTS.get(sort, SORTS["ref"]))


def risk_get(*, actor: Actor, risk_id: int) -> Risk:
    qs = (
        scoped(actor, Risk)
        .select_related("method", "owner", "threat", "vulnerability")
        .prefetch_related(
            "assets",
            "planned_controls",
            "controls",
            Prefetch("acceptances", queryset=RiskAcceptance.objects.select_related("accepted_by")),
            Prefetch("actions", queryset=TreatmentAction.objects.select_related("owner")),
        )
    )
    return get_scoped_or_404(qs, pk=risk_id)


def acceptance_get(*, actor: Actor, acceptance_id: int) -> RiskAcceptance:
    qs = scoped(actor, RiskAcceptance).select_related("risk__method")
    return get_scoped_or_404(qs, pk=acceptance_id)


def acceptance_requests(*, actor: Actor, risk: Risk) -> QuerySet[RiskAcceptanceRequest]:
    """The risk's acceptance requests, newest first, with who submitted and decided them."""
    return (
        scoped(actor, RiskAcceptanceRequest)
        .filter(risk=risk)
        .select_related("submitted_by", "approved_by", "rejected_by")
        .order_by("-number")
    )


def acceptance_request_get(*, actor: Actor, request_id: int) -> RiskAcceptanceRequest:
    qs = scoped(actor, RiskAcceptanceRequest).select_related(
        "risk__method", "submitted_by", "approved_by", "rejected_by"
    )
    return get_scoped_or_404(qs, pk=request_id)


def action_list(
    *, actor: Actor, status: str | None = None, owner: str | None = None, overdue: bool = False
) -> QuerySet[TreatmentAction]:
    qs = scoped(actor, TreatmentAction).select_related("risk", "owner")
    if status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner__email=owner.strip().lower())
    if overdue:
        qs = qs.filter(
            due_date__lt=timezone.localdate(),
            status__in=[TreatmentAction.Status.PLANNED, TreatmentAction.Status.IN_PROGRESS],
        )
    return qs.order_by(F("due_date").asc(nulls_last=True), "id")


def action_get(*, actor: Actor, action_id: int) -> TreatmentAction:
    return get_scoped_or_404(action_list(actor=actor), pk=action_id)


@dataclass
class Heatmap:
    method: RiskMethod
    which: str
    cells: dict[tuple[int, int], int]
    other_versions: int

    def rows(self) -> list[tuple[dict[str, Any], list[tuple[int, int, str]]]]:
        """Likelihood rows from highest to lowest, each with (impact, count, band colour)."""
        out = []
        for level in reversed(self.method.likelihood_scale):
            cells = []
            for impact in self.method.impact_scale:
                value = scoring.score(self.method, level["value"], impact["value"])
                colour = scoring.band(self.method, value)["colour"]
                cells.append(
                    (impact["value"], self.cells.get((level["value"], impact["value"]), 0), colour)
                )
            out.append((level, cells))
        return out

    @property
    def total(self) -> int:
        return sum(self.cells.values())


def heatmap(*, actor: Actor, method: RiskMethod, which: str = "inherent") -> Heatmap:
    """Counts per (likelihood, impact) cell for risks scored with the given method version."""
    prefix = "inherent" if which == "inherent" else "residual"
    rows = (
        scoped(actor, Risk)
        .filter(method_id=method.pk, **{f"{prefix}_likelihood__isnull": False})
        .values(f"{prefix}_likelihood", f"{prefix}_impact")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells = {(r[f"{prefix}_likelihood"], r[f"{prefix}_impact"]): r["n"] for r in rows}
    others = scoped(actor, Risk).exclude(method_id=method.pk).count()  # pk None: unsaved default
    return Heatmap(method, which, cells, others)


def level_counts(*, actor: Actor) -> dict[str, dict[str, int]]:
    inherent = scoped(actor, Risk).values("inherent_level").annotate(n=Count("id")).order_by()
    residual = scoped(actor, Risk).values("residual_level").annotate(n=Count("id")).order_by()
    return {
        "inherent": {r["inherent_level"]: r["n"] for r in inherent},
        "residual": {r["residual_level"] or "Not assessed": r["n"] for r in residual},
    }


def assessment_list(*, actor: Actor) -> QuerySet[RiskAssessment]:
    return (
        scoped(actor, RiskAssessment)
        .annotate(entry_count=Count("entries"))
        .order_by("-performed_on", "-id")
    )


def assessment_get(*, actor: Actor, assessment_id: int) -> RiskAssessment:
    return get_scoped_or_404(assessment_list(actor=actor), pk=assessment_id)


def assessment_entries(
    *, actor: Actor, assessment: RiskAssessment
) -> QuerySet[RiskAssessmentEntry]:
    return RiskAssessmentEntry.objects.filter(
        assessment=assessment, assessment__org=actor.org
    ).order_by("ref")


def _current(entry: RiskAssessmentEntry) -> int:
    return entry.residual_score if entry.residual_score is not None else entry.inherent_score


@dataclass
class Comparison:
    ref: str
    title: str
    before: RiskAssessmentEntry | None
    after: RiskAssessmentEntry | None

    @property
    def change(self) -> str:
        if self.before is None:
            return "new"
        if self.after is None:
            return "removed"
        a = _current(self.after)
        b = _current(self.before)
        return "higher" if a > b else "lower" if a < b else "same"


def assessment_compare(
    *, actor: Actor, first: RiskAssessment, second: RiskAssessment
) -> list[Comparison]:
    entries = RiskAssessmentEntry.objects.filter(
        assessment__in=[first.pk, second.pk], assessment__org=actor.org
    )
    by_ref: dict[str, dict[int, RiskAssessmentEntry]] = {}
    for entry in entries:
        by_ref.setdefault(entry.ref, {})[entry.assessment_id] = entry
    out = []
    for ref in sorted(by_ref):
        pair = by_ref[ref]
        sample = pair.get(second.pk) or pair[first.pk]
        out.append(Comparison(ref, sample.title, pair.get(first.pk), pair.get(second.pk)))
    return out


def risk_export_rows(*, actor: Actor) -> QuerySet[Risk]:
    """Every risk with what an export needs, in a fixed number of queries."""
    return risk_list(actor=actor).prefetch_related("assets", "planned_controls", "controls")


def quantified_risks(*, actor: Actor) -> QuerySet[Risk]:
    return scoped(actor, Risk).filter(quant__isnull=False).order_by("ref")


def assets_of_controls(*, actor: Actor) -> dict[int, list[int]]:
    """Control id -> ids of the assets of the risks that control treats (a control of the
    register is tied to an asset through a risk to it): one query."""
    rows = (
        scoped(actor, Risk)
        .filter(controls__isnull=False, assets__isnull=False)
        .order_by("controls", "assets")
        .values_list("controls", "assets")
        .distinct()
    )
    out: dict[int, list[int]] = {}
    for control_id, asset_id in rows:
        out.setdefault(control_id, []).append(asset_id)
    return out

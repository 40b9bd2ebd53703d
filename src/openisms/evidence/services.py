"""Writes for the evidence library. Each is atomic and records its audit events.

Uploads are checked completely (size, type, content, hash, duplicates) before anything is
written. The stored file is written inside the transaction and removed again if anything after
it fails, so a failed upload leaves neither a row nor a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openisms.catalog.models import Requirement
from openisms.controls.models import Control
from openisms.core import audit
from openisms.evidence import selectors
from openisms.evidence.fields import (
    DATE_FIELDS,
    EVIDENCE_RULE,
    ITEM_FIELDS,
    EvidenceChanges,
    EvidenceDates,
)
from openisms.evidence.models import EvidenceItem, EvidenceKind, EvidenceLink, EvidenceVersion
from openisms.evidence.uploads import CheckedUpload, check_upload
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update
from openisms.risks.models import Risk


class DuplicateEvidence(ValidationError):
    """The uploaded bytes are already stored in the organisation (``existing`` holds them)."""

    def __init__(self, existing: EvidenceVersion) -> None:
        item = existing.item
        self.existing = existing
        super().__init__(
            {
                "file": f"These exact bytes are already stored as {item.ref} "
                f"\u201c{item.title}\u201d (version {existing.number}, "
                f"{existing.original_name}). Link {item.ref} to the controls, clauses or risks "
                "instead of uploading a copy."
            }
        )


def can_edit_item(actor: Actor, item: EvidenceItem) -> bool:
    """Editors change everything; an item's owner may upload versions and change its dates."""
    return actor.may_edit(EVIDENCE_RULE, item)


def item_snapshot(item: EvidenceItem) -> dict[str, Any]:
    data = audit.snapshot(item)
    data["ref"] = item.ref
    return data


def version_snapshot(version: EvidenceVersion) -> dict[str, Any]:
    data = audit.snapshot(
        version, fields=[f.name for f in version._meta.concrete_fields if f.name != "file"]
    )
    data["file"] = version.file.name
    return data


def _next_number(actor: Actor) -> int:
    return int(scoped(actor, EvidenceItem).aggregate(n=Max("number"))["n"] or 0) + 1


def _apply(actor: Actor, item: EvidenceItem, changes: Mapping[str, Any]) -> None:
    """Set fields from ``changes``; ``validity_days`` sets ``valid_until`` from collection."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    days = changes.get("validity_days")
    if days not in (None, "") and changes.get("valid_until") not in (None, ""):
        raise ValidationError(
            {"validity_days": "Give either a validity period or a 'valid until' date, not both."}
        )
    for name, value in changes.items():
        if name == "validity_days":
            continue
        if name == "owner":
            item.owner = resolve_member(value, "owner", actor=actor)
        elif name in ("collected_on", "valid_until", "next_review_on"):
            setattr(item, name, value or None)
        else:
            setattr(item, name, (value or "").strip() if isinstance(value, str | None) else value)
    if item.collected_on is None:
        item.collected_on = timezone.localdate()
    if days not in (None, ""):
        try:
            n = int(days)
        except (TypeError, ValueError):
            raise ValidationError({"validity_days": "A whole number of days."}) from None
        if not 1 <= n <= 36500:
            raise ValidationError({"validity_days": "Between 1 and 36500 days."})
        item.valid_until = item.collected_on + dt.timedelta(days=n)


def _validate(item: EvidenceItem) -> None:
    errors: dict[str, str] = {}
    if not item.title.strip():
        errors["title"] = "Give the evidence a title."
    if item.kind == EvidenceKind.LINK and not item.url:
        errors["url"] = "A link item needs its URL (http or https)."
    if item.kind == EvidenceKind.FILE and item.url:
        errors["url"] = "A file item has no URL; create a link item for a link."
    if item.valid_until and item.collected_on and item.valid_until < item.collected_on:
        errors["valid_until"] = "The evidence cannot expire before it was collected."
    if errors:
        raise ValidationError(errors)
    # Constraints are checked above and by the database; skipping their SELECTs keeps writes
    # cheap (the number is computed, the URL and dates rules are the checks above).
    item.full_clean(
        exclude=["org", "owner", "current_version", "number"], validate_constraints=False
    )


def _store(
    actor: Actor, item: EvidenceItem, checked: CheckedUpload, note: str, stored: list[str]
) -> EvidenceVersion:
    """Write the file and its version row; ``stored`` collects the name for the cleanup."""
    number = (
        int(scoped(actor, EvidenceVersion).filter(item=item).aggregate(n=Max("number"))["n"] or 0)
        + 1
    )
    name = f"evidence/{actor.org.pk}/{item.pk}/{number}-{checked.sha256[:16]}"
    version = EvidenceVersion(
        org=actor.org,
        item=item,
        number=number,
        original_name=checked.original_name,
        sha256=checked.sha256,
        size=checked.size,
        content_type=checked.content_type,
        uploaded_by=actor.user,
        uploaded_at=timezone.now(),
        note=(note or "").strip()[:500],
    )
    version.full_clean(exclude=["org", "item", "file", "uploaded_by"], validate_constraints=False)
    version.file.name = default_storage.save(name, checked.file)
    stored.append(version.file.name)
    version.save()
    return version


def _checked(actor: Actor, upload: Any) -> CheckedUpload:
    checked = check_upload(upload)
    existing = selectors.duplicate_of(actor=actor, sha256=checked.sha256)
    if existing is not None:
        raise DuplicateEvidence(existing)
    return checked


def _with_file_cleanup[T](work: Callable[[list[str]], T]) -> T:
    """Run ``work`` in a transaction; if it fails, delete the files it stored.

    (A rollback of an outer transaction after we return is not seen here; requests do not
    wrap views in one.)
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            return work(stored)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _create(actor: Actor, kind: str, fields: Mapping[str, Any]) -> EvidenceItem:
    item = EvidenceItem(org=actor.org, kind=kind, number=_next_number(actor))
    _apply(actor, item, fields)
    _validate(item)
    item.save()
    return item


def evidence_create_link(
    *,
    actor: Actor,
    requirements: Iterable[str] = (),
    risks: Iterable[int] = (),
    controls: Iterable[str] = (),
    **fields: Unpack[EvidenceChanges],
) -> EvidenceItem:
    """A link item (a ticket, a dashboard, a wiki page), optionally linked at once."""
    actor.require(Perm.EDIT_ISMS)
    with transaction.atomic():
        item = _create(actor, EvidenceKind.LINK, fields)
        audit.record(
            actor=actor.user,
            org=actor.org,
            action="evidence_item.create",
            obj=item,
            after=item_snapshot(item),
        )
        _link(actor, item, requirements, risks, controls)
    return item


def evidence_create_file(
    *,
    actor: Actor,
    upload: Any,
    note: str = "",
    requirements: Iterable[str] = (),
    risks: Iterable[int] = (),
    controls: Iterable[str] = (),
    **fields: Unpack[EvidenceChanges],
) -> EvidenceItem:
    """A file item with its first version. The title defaults to the file's name."""
    actor.require(Perm.EDIT_ISMS)
    checked = _checked(actor, upload)
    if not (fields.get("title") or "").strip():
        fields["title"] = checked.original_name

    def work(stored: list[str]) -> EvidenceItem:
        item = _create(actor, EvidenceKind.FILE, fields)
        version = _store(actor, item, checked, note, stored)
        item.current_version = version
        item.save(update_fields=["current_version", "updated_at"])
        audit.record_many(
            actor=actor.user,
            org=actor.org,
            events=[
                ("evidence_item.create", item, None, item_snapshot(item)),
                ("evidence_version.create", version, None, version_snapshot(version)),
            ],
        )
        _link(actor, item, requirements, risks, controls)
        return item

    return _with_file_cleanup(work)


def evidence_version_upload(
    *,
    actor: Actor,
    item: EvidenceItem,
    upload: Any,
    note: str = "",
    **dates: Unpack[EvidenceDates],
) -> EvidenceVersion:
    """A new version of a file item; earlier versions stay downloadable.

    ``dates`` (collected_on, valid_until, validity_days, next_review_on) update the item in the
    same change, since a new version usually means freshly collected evidence.
    """
    actor.require_edit(
        EVIDENCE_RULE,
        EVIDENCE_RULE.assignee_of(item),
        message="You can upload versions only of the evidence you own.",
    )
    if item.kind != EvidenceKind.FILE:
        raise ValidationError({"file": f"{item.ref} is a link; it has no file versions."})
    unknown = set(dates) - set(DATE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a date of the item."))
    checked = _checked(actor, upload)

    def work(stored: list[str]) -> EvidenceVersion:
        locked = scoped(actor, EvidenceItem).select_for_update().get(pk=item.pk)
        before = item_snapshot(locked)
        if dates:
            _apply(actor, locked, dates)
            _validate(locked)
        version = _store(actor, locked, checked, note, stored)
        locked.current_version = version
        locked.save_as_next_version()
        audit.record_many(
            actor=actor.user,
            org=actor.org,
            events=[
                ("evidence_version.create", version, None, version_snapshot(version)),
                ("evidence_item.update", locked, before, item_snapshot(locked)),
            ],
        )
        item.current_version = version
        return version

    return _with_file_cleanup(work)


@transaction.atomic
def evidence_update(
    *,
    actor: Actor,
    item: EvidenceItem,
    version: int | None = None,
    **changes: Unpack[EvidenceChanges],
) -> EvidenceItem:
    """Change an item's description, owner, URL or dates (owners: only the dates)."""

    def apply() -> None:
        _apply(actor, item, changes)
        _validate(item)

    audited_update(
        actor=actor,
        obj=item,
        action="evidence_item.update",
        apply=apply,
        snapshot=item_snapshot,
        rule=EVIDENCE_RULE,
        version=version,
    )
    return item


# --- links ----------------------------------------------------------------------------------

_SPLIT = re.compile(r"[\s,;]+")


def parse_refs(text: str | Iterable[str]) -> list[str]:
    """'A.5.15, A.8.13 9.2' -> ['A.5.15', 'A.8.13', '9.2'] (order kept, duplicates dropped)."""
    parts = _SPLIT.split(text) if isinstance(text, str) else [str(t) for t in text]
    out: list[str] = []
    for part in parts:
        ref = selectors.normalise_ref(part)
        if ref and ref not in out:
            out.append(ref)
    return out


def resolve_requirements(refs: Iterable[str]) -> list[Requirement]:
    """Catalogue requirements (controls and clauses of ISO/IEC 27001:2022) by ref.

    A clause ref matches the clause; a bare number that is not a clause ("5.15") is taken as
    the Annex A control A.5.15. Unknown refs are one field error naming each of them.
    """
    wanted = parse_refs(refs)
    if not wanted:
        return []
    candidates = set(wanted) | {f"A.{r}" for r in wanted if not r.startswith("A.")}
    found = {
        r.ref: r
        for r in Requirement.objects.filter(
            framework__slug=selectors.FRAMEWORK, retired=False, ref__in=candidates
        ).filter(kind__in=("control", "clause"))
    }
    out, unknown = [], []
    for ref in wanted:
        match = found.get(ref) or found.get(f"A.{ref}")
        if match is None:
            unknown.append(ref)
        elif match not in out:
            out.append(match)
    if unknown:
        raise ValidationError(
            {
                "requirements": "Not a control or clause of ISO/IEC 27001:2022: "
                + ", ".join(unknown)
                + "."
            }
        )
    return out


def _risks(actor: Actor, ids: Iterable[int]) -> list[Risk]:
    wanted = []
    for value in ids:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"risks": f"Not a risk id: {value}."}) from None
    if not wanted:
        return []
    found = {r.pk: r for r in scoped(actor, Risk).filter(pk__in=wanted)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationError({"risks": f"No such risk: {', '.join(missing)}."})
    return [found[i] for i in dict.fromkeys(wanted)]


def _controls(actor: Actor, refs: Iterable[str] | str) -> list[Control]:
    """Controls of the register by ref ("AC-01, A.8.13"); unknown refs are one field error."""
    wanted = list(dict.fromkeys(_SPLIT.split(refs) if isinstance(refs, str) else map(str, refs)))
    wanted = [r.strip() for r in wanted if r.strip()]
    if not wanted:
        return []
    found = {c.ref: c for c in scoped(actor, Control).filter(ref__in=wanted)}
    missing = [r for r in wanted if r not in found]
    if missing:
        raise ValidationError({"controls": f"No such control: {', '.join(missing)}."})
    return [found[r] for r in wanted]


def _link_data(item: EvidenceItem, link: EvidenceLink) -> dict[str, Any]:
    return {
        "link": link.pk,
        "item": item.ref,
        "requirement": link.requirement.ref if link.requirement else None,
        "control": link.control.ref if link.control else None,
        "risk": link.risk.ref if link.risk else None,
    }


def _link(
    actor: Actor,
    item: EvidenceItem,
    requirements: Iterable[str],
    risks: Iterable[int],
    controls: Iterable[str] | str = (),
) -> list[EvidenceLink]:
    reqs = resolve_requirements(requirements)
    risk_rows = _risks(actor, risks)
    control_rows = _controls(actor, controls)
    if not reqs and not risk_rows and not control_rows:
        return []
    existing = list(
        scoped(actor, EvidenceLink)
        .filter(item=item)
        .values_list("requirement_id", "risk_id", "control_id")
    )
    have_reqs = {req for req, _, _ in existing if req is not None}
    have_risks = {risk for _, risk, _ in existing if risk is not None}
    have_controls = {control for _, _, control in existing if control is not None}
    new = (
        [
            EvidenceLink(org=actor.org, item=item, requirement=r, created_by=actor.user)
            for r in reqs
            if r.pk not in have_reqs
        ]
        + [
            EvidenceLink(org=actor.org, item=item, risk=r, created_by=actor.user)
            for r in risk_rows
            if r.pk not in have_risks
        ]
        + [
            EvidenceLink(org=actor.org, item=item, control=c, created_by=actor.user)
            for c in control_rows
            if c.pk not in have_controls
        ]
    )
    EvidenceLink.objects.bulk_create(new)  # ids are returned on SQLite and PostgreSQL
    audit.record_many(
        actor=actor.user,
        org=actor.org,
        events=[("evidence_link.create", item, None, _link_data(item, link)) for link in new],
    )
    return new


@transaction.atomic
def evidence_link(
    *,
    actor: Actor,
    item: EvidenceItem,
    requirements: Iterable[str] | str = (),
    risks: Iterable[int] = (),
    controls: Iterable[str] | str = (),
) -> list[EvidenceLink]:
    """Link the item to more Annex A controls, clauses, register controls and risks; existing
    links are kept as they are.

    Returns the links created (none when everything was linked already).
    """
    actor.require(Perm.EDIT_ISMS)
    risks, chosen = list(risks), _controls(actor, controls)
    if not parse_refs(requirements) and not risks and not chosen:
        raise ValidationError({"requirements": "Name at least one control, clause or risk."})
    return _link(actor, item, parse_refs(requirements), risks, [c.ref for c in chosen])


@transaction.atomic
def evidence_unlink(
    *,
    actor: Actor,
    item: EvidenceItem,
    requirements: Iterable[str] | str = (),
    risks: Iterable[int] = (),
    link_ids: Iterable[int] = (),
    controls: Iterable[str] | str = (),
) -> int:
    """Remove links by requirement ref, risk id, control ref or link id; returns how many were
    removed."""
    actor.require(Perm.EDIT_ISMS)
    refs = parse_refs(requirements)
    reqs = resolve_requirements(refs) if refs else []
    control_ids = {c.pk for c in _controls(actor, controls)}
    risk_ids = [int(r) for r in risks]
    ids = [int(i) for i in link_ids]
    links = list(
        scoped(actor, EvidenceLink)
        .filter(item=item)
        .select_related("requirement", "risk", "control")
        .order_by("pk")
    )
    doomed = [
        link
        for link in links
        if link.pk in ids
        or (link.requirement_id is not None and link.requirement_id in {r.pk for r in reqs})
        or (link.risk_id is not None and link.risk_id in risk_ids)
        or (link.control_id is not None and link.control_id in control_ids)
    ]
    events = [("evidence_link.delete", item, _link_data(item, link), None) for link in doomed]
    EvidenceLink.objects.filter(pk__in=[link.pk for link in doomed]).delete()
    audit.record_many(actor=actor.user, org=actor.org, events=events)
    return len(doomed)

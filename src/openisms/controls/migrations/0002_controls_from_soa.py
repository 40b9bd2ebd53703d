"""The control register starts from the SoA: one control per applicable Annex A row.

Every organisation tracks the SoA's framework and has all of its rows (before this release a
visit to the SoA created missing rows; now an organisation gets them at creation, so organisations
that never opened the SoA get theirs here, without audit events, as the system's upgrade step).
Each applicable row of kind "control" then gets a control with the row's reference, the
control's title as its name, and the row's owner, status, target date and implementation,
linked to the requirement. Evidence and tasks stay linked to the requirement, which the control
meets, so the control shows the same evidence and tasks as the row did.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations
from django.db.models import Q

CLAUSE_REF_RE = r"^[0-9]+(\.[0-9]+)*$"


def forward(apps: Any, schema_editor: Any) -> None:
    Framework = apps.get_model("catalog", "Framework")
    Requirement = apps.get_model("catalog", "Requirement")
    Organization = apps.get_model("orgs", "Organization")
    SoaEntry = apps.get_model("soa", "SoaEntry")
    TrackedFramework = apps.get_model("soa", "TrackedFramework")
    Control = apps.get_model("controls", "Control")
    ControlRequirement = apps.get_model("controls", "ControlRequirement")
    slug = getattr(settings, "OPENISMS_SOA_FRAMEWORK", "iso27001-2022")
    framework = Framework.objects.filter(slug=slug).first()
    if framework is None:  # a fresh database: the catalogue loads after the migrations
        return
    requirements = list(
        Requirement.objects.filter(framework=framework, retired=False).filter(
            Q(kind="control") | Q(kind="clause", ref__regex=CLAUSE_REF_RE)
        )
    )
    for org in Organization.objects.all():
        TrackedFramework.objects.get_or_create(org=org, framework=framework)
        have = set(SoaEntry.objects.filter(org=org).values_list("requirement_id", flat=True))
        SoaEntry.objects.bulk_create(
            [SoaEntry(org=org, requirement=r) for r in requirements if r.pk not in have],
            batch_size=500,
        )
        entries = (
            SoaEntry.objects.filter(
                org=org,
                applicable=True,
                requirement__framework=framework,
                requirement__kind="control",
            )
            .select_related("requirement")
            .order_by("requirement__position")
        )
        taken = set(Control.objects.filter(org=org).values_list("ref", flat=True))
        for entry in entries:
            requirement = entry.requirement
            if ControlRequirement.objects.filter(org=org, requirement=requirement).exists():
                continue
            ref, n = requirement.ref, 1
            while ref in taken:
                n += 1
                ref = f"{requirement.ref}-{n}"
            taken.add(ref)
            control = Control.objects.create(
                org=org,
                ref=ref,
                name=requirement.title[:250],
                owner_id=entry.owner_id,
                status=entry.status,
                target_date=entry.target_date,
                implementation=entry.implementation,
            )
            ControlRequirement.objects.create(org=org, control=control, requirement=requirement)


class Migration(migrations.Migration):
    dependencies = [
        ("controls", "0001_initial"),
        ("soa", "0002_tracked_framework_override"),
        ("catalog", "0002_search_index"),
        ("orgs", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

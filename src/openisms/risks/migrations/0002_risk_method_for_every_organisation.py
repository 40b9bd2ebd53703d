"""Give every organisation without a current risk method the default one and the starter library.

New organisations get both when they are created (``orgs/starters.py``); before, the first
visit to a risk page created them, which pages no longer do. This does for the organisations
that exist what ``risks.services.risk_module_setup`` does for a new one, with the models as
they are at this migration, and records the same system events on each organisation's audit
chain. Organisations that already have a method are left as they are. Reversing keeps the rows:
the audit trail only grows.
"""

import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

from openisms.core.audit import canonical_hash, snapshot
from openisms.core.context import new_request_id
from openisms.risks.scoring import default_method

LIBRARY = Path(__file__).resolve().parent.parent / "data" / "library.json"
CONTROL_FRAMEWORK = "iso27001-2022"
STAMPS = ("created_at", "updated_at")  # OrgScopedModel.audit_exclude


class Chain:
    """Appends system events to one organisation's chain, hashed as ``core.audit`` does."""

    def __init__(self, apps, org_id, request_id):
        AuditChain = apps.get_model("core", "AuditChain")
        self.Event = apps.get_model("core", "AuditEvent")
        key = f"org:{org_id}"
        AuditChain.objects.get_or_create(key=key)
        self.head = AuditChain.objects.select_for_update().get(key=key)
        self.org_id = org_id
        self.request_id = request_id
        self.now = timezone.now()
        self.events = []

    def add(self, action, obj, label, after):
        content = {
            "chain": self.head.key,
            "seq": self.head.last_seq + 1,
            "org": self.org_id,
            "actor": None,
            "actor_label": "system",
            "action": action,
            "object_type": obj._meta.label_lower,
            "object_id": str(obj.pk),
            "object_repr": label[:300],
            "before": None,
            "after": after,
            "request_id": self.request_id,
            "created_at": self.now.isoformat(),
            "prev_hash": self.head.last_hash,
        }
        digest = canonical_hash(content)
        self.events.append(
            self.Event(
                chain=content["chain"],
                seq=content["seq"],
                org_id=self.org_id,
                actor_id=None,
                actor_label="system",
                action=action,
                object_type=content["object_type"],
                object_id=content["object_id"],
                object_repr=content["object_repr"],
                before=None,
                after=after,
                request_id=self.request_id,
                created_at=self.now,
                prev_hash=self.head.last_hash,
                hash=digest,
            )
        )
        self.head.last_seq, self.head.last_hash = content["seq"], digest

    def save(self):
        self.Event.objects.bulk_create(self.events, batch_size=500)
        self.head.save(update_fields=["last_seq", "last_hash"])


def _library(apps, org_id, chain, data, controls):
    groups = {
        "threats": {g["key"]: g["name"] for g in data["threat_groups"]},
        "vulnerabilities": {g["key"]: g["name"] for g in data["vulnerability_groups"]},
    }
    for section, name in (("threats", "Threat"), ("vulnerabilities", "Vulnerability")):
        model = apps.get_model("risks", name)
        have = set(model.objects.filter(org_id=org_id).values_list("key", flat=True))
        new = [item for item in data[section] if item["key"] not in have]
        objs = []
        for item in new:
            obj = model(
                org_id=org_id,
                key=item["key"],
                group=groups[section][item["group"]],
                name=item["name"],
                description=item["description"],
                asset_types=item.get("asset_types", []),
                from_library=data["version"],
            )
            if name == "Threat":
                obj.affects = item.get("affects", [])
            objs.append(obj)
        model.objects.bulk_create(objs)
        saved = {
            o.key: o for o in model.objects.filter(org_id=org_id, key__in=[i["key"] for i in new])
        }
        through = model._meta.get_field("suggested_controls").remote_field.through
        fk = f"{name.lower()}_id"
        through.objects.bulk_create(
            [
                through(**{fk: saved[item["key"]].pk, "requirement_id": controls[ref]})
                for item in new
                for ref in item.get("suggested_controls", [])
                if ref in controls
            ]
        )
        for item in new:
            obj = saved[item["key"]]
            chain.add(
                f"{name.lower()}.create",
                obj,
                obj.name,
                {"key": item["key"], "name": item["name"]},
            )


def forwards(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    RiskMethod = apps.get_model("risks", "RiskMethod")
    Requirement = apps.get_model("catalog", "Requirement")
    with_method = RiskMethod.objects.filter(is_current=True).values("org_id")
    orgs = list(Organization.objects.exclude(pk__in=with_method).order_by("pk"))
    if not orgs:
        return
    data = json.loads(LIBRARY.read_text())
    controls = dict(
        Requirement.objects.filter(framework__slug=CONTROL_FRAMEWORK, kind="control").values_list(
            "ref", "pk"
        )
    )
    request_id = new_request_id("migrate-")
    for org in orgs:
        chain = Chain(apps, org.pk, request_id)
        versions = RiskMethod.objects.filter(org_id=org.pk).values_list("version", flat=True)
        method = RiskMethod.objects.create(
            org_id=org.pk,
            version=max(versions, default=0) + 1,
            is_current=True,
            **default_method(),
        )
        after = {k: v for k, v in snapshot(method).items() if k not in STAMPS}
        chain.add("risk_method.create", method, f"{method.name} v{method.version}", after)
        _library(apps, org.pk, chain, data, controls)
        chain.save()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("catalog", "0002_search_index"),
        ("orgs", "0001_initial"),
        ("risks", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

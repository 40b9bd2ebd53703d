"""Existing mappings become pairs of mapping sets, one set per pair of frameworks.

Before this migration only the catalogue loader wrote mappings: the successor pairs of an
edition transition (ISO/IEC 27001:2013 to 2022). They become the structural set
``<old>-to-<new>`` that the loader itself builds from the framework file, with an empty
content hash so that the next ``load-catalogs`` rewrites it from the file. Anything else (not
written by OpenISMS) is kept in a ``-migrated`` set of kind ``user``. ``equivalent`` is now
NIST OLIR's ``equal``.
"""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Mapping = apps.get_model("catalog", "Mapping")
    MappingSet = apps.get_model("catalog", "MappingSet")
    rows = Mapping.objects.select_related("source__framework", "target__framework").order_by(
        "target__framework__slug", "source__framework__slug", "target__position", "id"
    )
    groups = {}
    for row in rows:
        successor = row.relationship == "successor"
        key = (row.source.framework, row.target.framework, successor)
        groups.setdefault(key, []).append(row)
    now = timezone.now()
    for (source, target, successor), pairs in groups.items():
        slug = f"{source.slug}-to-{target.slug}" + ("" if successor else "-migrated")
        mapping_set = MappingSet.objects.create(
            slug=slug,
            name=f"{source.short_name} to {target.short_name}",
            source_framework=source.slug,
            target_framework=target.slug,
            publisher=target.publisher,
            document=pairs[0].provenance[:300],
            version=target.version,
            kind="structural" if successor else "user",
            description="Moved from the catalogue's mappings by migration 0004.",
            content_version=target.content_version,
            content_hash="",
            loaded_at=now,
        )
        for position, pair in enumerate(pairs, start=1):
            pair.mapping_set = mapping_set
            pair.position = position
            pair.source_ref = pair.source.ref
            pair.target_ref = pair.target.ref
            if pair.relationship == "equivalent":
                pair.relationship = "equal"
        Mapping.objects.bulk_update(
            pairs,
            ["mapping_set", "position", "source_ref", "target_ref", "relationship"],
            batch_size=500,
        )


def backwards(apps, schema_editor):
    Mapping = apps.get_model("catalog", "Mapping")
    MappingSet = apps.get_model("catalog", "MappingSet")
    # The old table needs both requirements; pairs that never resolved cannot go back.
    Mapping.objects.filter(source__isnull=True).delete()
    Mapping.objects.filter(target__isnull=True).delete()
    rows = list(Mapping.objects.select_related("mapping_set"))
    for row in rows:
        row.provenance = (row.mapping_set.document or row.mapping_set.name)[:200]
        if row.relationship == "equal":
            row.relationship = "equivalent"
    Mapping.objects.bulk_update(rows, ["provenance", "relationship"], batch_size=500)
    # The old unique constraint was (source, target, relationship) across sets.
    seen = set()
    for row in rows:
        key = (row.source_id, row.target_id, row.relationship)
        if key in seen:
            row.delete()
        seen.add(key)
    Mapping.objects.update(mapping_set=None)
    MappingSet.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_mapping_sets")]

    operations = [migrations.RunPython(forwards, backwards)]

"""Full-text search structures, per database backend (see openisms.catalog.search)."""

from django.db import migrations

# The same expression that django.contrib.postgres SearchVector builds in catalog/search.py.
PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS catalog_requirement_fts_gin ON catalog_requirement USING GIN ("
    "to_tsvector('english'::regconfig, COALESCE(ref, '') || ' ' || COALESCE(title, '') || ' ' "
    "|| COALESCE(summary, '') || ' ' || COALESCE((guidance)::text, '')))"
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_requirement_fts USING fts5("
            "ref, title, body, tokenize='porter unicode61')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(PG_INDEX)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_requirement_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_requirement_fts_gin")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

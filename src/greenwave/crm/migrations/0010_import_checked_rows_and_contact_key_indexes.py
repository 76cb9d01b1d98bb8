"""The dry run's cleaned rows kept with the import, and (PostgreSQL) GIN indexes over the live
contacts' phones and lower-cased e-mails for the duplicate check of imports (one `@>` probe per
value). `fastupdate = off`: with a pending list every probe would scan it whole (after a large
import, milliseconds per probe until the next vacuum)."""

from django.db import migrations, models

INDEXES = (
    "CREATE INDEX IF NOT EXISTS crm_contact_phones_gin ON crm_contact "
    "USING gin (phones) WITH (fastupdate = off) WHERE NOT is_deleted",
    "CREATE INDEX IF NOT EXISTS crm_contact_emails_gin ON crm_contact "
    "USING gin ((lower(emails::text)::jsonb)) WITH (fastupdate = off) WHERE NOT is_deleted",
)


def create_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in INDEXES:
            schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS crm_contact_phones_gin")
        schema_editor.execute("DROP INDEX IF EXISTS crm_contact_emails_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0009_import_read_in_worker"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="checked_rows",
            field=models.BinaryField(blank=True, default=b"", verbose_name="checked rows"),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]

"""The instance row updated in place on PostgreSQL (issue #23).

Every process step rewrites its instance's row (the state, the counters), and the row's
indexes cover none of the columns a step changes but `status` (which changes once, at the
end): such an update can be HOT — the new version on the same page, no index entry written —
when the page has room for it. With the default fill factor a page is filled with rows at
insert and a step's version found no room about a third of the time (each such update
writes an entry in each of the table's eight indexes). A fill factor of 70 keeps 2.4 kB of
each page free at insert: more than a row holds inline (a larger state goes to the TOAST
table), so a step's new version finds room once the page's older versions are pruned.

The business key is indexed once: `db_index` on a text column also made an index for
`LIKE 'x%'` that no query runs (the list's search is `icontains`); one more entry per insert.
"""

from django.conf import settings
from django.db import migrations, models

TABLE = "bpm_processinstance"


def _fillfactor(setting: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        # A constant table and setting: nothing from outside.
        schema_editor.execute(f"ALTER TABLE {TABLE} {setting}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apifast_scope_stamp"),
        ("bpm", "0006_task_indexes_where_set"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="processinstance",
            name="business_key",
            field=models.CharField(blank=True, max_length=120, verbose_name="business key"),
        ),
        migrations.AddIndex(
            model_name="processinstance",
            index=models.Index(fields=["business_key"], name="bpm_instance_business_key_idx"),
        ),
        migrations.RunPython(
            _fillfactor("SET (fillfactor = 70)"), _fillfactor("RESET (fillfactor)")
        ),
    ]

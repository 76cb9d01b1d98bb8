"""KPI 11 «late projects» counts late orders now: its definition text is refreshed."""

from django.db import migrations


def refresh_builtin(apps, schema_editor):
    from greenwave.planning.kpis import sync_builtin

    sync_builtin(apps.get_model("planning", "Kpi"))


class Migration(migrations.Migration):
    dependencies = [("planning", "0006_kpiroll_day_rollup")]

    operations = [migrations.RunPython(refresh_builtin, migrations.RunPython.noop)]

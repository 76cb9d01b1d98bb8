"""The eleven KPIs of seed 003 as rows (planning.kpis.BUILTIN holds their definitions)."""

from django.db import migrations


def add_builtin(apps, schema_editor):
    from greenwave.planning.kpis import sync_builtin

    sync_builtin(apps.get_model("planning", "Kpi"))


class Migration(migrations.Migration):
    dependencies = [("planning", "0002_kpi_plans")]

    operations = [migrations.RunPython(add_builtin, migrations.RunPython.noop)]

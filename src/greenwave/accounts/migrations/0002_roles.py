"""Roles are data: one row per role of DESIGN.md §1 with its default record access."""

from django.db import migrations

DEFAULT_ACCESS = {
    "call_center": "team",
    "hunter": "team",
    "closer": "team",
    "farmer": "team",
    "kam": "team",
    "head_of_sales": "headed",
    "lawyer": "all",
    "finance": "all",
    "accountant": "all",
    "hr": "own",
    "admin": "all",
}


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, level in DEFAULT_ACCESS.items():
        Role.objects.get_or_create(code=code, defaults={"access_level": level})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

"""The built-in stages' participants (seed 001's stage table: «Участники»).

Only an empty participant list of a stage of the built-in pipelines (codes `b2b`,
`call_centre`, stage codes of migration 0002) is filled, so nothing an admin chose is
overwritten. Going back clears only the lists that still hold the built-in roles.
"""

from django.db import migrations

from greenwave.sales.stage_texts import BUILT_IN_PIPELINES, PARTICIPANTS


def _built_in_stages(apps):
    Stage = apps.get_model("sales", "Stage")
    return Stage.objects.filter(pipeline__code__in=BUILT_IN_PIPELINES, code__in=list(PARTICIPANTS))


def fill(apps, schema_editor):
    for stage in _built_in_stages(apps):
        if not stage.participants:
            stage.participants = list(PARTICIPANTS[stage.code])
            stage.save(update_fields=["participants"])


def clear(apps, schema_editor):
    for stage in _built_in_stages(apps):
        if stage.participants == PARTICIPANTS[stage.code]:
            stage.participants = []
            stage.save(update_fields=["participants"])


class Migration(migrations.Migration):
    dependencies = [("sales", "0016_stage_participants_target_conversion")]
    operations = [migrations.RunPython(fill, clear)]

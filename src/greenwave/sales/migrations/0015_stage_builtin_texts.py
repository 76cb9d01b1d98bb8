"""The built-in stages' tasks, actions and key success factor (seed 001's stage table).

Only an empty field of a stage of the built-in pipelines (codes `b2b`, `call_centre`, stage
codes of migration 0002) is filled, so nothing an admin wrote is overwritten; the texts are
stored in Russian and read in English through `sales.stage_texts`. Going back clears only the
fields that still hold the built-in text.
"""

from django.db import migrations

from greenwave.sales.stage_texts import BUILT_IN_PIPELINES, GUIDE, GUIDE_FIELDS


def _built_in_stages(apps):
    Stage = apps.get_model("sales", "Stage")
    return Stage.objects.filter(pipeline__code__in=BUILT_IN_PIPELINES, code__in=list(GUIDE))


def fill(apps, schema_editor):
    for stage in _built_in_stages(apps):
        texts = GUIDE[stage.code]
        empty = [f for f in GUIDE_FIELDS if not getattr(stage, f).strip()]
        for field in empty:
            setattr(stage, field, texts[field][0])
        if empty:
            stage.save(update_fields=empty)


def clear(apps, schema_editor):
    for stage in _built_in_stages(apps):
        texts = GUIDE[stage.code]
        same = [f for f in GUIDE_FIELDS if getattr(stage, f) == texts[f][0]]
        for field in same:
            setattr(stage, field, "")
        if same:
            stage.save(update_fields=same)


class Migration(migrations.Migration):
    dependencies = [("sales", "0014_closer_handoff")]
    operations = [migrations.RunPython(fill, clear)]

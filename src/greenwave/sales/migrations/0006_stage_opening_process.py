"""A stage names the process that opens it; the default B2B «Договор» stage names the contract
approval, whose approved outcome meets its gate «Договор согласован»."""

from django.db import migrations, models


def name_contract_approval(apps, schema_editor):
    Stage = apps.get_model("sales", "Stage")
    Stage.objects.filter(pipeline__code="b2b", code="contract", opening_process="").update(
        opening_process="contract_approval"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0005_list_order_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='stage',
            name='opening_process',
            field=models.CharField(blank=True, max_length=100, verbose_name='process started on entry'),
        ),
        migrations.RunPython(name_contract_approval, migrations.RunPython.noop),
    ]

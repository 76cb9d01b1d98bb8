"""A stage's participants (seed 001's «Участники») and target conversion, % (seeds 000/001:
the conversion between stages analysed against goals), kept between 0 and 100 by the database."""

from django.core.validators import MaxValueValidator
from django.db import migrations, models

PERCENT = models.Q(target_conversion__isnull=True) | models.Q(
    target_conversion__gte=0, target_conversion__lte=100
)


class Migration(migrations.Migration):
    dependencies = [("sales", "0015_stage_builtin_texts")]
    operations = [
        migrations.AddField(
            "stage",
            "participants",
            models.JSONField(blank=True, default=list, verbose_name="participants"),
        ),
        migrations.AddField(
            "stage",
            "target_conversion",
            models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[MaxValueValidator(100)],
                verbose_name="target conversion, %",
            ),
        ),
        migrations.AddConstraint(
            "stage",
            models.CheckConstraint(condition=PERCENT, name="stage_target_conversion_percent"),
        ),
    ]

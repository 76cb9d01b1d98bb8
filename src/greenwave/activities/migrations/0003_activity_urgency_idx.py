"""«Most urgent first» on the activities list (`models.URGENT_FIRST`): an index on its terms."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0002_shapeowned_assigned_record'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='activity',
            index=models.Index(models.OrderBy(models.Case(models.When(due_at__isnull=False, status='planned', then=models.Value(0)), models.When(status='planned', then=models.Value(1)), models.When(status='done', then=models.Value(2)), default=models.Value(3))), models.OrderBy(models.Case(models.When(status='planned', then=models.F('due_at')))), models.OrderBy(models.F('due_at'), descending=True), models.F('id'), name='activity_urgency_idx'),
        ),
    ]

"""The task table's team index, one instead of two (issue #23).

A task's team was indexed twice — its own foreign-key index and `(status, team)` — and
every process step inserts a task and closes one (an update that is never HOT: the status
changes), so both were written twice a step. One index `(team, status)` serves both reads:
`team_id IN (…)` (the tasks a head sees, the rows a deleted team leaves empty) by its first
column, `status = … AND team_id IN (…)` by both. Two index entries fewer a step.

The assignee keeps its two indexes: `(status, assignee)` also bounds `status = 'open' AND
assignee IS NOT NULL` (a head's overdue tasks), which `(assignee, status)` would not.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_apifast_scope_stamp"), ("bpm", "0007_instance_hot_updates")]

    operations = [
        migrations.AddIndex(
            model_name="humantask",
            index=models.Index(fields=["team", "status"], name="bpm_task_team_status_idx"),
        ),
        migrations.RemoveIndex(model_name="humantask", name="bpm_task_team_idx"),
        migrations.AlterField(
            model_name="humantask",
            name="team",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="accounts.team",
                verbose_name="team",
            ),
        ),
    ]

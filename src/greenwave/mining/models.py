"""The tables of the miner: directly-follows rollups of each pipeline's deals — per edge
(`DfgEdge`, the whole pipeline) and per team, owner and month (`DfgCell`, narrowed maps), the
dims each deal is summed under (`RollupCase`) and how far the log is applied (`RollupCursor`).

The process map of a million deals reads ~20 M events through a window; this rollup keeps,
per pipeline and edge, the count, the summed seconds and a histogram of the seconds (log
buckets 1 % wide), maintained from the event log by the worker (`services.rollup_update`)
and rebuilt by `manage.py mining_rollup --rebuild`. Counts and means are exact; the median
comes from the histogram (within half a bucket: 0.5 %).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from greenwave.core.models import SettlingCursor


class EdgeTally(models.Model):
    """One edge's directly-follows tally as stored (`rollup.stored_tally` reads either table):
    its transitions, those with a duration (not start/end), their summed seconds and the
    histogram of the seconds ({"bucket": count})."""

    source = models.CharField(_("preceding activity"), max_length=120)
    target = models.CharField(_("following activity"), max_length=120)
    count = models.BigIntegerField(_("transitions"), default=0)
    timed = models.BigIntegerField(default=0)
    total_seconds = models.FloatField(default=0.0)
    buckets = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class DfgEdge(EdgeTally):
    pipeline_id = models.BigIntegerField(_("pipeline of the deals"))

    class Meta:
        verbose_name = _("process map edge")
        verbose_name_plural = _("process map edges")
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline_id", "source", "target"], name="mining_dfg_edge_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pipeline_id}: {self.source} → {self.target} ×{self.count}"


class DfgCell(EdgeTally):
    """The rollup by the case's team and owner and by month: the directly-follows tally of
    the deals of a pipeline with this team and responsible (0: none) whose transition leaves
    its source in `source_month` and reaches its target in `target_month` (months counted
    as year * 12 + month - 1 in `settings.TIME_ZONE`; a start edge has the target's month, an
    end edge the source's). Three grains in one table: `OWNER` rows (team, owner, months) answer
    maps narrowed by team, person, a scoped reader and whole months; `MONTH` rows (team and
    owner 0: every deal) answer a period alone without summing every owner's rows; `TEAM`
    rows (owner 0, months 0: the whole span) answer a team's or a head's map over the whole
    span in a few rows per edge."""

    OWNER = 1
    MONTH = 2
    TEAM = 3

    grain = models.SmallIntegerField()
    pipeline_id = models.BigIntegerField()
    team_id = models.BigIntegerField(default=0)
    owner_id = models.BigIntegerField(default=0)
    source_month = models.IntegerField()
    target_month = models.IntegerField()

    class Meta:
        verbose_name = _("process map cell")
        verbose_name_plural = _("process map cells")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "pipeline_id",
                    "grain",
                    "team_id",
                    "owner_id",
                    "source_month",
                    "target_month",
                    "source",
                    "target",
                ],
                name="mining_dfg_cell_unique",
            )
        ]
        indexes = [
            models.Index(fields=["pipeline_id", "grain", "owner_id"], name="mining_cell_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline_id}/{self.team_id}/{self.owner_id}: {self.source} → {self.target}"


class RollupCase(models.Model):
    """The pipeline, team and owner (0: none) a deal's events are summed under in the rollup:
    when a deal is reassigned its contribution leaves these and joins its new ones."""

    case_id = models.CharField(primary_key=True, max_length=64)
    pipeline_id = models.BigIntegerField()
    team_id = models.BigIntegerField(default=0)
    owner_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.pipeline_id}/{self.team_id}/{self.owner_id}"


class RollupCursor(SettlingCursor):
    """How far the rollup has read the event log: every deal event with an id up to
    `applied_id` is in it (None: never built)."""

    applied_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.applied_id}"

"""A deterministic Russian B2B sales department, generated straight into the tables.

One seed gives the same rows every time (one `random.Random` drawn in a fixed order). Deals
walk the default B2B pipeline (data migration of the sales app) with stage durations, losses
with reasons, rework loops and wins; every step is written to the event log exactly as
`greenwave.sales.services` writes it (same activities, payloads, objects, and
`prev_activity`/`prev_timestamp` as `core.services.event_append` fills them), so the funnel,
history and mining read generated data as they read real data.

Planted facts — the known answers analytics must find (documented in bench/README.md):

* `BOTTLENECK_STAGE`: deals stay there ~`BOTTLENECK_FACTOR` times longer than its expected
  duration; most open deals sitting there are overdue ("stuck").
* `SKEWED_LOSS_STAGE` / `SKEWED_LOSS_REASON`: at that stage `SKEWED_LOSS_SHARE` of losses
  have that one reason (elsewhere reasons are spread).
* `OVERLOADED_MANAGER`: a farmer with `OVERLOADED_PORTFOLIO_FACTOR`× the average portfolio
  whose clients had no touch for the last `NEGLECT_DAYS` days: the most abandoned clients.
* `SLOW_APPROVER`: a lawyer whose step of the contract approval process (`contract_approval`,
  one instance per deal that passes the contract stage or is in it with a recent draft;
  running ones carry the engine's own saved state) takes
  `SLOW_APPROVER_FACTOR`× the other lawyers' median: first in "who holds up whom".
"""

from __future__ import annotations

from greenwave.datagen.generator.base import (
    APPROVAL_PROCESS,
    APPROVAL_REVIEWS,
    BOTTLENECK_FACTOR,
    BOTTLENECK_STAGE,
    CALL_RESULTS_NEXT,
    CARD_LEAD_HOURS,
    CENTS,
    DATASET_ACTIVITY,
    DATASET_CASE_TYPE,
    DISCOUNT_STEP,
    GENERATOR_VERSION,
    INITIATOR_PLACEHOLDER,
    NEGLECT_DAYS,
    OVERLOADED_MANAGER,
    OVERLOADED_PORTFOLIO_FACTOR,
    SKEWED_LOSS_REASON,
    SKEWED_LOSS_SHARE,
    SKEWED_LOSS_STAGE,
    SLOW_APPROVER,
    SLOW_APPROVER_FACTOR,
    SPAN_DAYS,
    Config,
    CountingSink,
    Person,
    ProcessRef,
    Reference,
    Result,
    Sink,
)
from greenwave.datagen.generator.clients import ClientsMixin
from greenwave.datagen.generator.deals import DealsMixin
from greenwave.datagen.generator.people import PeopleMixin


class Generator(PeopleMixin, ClientsMixin, DealsMixin):
    """The whole department, domain by domain: people, clients, deals and all around them."""

    def run(self) -> Result:
        with self.sink.phase():
            users = self._users()
        self._catalogue(users)
        companies, neglected = self._companies(users)
        self._deals(users, companies, neglected)
        self.result.digest = self._hash.hexdigest()
        return self.result


__all__ = [
    "APPROVAL_PROCESS",
    "APPROVAL_REVIEWS",
    "BOTTLENECK_FACTOR",
    "BOTTLENECK_STAGE",
    "CALL_RESULTS_NEXT",
    "CARD_LEAD_HOURS",
    "CENTS",
    "DATASET_ACTIVITY",
    "DATASET_CASE_TYPE",
    "DISCOUNT_STEP",
    "GENERATOR_VERSION",
    "INITIATOR_PLACEHOLDER",
    "NEGLECT_DAYS",
    "OVERLOADED_MANAGER",
    "OVERLOADED_PORTFOLIO_FACTOR",
    "SKEWED_LOSS_REASON",
    "SKEWED_LOSS_SHARE",
    "SKEWED_LOSS_STAGE",
    "SLOW_APPROVER",
    "SLOW_APPROVER_FACTOR",
    "SPAN_DAYS",
    "Config",
    "CountingSink",
    "Generator",
    "Person",
    "ProcessRef",
    "Reference",
    "Result",
    "Sink",
]

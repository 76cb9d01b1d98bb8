"""The API's JSON renderer answers the text ninja's own encoder would, only faster."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

from django.utils.functional import lazy
from ninja.responses import NinjaJSONEncoder

from greenwave.config.api import api
from greenwave.core.api import FastJSONEncoder, FastJSONRenderer

MSK = timezone(timedelta(hours=3))


def test_every_value_is_written_as_ninja_writes_it() -> None:
    values = [
        Decimal("10.00"),
        Decimal("-0.5"),
        Decimal("1E+3"),
        datetime(2026, 12, 5, 10, 0, tzinfo=UTC),
        datetime(2026, 12, 5, 10, 0, 1, 123456, tzinfo=UTC),
        datetime(2026, 12, 5, 13, 0, 1, 500, tzinfo=MSK),
        datetime(2026, 12, 5, 10, 0),
        date(2026, 12, 5),
        time(10, 30, 1, 250000),
        timedelta(days=1, seconds=5),
        uuid.UUID(int=5),
        lazy(lambda: "ленивый", str)(),
        {"nested": [Decimal("1.5"), date(2000, 1, 1)]},
    ]
    assert json.dumps(values, cls=FastJSONEncoder) == json.dumps(values, cls=NinjaJSONEncoder)


def test_the_api_renders_with_it() -> None:
    assert isinstance(api.renderer, FastJSONRenderer)

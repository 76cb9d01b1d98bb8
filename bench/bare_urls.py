"""The ceiling views: the same rows and the same JSON as GET/POST /api/v1/deals, without
authentication, scoping, schemas, services or middleware (team ids are given in the URL)."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from greenwave.core.models import Event, EventObject
from greenwave.sales.models import Deal, DealItem, Stage
from greenwave.sales.selectors import DEAL_ROW_VALUES

# The API's deal columns (the bare view answers in the default language only).
FIELDS = tuple(name for name in DEAL_ROW_VALUES if name != "stage__name_en")


def _out(row: dict[str, Any], contacts: list[int], items: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(row)
    out["stage_name"] = out.pop("stage__name")
    out["lost_reason"] = out.pop("lost_reason__name")
    out["contact_ids"] = contacts
    out["items"] = items
    return out


def deals(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return deal_create(request)
    teams = [int(t) for t in request.GET.getlist("team")]
    size = int(request.GET.get("page_size", 50))
    qs = Deal.objects.filter(team_id__in=teams)
    # Counted as Greenwave's lists count (issue #23): exact up to the limit, null beyond —
    # the same bounded statement, so the ceiling does no less and no more work.
    limit = settings.GREENWAVE_LIST_COUNT_LIMIT
    bounded = qs.order_by()[: limit + 1].count()
    count = bounded if bounded <= limit else None
    rows = list(qs.order_by("-created_at", "-pk").values(*FIELDS)[:size])
    ids = [r["id"] for r in rows]
    contacts: dict[int, list[int]] = defaultdict(list)
    for deal_id, contact_id in Deal.contacts.through.objects.filter(deal_id__in=ids).values_list(
        "deal_id", "contact_id"
    ):
        contacts[deal_id].append(contact_id)
    items: dict[int, list[Any]] = defaultdict(list)
    for item in DealItem.objects.filter(deal_id__in=ids).values(
        "id", "deal_id", "product_id", "product__name", "quantity", "price"
    ):
        items[item["deal_id"]].append(item)
    return JsonResponse(
        {
            "items": [_out(r, contacts[r["id"]], items[r["id"]]) for r in rows],
            "count": count,
            "page": 1,
            "page_size": size,
        }
    )


_FIRST_STAGE: dict[int, Stage] = {}


@csrf_exempt
def deal_create(request: HttpRequest) -> JsonResponse:
    data = json.loads(request.body)
    pipeline_id = int(data["pipeline_id"])
    stage = _FIRST_STAGE.get(pipeline_id)
    if stage is None:
        stage = _FIRST_STAGE[pipeline_id] = Stage.objects.filter(pipeline_id=pipeline_id).order_by(
            "order"
        )[0]
    responsible, team = int(data["responsible_id"]), int(data["team_id"])
    with transaction.atomic():
        deal = Deal.objects.create(
            title=data["title"],
            pipeline_id=pipeline_id,
            stage=stage,
            amount=Decimal(str(data.get("amount", 0))),
            responsible_id=responsible,
            team_id=team,
            probability=stage.probability,
            stage_entered_at=timezone.now(),
        )
        event = Event.objects.create(
            case_type="deal",
            case_id=str(deal.pk),
            activity="deal_created",
            actor_id=responsible,
            payload={"stage": stage.pk, "stage_name": stage.name, "pipeline": pipeline_id},
        )
        EventObject.objects.create(
            event=event, object_type="user", object_id=str(responsible), qualifier="responsible"
        )
    row = {f: getattr(deal, f.replace("__name", "_id"), None) for f in FIELDS}
    row["stage__name"], row["lost_reason__name"] = stage.name, None
    return JsonResponse(_out(row, [], []), status=201)


urlpatterns = [path("bare/deals", csrf_exempt(deals))]

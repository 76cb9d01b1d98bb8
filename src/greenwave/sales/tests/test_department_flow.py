"""Seed 004: lead → client and contact, first sale hands the client to a farmer, the hunter
keeps a share of later sales, abandoned clients are counted per manager."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.crm.models import Company, Contact
from greenwave.sales import services
from greenwave.sales.models import ClientHandoff, Lead, LeadSource
from greenwave.sales.selectors import abandoned_by_manager, abandoned_clients

pytestmark = pytest.mark.django_db


def test_converting_a_lead_creates_the_client_and_contact(two_teams, b2b) -> None:
    hunter = two_teams["hunter_a"]
    lead = services.lead_create(
        actor=hunter,
        source=LeadSource.WEB_FORM,
        contact_name="Анна Смирнова",
        company_name="ООО «Новый клиент»",
        phone="+7 916 555-44-33",
        email="anna@client.ru",
    )
    deal = services.lead_convert(actor=hunter, lead=lead, pipeline=b2b)

    company = Company.objects.get(name="ООО «Новый клиент»")
    contact = Contact.objects.get(full_name="Анна Смирнова")
    assert deal.company == company
    assert list(deal.contacts.all()) == [contact]
    assert company.responsible == hunter
    assert company.source == "website"
    lead.refresh_from_db()
    assert (lead.company, lead.contact, lead.deal) == (company, contact, deal)


def test_converting_reuses_an_existing_client_found_as_a_duplicate(two_teams, b2b) -> None:
    hunter = two_teams["hunter_a"]
    existing = crm_services.company_create(
        actor=hunter, name="ООО «Ромашка»", phone="+7 916 111-22-33"
    )
    lead = services.lead_create(
        actor=hunter, company_name="Ромашка", phone="+79161112233", contact_name="Пётр"
    )
    deal = services.lead_convert(actor=hunter, lead=lead, pipeline=b2b)
    assert deal.company == existing
    assert Company.objects.count() == 1


def win(deal, two_teams, **kw):
    stages = list(deal.pipeline.stages.order_by("order"))
    deal = services.deal_move(
        actor=two_teams["head_a"], deal=deal, stage=stages[-1], override_comment="test"
    )
    services.deal_approve(actor=two_teams["admin"], deal=deal, kind="payment")
    return services.deal_win(actor=two_teams["head_a"], deal=deal, **kw)


def test_first_sale_hands_the_client_to_the_least_loaded_farmer(two_teams, b2b, make_user):
    team = two_teams["team_a"]
    busy = make_user("farmer_busy", roles=["farmer"], team=team)
    free = make_user("farmer_free", roles=["farmer"], team=team)
    crm_services.company_create(actor=busy, name="ООО «Загрузка»", responsible=busy, team=team)
    hunter = two_teams["hunter_a"]
    client = crm_services.company_create(actor=hunter, name="ООО «Первая продажа»")
    deal = services.deal_create(
        actor=hunter,
        title="Первая",
        pipeline=b2b,
        company=client,
        hunter=hunter,
        amount=Decimal(100000),
    )

    win(deal, two_teams)

    client.refresh_from_db()
    assert client.responsible == free
    assert client.segment == "current"
    handoff = ClientHandoff.objects.get(company=client)
    assert (handoff.hunter, handoff.farmer) == (hunter, free)
    event = Event.objects.get(activity="client_handed_off")
    assert event.case_type == "company"
    assert event.payload["farmer"] == "farmer_free"

    later = services.deal_create(actor=free, title="Повторная", pipeline=b2b, company=client)
    assert later.hunter == hunter
    assert later.hunter_share_percent == handoff.share_percent > 0
    win(later, two_teams)
    assert ClientHandoff.objects.count() == 1  # only the first sale hands over


def test_head_may_choose_the_farmer(two_teams, b2b, make_user) -> None:
    chosen = make_user("farmer_chosen", roles=["farmer"], team=two_teams["team_b"])
    hunter = two_teams["hunter_a"]
    client = crm_services.company_create(actor=hunter, name="ООО «Выбор»")
    deal = services.deal_create(actor=hunter, title="Выбор", pipeline=b2b, company=client)
    win(deal, two_teams, handoff_to=chosen)
    client.refresh_from_db()
    assert client.responsible == chosen


def test_abandoned_clients_are_listed_and_counted_per_manager(two_teams) -> None:
    hunter, head = two_teams["hunter_a"], two_teams["head_a"]
    old = crm_services.company_create(actor=hunter, name="ООО «Забытый»")
    fresh = crm_services.company_create(actor=hunter, name="ООО «Свежий»")
    crm_services.company_create(actor=head, name="ООО «У руководителя»", responsible=head)
    Event.objects.filter(case_type="company").update(timestamp=timezone.now() - timedelta(days=60))
    from greenwave.core.services import ObjectRef, event_append

    event_append(
        case_type="activity",
        case_id=1,
        activity="call_completed",
        actor=hunter,
        objects=[ObjectRef("company", str(fresh.pk))],
    )
    event_append(  # not a touch: an edit of the card
        case_type="company", case_id=old.pk, activity="company_changed", actor=hunter
    )

    names = set(abandoned_clients(actor=head).values_list("name", flat=True))
    assert names == {"ООО «Забытый»", "ООО «У руководителя»"}
    counts = {row["manager"].username: row["count"] for row in abandoned_by_manager(actor=head)}
    assert counts == {"hunter_a": 1, "head_a": 1}
    assert set(abandoned_clients(actor=two_teams["hunter_b"])) == set()


def test_abandoned_page_and_deal_card_with_client(client, two_teams, b2b) -> None:
    hunter = two_teams["hunter_a"]
    company = crm_services.company_create(actor=hunter, name="ООО «Карточка»")
    deal = services.deal_create(actor=hunter, title="С клиентом", pipeline=b2b, company=company)
    client.force_login(two_teams["head_a"])
    assert client.get("/sales/abandoned/").status_code == 200
    card = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert "ООО «Карточка»" in card
    created = client.post(
        "/sales/deals/new/",
        {
            "title": "Из формы",
            "pipeline": b2b.pk,
            "amount": "10",
            "company": company.pk,
            "responsible": hunter.pk,
        },
    )
    assert created.status_code == 302


def test_api_creates_a_deal_for_a_visible_client_only(two_teams, bearer, b2b) -> None:
    mine = crm_services.company_create(actor=two_teams["hunter_a"], name="ООО «Моя»")
    theirs = crm_services.company_create(actor=two_teams["hunter_b"], name="ООО «Чужая»")
    api = bearer(two_teams["hunter_a"])
    ok = api.post(
        "/api/v1/deals", {"title": "A", "company_id": mine.pk}, content_type="application/json"
    )
    assert ok.status_code == 201
    assert ok.json()["company_id"] == mine.pk
    refused = api.post(
        "/api/v1/deals", {"title": "B", "company_id": theirs.pk}, content_type="application/json"
    )
    assert refused.status_code == 404


def test_merging_clients_moves_their_deals_and_leads(two_teams, b2b) -> None:
    head = two_teams["head_a"]
    kept = crm_services.company_create(actor=head, name="ООО «Основная»")
    duplicate = crm_services.company_create(
        actor=head, name="ООО «Основная-дубль»", allow_duplicate=True
    )
    deal = services.deal_create(actor=head, title="На дубле", pipeline=b2b, company=duplicate)
    crm_services.company_merge(actor=head, target=kept, source=duplicate)
    deal.refresh_from_db()
    assert deal.company == kept
    assert Event.objects.filter(
        case_type="deal", case_id=str(deal.pk), activity="deal_changed"
    ).exists()


def test_client_card_lists_its_deals_and_its_history_is_in_the_events_api(
    client, two_teams, b2b, bearer
) -> None:
    hunter = two_teams["hunter_a"]
    company = crm_services.company_create(actor=hunter, name="ООО «Карта»")
    services.deal_create(actor=hunter, title="Сделка клиента", pipeline=b2b, company=company)
    client.force_login(hunter)
    assert "Сделка клиента" in client.get(f"/sales/clients/{company.pk}/deals/").content.decode()
    client.force_login(two_teams["hunter_b"])
    assert client.get(f"/sales/clients/{company.pk}/deals/").status_code == 404
    events = bearer(hunter).get(f"/api/v1/events?object=company:{company.pk}")
    assert events.status_code == 200
    assert {"company_created", "deal_created"} <= {e["activity"] for e in events.json()["items"]}
    assert (
        bearer(two_teams["hunter_b"]).get(f"/api/v1/events?object=company:{company.pk}").status_code
        == 404
    )


def test_home_page_shows_my_open_deals_stuck_ones_and_new_leads(client, two_teams, b2b) -> None:
    hunter = two_teams["hunter_a"]
    deal = services.deal_create(actor=hunter, title="Моя", pipeline=b2b, amount=Decimal(1000))
    deal.stage_entered_at = timezone.now() - timedelta(days=30)
    deal.save(update_fields=["stage_entered_at"])
    services.deal_create(actor=hunter, title="Свежая", pipeline=b2b, amount=Decimal(500))
    services.lead_create(actor=hunter, contact_name="Новый")
    client.force_login(hunter)
    page = client.get("/").content.decode().replace("\xa0", " ")
    assert 'data-testid="home-sales"' in page
    assert "2 открытые сделки" in page
    assert "1 500 ₽" in page
    assert "1 сделка находится на этапе дольше нормы" in page
    assert "1 новый лид" in page


def test_home_page_names_the_stuck_deals_stage_in_the_readers_language(
    client, two_teams, b2b
) -> None:
    hunter = two_teams["hunter_a"]
    deal = services.deal_create(actor=hunter, title="Моя", pipeline=b2b, amount=Decimal(1000))
    deal.stage_entered_at = timezone.now() - timedelta(days=30)
    deal.save(update_fields=["stage_entered_at"])
    stage = deal.stage
    hunter.language = "en"
    hunter.save(update_fields=["language"])
    client.force_login(hunter)
    card = client.get("/").content.decode().split('data-testid="home-sales"')[1]
    assert f"· {stage.name_en} ·" in card
    assert f"· {stage.name} ·" not in card


def test_home_page_tells_each_role_what_to_do_now(client, two_teams, b2b) -> None:
    from greenwave.activities import services as activity_services

    hunter, head = two_teams["hunter_a"], two_teams["head_a"]
    stuck = services.deal_create(actor=hunter, title="Застряла", pipeline=b2b, amount=Decimal(700))
    stuck.stage_entered_at = timezone.now() - timedelta(days=40)
    stuck.save(update_fields=["stage_entered_at"])
    now = timezone.localtime()
    activity_services.activity_create(
        actor=hunter,
        kind="call",
        subject="Позвонить вчерашнему",
        deal=stuck,
        due_at=now - timedelta(days=2),
    )
    activity_services.activity_create(
        actor=hunter,
        kind="meeting",
        subject="Встреча сегодня",
        deal=stuck,
        due_at=now.replace(hour=23, minute=30, second=0, microsecond=0),
    )

    client.force_login(hunter)
    page = client.get("/").content.decode().replace("\xa0", " ")
    assert 'data-testid="home-agenda"' in page
    assert "1 просроченное дело" in page
    assert "Встреча сегодня" in page
    assert 'data-testid="deals-at-risk"' in page
    assert "Застряла" in page
    assert 'data-testid="home-team"' not in page  # a hunter has no team card

    client.force_login(head)
    page = client.get("/").content.decode()
    assert 'data-testid="home-team"' in page
    assert f"?responsible={hunter.pk}&amp;status=open" in page
    assert "home-agenda" not in page  # nothing planned for the head


def test_home_page_without_any_work_says_so(client, make_user) -> None:
    client.force_login(make_user("hr_person", roles=["hr"]))
    page = client.get("/").content.decode()
    assert "Сейчас ничего не требует вашего внимания" in page


def test_a_reader_sees_the_deal_card_without_the_forms_they_would_be_refused_on(
    client, two_teams, b2b, make_user
) -> None:
    hunter = two_teams["hunter_a"]
    company = crm_services.company_create(actor=hunter, name="ООО «Чтение»")
    deal = services.deal_create(actor=hunter, title="Смотреть", pipeline=b2b, company=company)
    edit = f"/sales/deals/{deal.pk}/edit/"
    timeline = f"/activities/timeline/deal/{deal.pk}/"

    client.force_login(hunter)
    page = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert edit in page
    assert 'data-testid="move"' in page
    assert 'data-testid="timeline-add"' in client.get(timeline).content.decode()

    client.force_login(make_user("reader_lawyer", roles=["lawyer"]))
    page = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert 'data-testid="read-only"' in page
    assert edit not in page
    assert 'data-testid="move"' not in page
    assert 'data-testid="lose"' not in page
    assert f"/sales/deals/{deal.pk}/approve/" in page  # approving stays the lawyer's
    feed = client.get(timeline).content.decode()
    assert 'data-testid="timeline-add"' not in feed
    assert 'name="call_result"' not in feed


def test_a_converted_lead_links_its_deal_only_for_one_who_may_open_it(two_teams, b2b) -> None:
    """A call-centre operator's converted lead linked «Open the deal» to a hunter's deal: 404."""
    hunter = two_teams["hunter_a"]
    lead = services.lead_create(actor=hunter, company_name="ООО «Вектор»", contact_name="Пётр")
    deal = services.lead_convert(actor=hunter, lead=lead, pipeline=b2b)
    Lead.objects.filter(pk=lead.pk).update(responsible=two_teams["hunter_b"])
    for user, linked in ((hunter, True), (two_teams["hunter_b"], False)):
        client = Client()
        client.force_login(user)
        page = client.get(f"/sales/leads/{lead.pk}/")
        assert page.status_code == 200
        assert (f'href="/sales/deals/{deal.pk}/"' in page.content.decode()) is linked

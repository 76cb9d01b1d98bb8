"""Every edit form saved untouched changes nothing.

A browser drops a value it cannot show (a date «30.12.2026» in `<input type="date">`, a
decimal with a comma in `<input type="number">`) and the next save of any other field erased
it — a silent loss. Here each edit form is opened on a record with every field filled, saved
without touching it, and the record is compared column by column with what it was.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.urls import reverse

from greenwave.accounts import services as account_services
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm_services
from greenwave.crm.requisites import inn_with_checksum, ogrn_with_checksum
from greenwave.documents import services as document_services
from greenwave.documents.models import ClientBankAccount
from greenwave.documents.tests.conftest import SELLER
from greenwave.integrations import services as integration_services
from greenwave.outreach import services as outreach_services
from greenwave.planning import kpis as planning_kpis
from greenwave.planning import services as planning_services
from greenwave.planning.models import PlanTarget
from greenwave.planning.tests.test_kpis import AVERAGE_DEAL
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, DealStatus, Pipeline
from greenwave.sales.tests.conftest import default_pipelines  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Columns a save may legitimately touch.
VOLATILE = {"updated_at", "version", "search_text"}


@dataclass
class EditForm:
    name: str
    url: str
    submit: str
    record: models.Model


def snapshot(record: models.Model) -> dict[str, Any]:
    fresh = type(record)._default_manager.get(pk=record.pk)
    return {
        f.attname: getattr(fresh, f.attname)
        for f in fresh._meta.concrete_fields
        if f.attname not in VOLATILE
    }


def build_records(teams: dict[str, Any]) -> list[EditForm]:
    """One record per edit form, every field the form shows filled in."""
    admin = teams["head_a"]
    company = crm_services.company_create(
        actor=admin,
        name="ООО «Полный круг»",
        inn=inn_with_checksum("770145123"),
        kpp="770101001",
        ogrn=ogrn_with_checksum("102770014512"),
        legal_address="Москва, ул. Льва Толстого, 16",
        actual_address="Москва, ул. Тверская, 1",
        region="Москва",
        industry="Логистика",
        size="medium",
        source="website",
        segment="current",
        phone="+7 495 123-45-67",
        email="info@krug.example",
        website="https://krug.example",
        tags=["опт", "ключевой"],
    )
    contact = crm_services.contact_create(
        actor=admin,
        company=company,
        full_name="Иванова Мария Петровна",
        position="Главный бухгалтер",
        phones=["+7 916 000-11-22"],
        emails=["maria@krug.example"],
        messengers={"telegram": "@maria", "whatsapp": "+79160001122"},
        birthday=date(1984, 12, 30),
        gender="female",
        mailing_consent=True,
        notes="Звонить после обеда",
    )
    decision_maker = crm_services.decision_maker_add(
        actor=admin,
        company=company,
        contact=contact,
        role="Подписывает договор",
        personal_benefits="Премия за экономию",
        influence_level=5,
        age=41,
        character="Педантичная",
        hobbies="Теннис",
        attitude="supporter",
    )
    profile = crm_services.client_profile_update(
        actor=admin,
        company=company,
        industry_trends="Рост e-commerce",
        key_success_factors="Сроки",
        market_share=Decimal("12.50"),
        client_competitors="ООО «Конкурент»",
        benefits_sought="Скидка за объём",
        goals=["cost_reduction"],
        goals_note="Снизить логистику на 10 %",
        consumption_benefits="Экономия времени",
        further_needs="Склад в Казани",
    )
    competitor = crm_services.competitor_create(
        actor=admin,
        name="ООО «Соперник»",
        website="https://rival.example",
        price_level="lower",
        assortment="Широкий",
        special_conditions="Отсрочка 30 дней",
        marketing_activity="Выставки",
        notes="Демпингует",
    )
    pipeline = Pipeline.objects.get(code="b2b")
    deal = sales_services.deal_create(
        actor=admin,
        title="Поставка стеллажей",
        pipeline=pipeline,
        amount=Decimal("1250000.50"),
        expected_close_date=date(2026, 12, 30),
        description="Два склада",
        company=company,
        contacts=[contact],
    )
    group = crm_services.product_group_create(actor=admin, name="Стеллажи")
    product = crm_services.product_create(
        actor=admin,
        name="Стеллаж СТ-200",
        sku="ST-200",
        group=group,
        unit="set",
        vat_rate="10",
        description="Оцинкованный",
        is_active=True,
    )
    price_list = crm_services.price_list_create(
        actor=admin,
        name="Для дилеров",
        kind="special",
        currency="RUB",
        description="Для оптовиков",
        is_active=True,
    )
    stage = max(pipeline.stages.all(), key=lambda s: len(s.output_checklist or []))
    segment, campaign = _outreach_records(admin, company, pipeline, group)
    webhook = integration_services.webhook_create(
        actor=teams["admin"],
        url="http://127.0.0.1:9/hooks/greenwave",
        events=["deal.won", "deal.created", "lead.created"],  # not in the catalogue's order
        secret="s3cret-of-the-round-trip",
        description="Склад «Казань»",
    )
    purchase = _supplier_order(admin, pipeline, company)
    entity = document_services.legal_entity_create(
        actor=admin,
        data={
            **SELLER,
            "phone": "+7 495 000-00-00",
            "email": "office@greenwave.example",
            "signatory_basis": "Устава",
            "vat_payer": True,
            "is_default": True,
            "is_active": True,
        },
    )
    invoice = document_services.invoice_create_from_deal(
        actor=admin,
        deal=deal,
        seller=entity,
        due_date=date(2026, 12, 30),
        comment="Оплата двумя частями,\nсогласовано с бухгалтерией",
    )
    document_services.client_bank_account_set(
        actor=admin,
        company=company,
        data={
            "bank_name": "АО «Альфа-Банк»",
            "bik": "044525593",
            "corr_account": "30101810200000000593",
            "account": "40702810801300012345",
        },
    )
    bank = ClientBankAccount.objects.get(company=company)
    month = planning_kpis.Month.of(planning_kpis.today())
    plan = planning_services.plan_targets_set(
        actor=admin,
        month=month,
        user=teams["hunter_a"],
        targets={"revenue": "1250000.50", "calls": "120", "motivated_refusal_share": "12.5"},
    )
    target = PlanTarget.objects.get(plan=plan, kpi__key="revenue")
    kpi = planning_services.kpi_create(
        actor=admin,
        key="won_amount_avg",
        spec=dataclasses.replace(
            AVERAGE_DEAL,
            name_en="Average deal",
            direction="up",
            definition="Средняя сумма выигранной сделки",
            definition_en="The average amount of a won deal",
        ),
    )
    scheme = planning_services.commission_scheme_save(
        actor=admin,
        name="Базовая",
        default_percent="5.25",
        group_percents={str(group.pk): "7.5"},
        steps=[["80", "0.8"], ["100", "1.25"]],
    )
    split = planning_services.assistant_split_save(
        actor=admin,
        manager=teams["hunter_a"],
        assistant=admin,
        share_percent="12.5",
        valid_from=date(2026, 12, 1),
        valid_until=date(2026, 12, 30),
    )
    rules = planning_services.planning_settings_update(actor=admin, revenue_basis="won")
    return [
        EditForm(
            "legal entity",
            reverse("documents:legal_entity_edit", args=[entity.pk]),
            "[data-testid=submit]",
            entity,
        ),
        EditForm(
            "invoice",
            reverse("documents:invoice_edit", args=[invoice.pk]),
            "[data-testid=submit]",
            invoice,
        ),
        EditForm(
            "client bank details",
            reverse("documents:company_bank_edit", args=[company.pk]),
            "[data-testid=submit]",
            bank,
        ),
        EditForm(
            "plan entry grid",
            reverse("planning:plan_entry") + f"?team={teams['team_a'].pk}&period={month.key}",
            "[data-testid=plan-entry] button[type=submit]",
            target,
        ),
        EditForm(
            "custom KPI",
            reverse("planning:kpi_edit", args=[kpi.key]),
            "[data-testid=submit]",
            kpi,
        ),
        EditForm(
            "commission scheme",
            reverse("planning:scheme_edit", args=[scheme.pk]),
            "[data-testid=submit]",
            scheme,
        ),
        EditForm(
            "assistant split",
            reverse("planning:split_edit", args=[split.pk]),
            "[data-testid=submit]",
            split,
        ),
        EditForm(
            "planning settings",
            reverse("planning:settings"),
            "[data-testid=settings-form] [data-testid=submit]",
            rules,
        ),
        EditForm(
            "segment",
            reverse("outreach:segment_edit", args=[segment.pk]),
            "[data-testid=submit]",
            segment,
        ),
        EditForm(
            "campaign",
            reverse("outreach:campaign_edit", args=[campaign.pk]),
            "[data-testid=submit]",
            campaign,
        ),
        EditForm(
            "webhook",
            reverse("integrations:webhook_edit", args=[webhook.pk]),
            "[data-testid=submit]",
            webhook,
        ),
        EditForm(
            "product",
            reverse("crm:product_edit", args=[product.pk]),
            "[data-testid=submit]",
            product,
        ),
        EditForm(
            "price list",
            reverse("crm:price_list_edit", args=[price_list.pk]),
            "[data-testid=submit]",
            price_list,
        ),
        EditForm(
            "stage",
            reverse("sales:stage_edit", args=[pipeline.pk, stage.pk]),
            "[data-testid=submit]",
            stage,
        ),
        EditForm(
            "team",
            reverse("accounts:team_edit", args=[teams["team_a"].pk]),
            "[data-testid=submit]",
            teams["team_a"],
        ),
        EditForm(
            "company",
            reverse("crm:company_edit", args=[company.pk]),
            "[data-testid=submit]",
            company,
        ),
        EditForm(
            "contact",
            reverse("crm:contact_edit", args=[contact.pk]),
            "[data-testid=submit]",
            contact,
        ),
        EditForm(
            "decision maker",
            reverse("crm:decision_maker_edit", args=[decision_maker.pk]),
            "[data-testid=submit]",
            decision_maker,
        ),
        EditForm(
            "client profile",
            reverse("crm:company_profile", args=[company.pk]),
            "[data-testid=submit]",
            profile,
        ),
        EditForm(
            "competitor",
            reverse("crm:competitor_edit", args=[competitor.pk]),
            "[data-testid=submit]",
            competitor,
        ),
        EditForm(
            "deal",
            reverse("sales:deal_detail", args=[deal.pk]),
            f"form[action='{reverse('sales:deal_action', args=[deal.pk, 'edit'])}'] "
            "button[type=submit]",
            deal,
        ),
        EditForm(
            "supplier order",
            reverse("orders:supplier_order_edit", args=[purchase.pk]),
            "[data-testid=submit]",
            purchase,
        ),
        EditForm(
            "user",
            reverse("accounts:user_edit", args=[teams["hunter_a"].pk]),
            "[data-testid=submit]",
            teams["hunter_a"],
        ),
    ]


def _outreach_records(admin: Any, company: Any, pipeline: Pipeline, group: Any) -> tuple[Any, Any]:
    """A segment with every filter (a saved analytics segment too) and a stage-trigger
    campaign with every field, both written the way the API writes them."""
    from datetime import datetime, time

    from django.utils import timezone

    from greenwave.analytics import services as analytics_services
    from greenwave.analytics.segments import SegmentParams

    today = timezone.localdate()
    moment = datetime.combine(today, time(9), tzinfo=timezone.get_current_timezone())
    Deal.objects.create(  # a purchase, so that the ABC analysis has a client to save
        title="Прошлая поставка",
        pipeline=pipeline,
        stage=pipeline.stages.order_by("order").first(),
        status=DealStatus.WON,
        company=company,
        amount=Decimal("500000.00"),
        responsible=admin,
        team=admin.team,
        stage_entered_at=moment,
        closed_at=moment,
    )
    saved = analytics_services.segment_save(
        actor=admin, name="Группа A", kind="abc", classes=["A"], params=SegmentParams(as_of=today)
    )
    stages = list(pipeline.stages.order_by("order"))
    segment = outreach_services.segment_create(
        actor=admin,
        name="Москва, дни рождения",
        description="Для поздравлений;\nвторая строка",
        filters={
            "client_status": ["current"],
            "deal_stage_ids": [stages[1].pk],
            "product_group_ids": [group.pk],
            "regions": ["Москва"],
            "birthday_within_days": 7,
            "analytics_segment_ids": [saved.pk],
            "consent_only": True,
        },
    )
    campaign = outreach_services.campaign_create(
        actor=admin,
        name="Этап «Счёт»",
        kind="stage",
        segment=segment,
        subject="{{ first_name }}, счёт готов",
        body="Здравствуйте, {{ first_name }}!\n\nСчёт во вложении.\n— {{ manager }}",
        track_opens=False,
        trigger_stage=stages[2],
    )
    return segment, campaign


def _supplier_order(admin: Any, pipeline: Pipeline, company: Any) -> Any:
    """A supplier order of a won deal's order: a whole quantity (10.000 must not be shown as
    «1E+1») and a date."""
    from greenwave.orders import fulfilment
    from greenwave.sales.models import Deal, DealStatus

    won = sales_services.deal_create(
        actor=admin, title="Поставка труб", pipeline=pipeline, amount=Decimal(1000), company=company
    )
    Deal.objects.filter(pk=won.pk).update(status=DealStatus.WON)
    order = fulfilment.order_create_from_deal(
        actor=None, deal=Deal.objects.get(pk=won.pk), promised_date=date(2026, 12, 30)
    )
    line = order.lines.get()
    line.quantity = Decimal("12.5")
    line.save(update_fields=["quantity"])
    return fulfilment.supplier_order_create(
        actor=None,
        line=line,
        supplier="ООО «Трубный завод»",
        quantity=Decimal("10.000"),
        expected_date=date(2026, 12, 30),
    )


def test_every_edit_form_saved_untouched_changes_nothing(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    default_pipelines: None,  # noqa: F811
    settings: Any,
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1"
    head = two_teams["head_a"]
    account_services.user_update(actor=None, user=head, roles=["head_of_sales", "admin"])
    hunter = two_teams["hunter_a"]
    account_services.user_update(
        actor=None,
        user=hunter,
        first_name="Пётр",
        last_name="Охотников",
        middle_name="Сергеевич",
        email="hunter@example.com",
        position="Охотник",
        phone="+7 900 000-00-01",
        time_zone="Asia/Yekaterinburg",
        language="en",
    )
    forms = build_records(two_teams)

    sign_in(page, live_server, head.username)

    changed: dict[str, Any] = {}
    for form in forms:
        before = snapshot(form.record)
        page.goto(f"{live_server.url}{form.url}")
        with page.expect_navigation():
            page.click(form.submit)
        assert page.locator(".invalid-feedback, .alert-danger").count() == 0, (
            f"{form.name}: the untouched form was refused: {page.inner_text('main')[:500]}"
        )
        after = snapshot(form.record)
        diff = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if diff:
            changed[form.name] = diff
    assert not changed, f"saving untouched forms changed data: {changed}"

"""One world for the cross-app access tests: records of team A, an outsider of team B and
the back office (lawyer, finance, accountant) whose record access is «all»."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from greenwave.accounts import services as account_services
from greenwave.accounts.models import ApiToken, Team, User
from greenwave.activities import services as activity_services
from greenwave.activities.models import Activity
from greenwave.analytics.models import SavedSegment
from greenwave.crm import services as crm_services
from greenwave.crm.models import (
    Company,
    Competitor,
    Contact,
    CustomField,
    DecisionMaker,
    ImportJob,
    PriceList,
    Product,
)
from greenwave.integrations import services as integration_services
from greenwave.integrations.models import WebhookDelivery, WebhookSubscription
from greenwave.outreach import services as outreach_services
from greenwave.outreach.models import Campaign, Delivery, Segment, Unsubscription
from greenwave.planning import services as planning_services
from greenwave.planning.models import DayPlanItem
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, DealItem, Lead, LossReason, Pipeline

_PIPELINES = importlib.import_module("greenwave.sales.migrations.0002_default_pipelines")


@dataclass
class World:
    team_a: Team
    team_b: Team
    back_office: Team
    hunter_a: User
    head_a: User
    hunter_b: User
    admin: User
    lawyer: User
    finance: User
    accountant: User
    pipeline: Pipeline
    company: Company
    other_company: Company
    contact: Contact
    decision_maker: DecisionMaker
    competitor: Competitor
    product: Product
    custom_field: CustomField
    price_list: PriceList
    deal: Deal
    deal_item: DealItem
    loss_reason: LossReason
    lead: Lead
    activity: Activity
    import_job: ImportJob
    token: ApiToken
    day_item: DayPlanItem
    # documents (issue 16): our legal entity (shared), an invoice of team A's deal
    legal_entity: Any = None
    invoice: Any = None
    document: Any = None
    document_template: Any = None
    webhook: Any = None  # integrations: a webhook subscription (admins only)
    product_picture: Any = None  # integrations: a picture 1C sent for the product (shared)
    segment: Any = None  # analytics: a saved segment of team A
    # An invoice of team A as the event log knows it (INVOICE_EVENTS.md); planning's KPI
    # click-through shows its events.
    invoice_case: int = 0
    mail_segment: Any = None  # outreach: a segment of team A's contacts
    campaign: Any = None
    # orders (issue 17): a payment, an order with a shipment and a claim, all of team A
    payment: Any = None
    order: Any = None
    claim: Any = None
    supplier_order: Any = None
    # planning's rules: a KPI from building blocks and a commission scheme (shared), an
    # assistant split of team A's people
    kpi: Any = None
    commission_scheme: Any = None
    assistant_split: Any = None

    def back_officers(self) -> dict[str, User]:
        return {"lawyer": self.lawyer, "finance": self.finance, "accountant": self.accountant}


@pytest.fixture
def world(two_teams: dict[str, Any], make_team: Any, make_user: Any) -> World:
    _PIPELINES.create(apps, None)
    hunter_a = two_teams["hunter_a"]
    back_office = make_team("Back office")
    company = crm_services.company_create(actor=hunter_a, name="Alpha LLC", region="Moscow")
    other = crm_services.company_create(actor=hunter_a, name="Alpha Trading", region="Tver")
    contact = crm_services.contact_create(actor=hunter_a, company=company, full_name="Anna Petrova")
    dm = crm_services.decision_maker_add(
        actor=hunter_a, company=company, contact=contact, role="CEO"
    )
    crm_services.client_profile_update(actor=hunter_a, company=company, goals_note="Grow")
    competitor = crm_services.competitor_create(actor=None, name="Rival Ltd")
    crm_services.competitor_link(actor=hunter_a, competitor=competitor, company=company)
    product = crm_services.product_create(actor=None, name="Widget", sku="W-1")
    custom_field = crm_services.custom_field_create(actor=None, name="Delivery")
    price_list = crm_services.price_list_create(actor=None, name="Base list", kind="base")
    pipeline = Pipeline.objects.get(code="b2b")
    deal = sales_services.deal_create(
        actor=hunter_a, title="Alpha supply", pipeline=pipeline, company=company
    )
    item = sales_services.deal_add_item(
        actor=hunter_a, deal=deal, product=product, quantity=Decimal(2), price=Decimal(100)
    )
    deal.refresh_from_db()
    lead = sales_services.lead_create(
        actor=hunter_a, contact_name="Lena Orlova", company_name="Lead Co", phone="+79990001122"
    )
    activity = activity_services.activity_create(
        actor=hunter_a,
        kind="task",
        subject="Send the proposal",
        company=company,
        due_at=timezone.now() + timedelta(days=1),
    )
    job = crm_services.import_upload(
        actor=hunter_a,
        kind="companies",
        file_name="companies.csv",
        content=b"name,region\nBeta LLC,Kazan\n",
    )
    job = crm_services.import_read(job_id=job.pk)  # as the worker reads it
    token, _raw = account_services.token_issue(actor=None, user=hunter_a, name="laptop")
    plan = planning_services.day_plan_open(actor=hunter_a)
    day_item = planning_services.day_plan_add_item(
        actor=hunter_a, plan=plan, goal="Agree the price", company=company
    )
    segment = outreach_services.segment_create(
        actor=hunter_a, name="Moscow clients", filters={"regions": ["Moscow"]}
    )
    campaign = outreach_services.campaign_create(
        actor=hunter_a, name="News", segment=segment, subject="Hi {{ first_name }}", body="News"
    )
    return World(
        team_a=two_teams["team_a"],
        team_b=two_teams["team_b"],
        back_office=back_office,
        hunter_a=hunter_a,
        head_a=two_teams["head_a"],
        hunter_b=two_teams["hunter_b"],
        admin=two_teams["admin"],
        lawyer=make_user("lawyer", roles=["lawyer"], team=back_office),
        finance=make_user("finance", roles=["finance"], team=back_office),
        accountant=make_user("accountant", roles=["accountant"], team=back_office),
        pipeline=pipeline,
        company=company,
        other_company=other,
        contact=contact,
        decision_maker=dm,
        competitor=competitor,
        product=product,
        custom_field=custom_field,
        price_list=price_list,
        deal=deal,
        deal_item=item,
        loss_reason=LossReason.objects.filter(pipeline=pipeline, is_active=True).first(),  # type: ignore[arg-type]
        lead=lead,
        activity=activity,
        import_job=job,
        token=token,
        day_item=day_item,
        **_documents_world(hunter_a, deal),
        webhook=integration_services.webhook_create(
            actor=None, url="https://93.184.215.14/hooks", events=["deal.won"]
        ),
        product_picture=_product_picture(product),
        invoice_case=_invoice_of(hunter_a),
        segment=SavedSegment.objects.create(
            name="Top clients",
            kind="abc",
            rule={"kind": "abc", "classes": ["A"]},
            company_ids=[company.pk],
            responsible=hunter_a,
            team=hunter_a.team,
        ),
        mail_segment=segment,
        campaign=campaign,
        **_orders_world(hunter_a, company, pipeline),
        **_planning_world(two_teams),
    )


def _planning_world(two_teams: dict[str, Any]) -> dict[str, Any]:
    from datetime import date

    admin = two_teams["admin"]
    return {
        "kpi": planning_services.kpi_create(
            actor=admin,
            key="won_count",
            spec=planning_services.KpiSpec(
                name="Выигранные",
                source="record",
                aggregate="count",
                record="deal",
                date_field="closed_at",
                filters={"status": "won"},
            ),
        ),
        "commission_scheme": planning_services.commission_scheme_save(
            actor=admin, name="Базовая", default_percent="5"
        ),
        "assistant_split": planning_services.assistant_split_save(
            actor=admin,
            manager=two_teams["hunter_a"],
            assistant=two_teams["head_a"],
            share_percent="10",
            valid_from=date(2026, 1, 1),
        ),
    }


def _product_picture(product: Product) -> Any:
    from django.core.files.base import ContentFile

    from greenwave.integrations.models import ProductPicture

    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    picture = ProductPicture(
        product=product,
        source="import_files/w/w-1.gif",
        sha256="0" * 64,
        content_type="image/gif",
        size=len(gif),
        width=1,
        height=1,
    )
    picture.file.save("w-1.gif", ContentFile(gif), save=True)
    return picture


def _documents_world(hunter_a: User, deal: Deal) -> dict[str, Any]:
    import io

    import docx

    from greenwave.documents import services as document_services
    from greenwave.documents.tests.conftest import SELLER

    entity = document_services.legal_entity_create(actor=None, data=dict(SELLER))
    invoice = document_services.invoice_create_from_deal(actor=hunter_a, deal=deal)
    document = document_services.document_generate(
        actor=hunter_a, deal=deal, kind="quote", with_pdf=False
    )
    word = docx.Document()
    word.add_paragraph("КП № {{ document.number }} для {{ buyer.name }}")
    data = io.BytesIO()
    word.save(data)
    template = document_services.document_template_upload(
        actor=None,
        legal_entity=entity,
        kind="quote",
        name="Our proposal",
        file_name="kp.docx",
        data=data.getvalue(),
    )
    return {
        "legal_entity": entity,
        "invoice": invoice,
        "document": document,
        "document_template": template,
    }


def _invoice_of(user: User) -> int:
    from greenwave.core.services import event_append

    case = 900001
    event_append(
        case_type="invoice",
        case_id=case,
        activity="invoice_issued",
        actor=user,
        payload={
            "number": "1",
            "total": "100.00",
            "responsible_id": user.pk,
            "team_id": user.team_id,
        },
    )
    return case


def _orders_world(hunter_a: User, company: Any, pipeline: Pipeline) -> dict[str, Any]:
    """Records of team A built directly (a won deal needs every gate of the pipeline; the
    orders tests build them through the services)."""
    from greenwave.documents.models import Invoice
    from greenwave.orders.models import Claim, Order, OrderLine, Payment, SupplierOrder

    deal = sales_services.deal_create(
        actor=hunter_a, title="Alpha order", pipeline=pipeline, company=company
    )
    invoice = Invoice.objects.filter(deal__company=company).first()
    payment = Payment.objects.create(
        invoice=invoice,
        amount=Decimal(50),
        payment_date=timezone.localdate(),
        responsible=hunter_a,
        team=hunter_a.team,
    )
    order = Order.objects.create(
        deal=deal,
        company=company,
        promised_date=timezone.localdate() + timedelta(days=30),
        amount=Decimal(200),
        responsible=hunter_a,
        team=hunter_a.team,
    )
    line = OrderLine.objects.create(order=order, position=1, name="Widget", quantity=2, price=100)
    supplier_order = SupplierOrder.objects.create(
        line=line,
        supplier="Widget works",
        quantity=1,
        expected_date=timezone.localdate() + timedelta(days=7),
    )
    claim = Claim.objects.create(
        order=order,
        kind="claim",
        subject="Broken widget",
        deadline=timezone.localdate() + timedelta(days=10),
        responsible=hunter_a,
        team=hunter_a.team,
    )
    return {
        "payment": payment,
        "order": order,
        "claim": claim,
        "supplier_order": supplier_order,
    }


def snapshot() -> dict[str, Any]:
    """Every watched row, column by column, plus the size of the event log (every state
    change appends to it): two equal snapshots mean nothing changed."""
    from greenwave.core.models import Event, EventObject
    from greenwave.crm.models import ClientProfile, CompetitorPresence, Price
    from greenwave.documents.models import (
        Document,
        DocumentTemplate,
        DocumentVersion,
        Invoice,
        InvoiceLine,
        LegalEntity,
    )
    from greenwave.orders.models import (
        Claim,
        Order,
        OrderLine,
        Payment,
        Shipment,
        SupplierOrder,
    )
    from greenwave.sales.models import ClientHandoff, DealApproval, DealDocument

    models: list[Any] = [
        Company,
        Contact,
        DecisionMaker,
        ClientProfile,
        Competitor,
        CompetitorPresence,
        Product,
        PriceList,
        Price,
        ImportJob,
        Deal,
        DealItem,
        DealApproval,
        DealDocument,
        ClientHandoff,
        Lead,
        Activity,
        DayPlanItem,
        User,
        Team,
        LegalEntity,
        Invoice,
        InvoiceLine,
        Document,
        DocumentVersion,
        DocumentTemplate,
        WebhookSubscription,
        WebhookDelivery,
        Segment,
        Campaign,
        Delivery,
        Unsubscription,
        Payment,
        Order,
        OrderLine,
        Shipment,
        Claim,
        SupplierOrder,
    ]
    state: dict[str, Any] = {
        model.__name__: sorted(model.objects.values_list(), key=repr) for model in models
    }
    state["ApiToken"] = sorted(
        ApiToken.objects.values_list("pk", "user_id", "name", "revoked_at", "expires_at")
    )
    state["events"] = (Event.objects.count(), EventObject.objects.count())
    return state

"""Deals move through the B2B pipeline only when each stage's output is met."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.core.services import event_append
from greenwave.sales import services
from greenwave.sales.errors import SalesError
from greenwave.sales.models import Deal, DealStatus, LossReason
from greenwave.sales.tests.conftest import log_a_call

pytestmark = pytest.mark.django_db


def make_deal(two_teams, b2b, **kw):
    return services.deal_create(
        actor=two_teams["hunter_a"], title="Поставка труб", pipeline=b2b, **kw
    )


def _attach_the_cp_file(hunter, deal):
    """The commercial proposal «КП №1» with its PDF, attached to the deal."""
    services.deal_attach_document(
        actor=hunter,
        deal=deal,
        kind="cp",
        title="КП №1",
        file=SimpleUploadedFile("kp.pdf", b"%PDF"),
    )


def test_moving_past_an_unmet_output_is_refused_with_what_is_missing(two_teams, b2b, stages):
    deal = make_deal(two_teams, b2b)

    with pytest.raises(DomainError) as caught:
        services.deal_move(actor=two_teams["hunter_a"], deal=deal, stage=stages["needs"])

    assert caught.value.code == SalesError.GATE_NOT_MET
    missing = caught.value.details["missing"]
    assert [m["key"] for m in missing] == ["call_completed"]
    deal.refresh_from_db()
    assert deal.stage == stages["qualification"]
    assert deal.version == 1


def test_a_completed_call_recorded_in_the_event_log_opens_the_gate(two_teams, b2b, stages):
    deal = make_deal(two_teams, b2b)
    log_a_call(deal)

    moved = services.deal_move(actor=two_teams["hunter_a"], deal=deal, stage=stages["needs"])

    assert moved.stage == stages["needs"]
    event = Event.objects.filter(case_type="deal", activity="deal_stage_changed").get()
    assert event.prev_activity == "deal_created"
    assert event.payload["from_name"] == "Квалификация"
    assert event.payload["direction"] == "forward"


def test_skipping_stages_checks_every_gate_passed(two_teams, b2b, stages):
    deal = make_deal(two_teams, b2b)
    event_append(case_type="deal", case_id=deal.pk, activity="call_completed", actor=None)
    with pytest.raises(DomainError) as caught:
        services.deal_move(actor=two_teams["hunter_a"], deal=deal, stage=stages["cp_preparation"])
    stages_missing = {m["stage"] for m in caught.value.details["missing"]}
    assert stages_missing == {"Оценка потребности", "Презентация"}


def test_head_overrides_a_gate_with_a_recorded_comment(two_teams, b2b, stages):
    deal = make_deal(two_teams, b2b)
    with pytest.raises(DomainError) as caught:
        services.deal_move(
            actor=two_teams["hunter_a"],
            deal=deal,
            stage=stages["needs"],
            override_comment="please",
        )
    assert caught.value.code == SalesError.OVERRIDE_NOT_ALLOWED

    services.deal_move(
        actor=two_teams["head_a"],
        deal=deal,
        stage=stages["needs"],
        override_comment="Клиент подтвердил по почте",
    )
    event = Event.objects.get(case_type="deal", activity="deal_stage_changed")
    assert event.payload["override"] is True
    assert event.payload["override_comment"] == "Клиент подтвердил по почте"
    assert event.payload["missing"]


def test_backward_moves_need_no_gate(two_teams, b2b, stages):
    deal = make_deal(two_teams, b2b, stage=stages["presentation"])
    moved = services.deal_move(actor=two_teams["hunter_a"], deal=deal, stage=stages["needs"])
    assert moved.stage == stages["needs"]


def test_documents_approvals_and_fields_meet_later_gates(
    two_teams, b2b, stages, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    deal = make_deal(two_teams, b2b, stage=stages["cp_preparation"])
    hunter, head = two_teams["hunter_a"], two_teams["head_a"]
    with pytest.raises(DomainError):
        services.deal_move(actor=hunter, deal=deal, stage=stages["cp_approval"])

    _attach_the_cp_file(hunter, deal)
    deal = services.deal_update(actor=hunter, deal=deal, amount=Decimal("150000"))
    deal = services.deal_move(actor=hunter, deal=deal, stage=stages["cp_approval"])

    with pytest.raises(DomainError) as caught:
        services.deal_approve(actor=hunter, deal=deal, kind="cp")
    assert caught.value.code == SalesError.APPROVAL_NOT_ALLOWED
    services.deal_approve(actor=head, deal=deal, kind="cp")
    with pytest.raises(DomainError) as caught:
        services.deal_move(actor=hunter, deal=deal, stage=stages["contract"])
    assert [m["key"] for m in caught.value.details["missing"]] == ["expected_close_date"]


def test_win_needs_the_last_stage_and_its_output(two_teams, b2b, stages):
    hunter = two_teams["hunter_a"]
    deal = make_deal(two_teams, b2b, stage=stages["invoice"])
    with pytest.raises(DomainError) as caught:
        services.deal_win(actor=hunter, deal=deal)
    assert caught.value.code == SalesError.NOT_LAST_STAGE

    deal = services.deal_move(
        actor=two_teams["head_a"],
        deal=deal,
        stage=stages["payment"],
        override_comment="Счёт выставлен вне системы",
    )
    with pytest.raises(DomainError):
        services.deal_win(actor=hunter, deal=deal)
    services.deal_approve(actor=two_teams["admin"], deal=deal, kind="payment")
    won = services.deal_win(actor=hunter, deal=deal)
    assert won.status == DealStatus.WON
    assert won.probability == 100
    assert Event.objects.filter(case_type="deal", activity="deal_won").count() == 1


def test_losing_needs_a_reason_of_the_same_pipeline_and_a_lost_deal_cannot_move(
    two_teams, b2b, stages
):
    hunter = two_teams["hunter_a"]
    deal = make_deal(two_teams, b2b)
    other_reason = LossReason.objects.exclude(pipeline=b2b).first()
    with pytest.raises(DomainError) as caught:
        services.deal_lose(actor=hunter, deal=deal, reason=None)
    assert caught.value.code == SalesError.LOSS_REASON_REQUIRED
    with pytest.raises(DomainError):
        services.deal_lose(actor=hunter, deal=deal, reason=other_reason)
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.OPEN

    reason = b2b.loss_reasons.first()
    lost = services.deal_lose(actor=hunter, deal=deal, reason=reason, comment="дорого")
    assert lost.lost_reason == reason
    with pytest.raises(DomainError) as caught:
        services.deal_move(actor=hunter, deal=lost, stage=stages["qualification"])
    assert caught.value.code == SalesError.DEAL_CLOSED
    event = Event.objects.get(case_type="deal", activity="deal_lost")
    assert event.payload["stage_name"] == "Квалификация"

    reopened = services.deal_reopen(actor=hunter, deal=lost)
    assert reopened.status == DealStatus.OPEN
    assert reopened.lost_reason is None


def test_moving_to_a_stage_of_another_pipeline_is_refused(two_teams, b2b):
    deal = make_deal(two_teams, b2b)
    foreign = b2b.__class__.objects.get(code="call_centre").stages.first()
    with pytest.raises(DomainError) as caught:
        services.deal_move(actor=two_teams["hunter_a"], deal=deal, stage=foreign)
    assert caught.value.code == SalesError.WRONG_PIPELINE


def test_a_stale_version_is_a_conflict_and_changes_nothing(two_teams, b2b, stages):
    deal = make_deal(two_teams, b2b, stage=stages["presentation"])
    services.deal_move(
        actor=two_teams["hunter_a"], deal=deal, stage=stages["needs"], expected_version=1
    )
    with pytest.raises(DomainError) as caught:
        services.deal_move(
            actor=two_teams["hunter_a"],
            deal=deal,
            stage=stages["qualification"],
            expected_version=1,
        )
    assert caught.value.code == SalesError.STALE_VERSION
    assert caught.value.status == 409
    assert Deal.objects.get(pk=deal.pk).stage == stages["needs"]


def test_another_teams_user_cannot_touch_the_deal(two_teams, b2b, stages):
    deal = make_deal(two_teams, b2b, stage=stages["presentation"])
    with pytest.raises(DomainError) as caught:
        services.deal_move(actor=two_teams["hunter_b"], deal=deal, stage=stages["needs"])
    assert caught.value.code == "not_found"


def test_a_document_gate_needs_the_file_not_only_a_title(
    two_teams, b2b, stages, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    hunter = two_teams["hunter_a"]
    deal = make_deal(two_teams, b2b, stage=stages["cp_preparation"])
    deal = services.deal_update(actor=hunter, deal=deal, amount=Decimal("150000"))
    services.deal_attach_document(actor=hunter, deal=deal, kind="cp", title="КП №1")
    with pytest.raises(DomainError) as caught:
        services.deal_move(actor=hunter, deal=deal, stage=stages["cp_approval"])
    assert [m["key"] for m in caught.value.details["missing"]] == ["cp"]

    _attach_the_cp_file(hunter, deal)
    deal = services.deal_move(actor=hunter, deal=deal, stage=stages["cp_approval"])
    assert deal.stage == stages["cp_approval"]


def test_the_card_refuses_a_document_without_a_file(two_teams, b2b, stages, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deal = make_deal(two_teams, b2b, stage=stages["cp_preparation"])
    client = Client()
    client.force_login(two_teams["hunter_a"])
    url = f"/sales/deals/{deal.pk}/document/"
    client.post(url, {"kind": "cp", "title": "КП без файла"})
    assert not deal.documents.exists()
    client.post(url, {"kind": "cp", "title": "КП", "file": SimpleUploadedFile("kp.pdf", b"%PDF")})
    assert deal.documents.get().file.name.endswith(".pdf")
    gate = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert "bi-check-circle-fill" in gate


def test_the_api_says_a_title_only_document_meets_no_gate(
    two_teams, b2b, stages, bearer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    deal = make_deal(two_teams, b2b, stage=stages["cp_preparation"])
    api = bearer(two_teams["hunter_a"])
    noted = api.post(
        f"/api/v1/deals/{deal.pk}/documents/note",
        {"kind": "cp", "title": "КП"},
        content_type="application/json",
    )
    assert noted.status_code == 201
    assert noted.json()["met"] is False
    uploaded = api.post(
        f"/api/v1/deals/{deal.pk}/documents/file",
        {"kind": "cp", "file": SimpleUploadedFile("kp.pdf", b"%PDF")},
    )
    assert uploaded.status_code == 201
    assert uploaded.json()["met"] is True
    assert deal.documents.exclude(file="").count() == 1

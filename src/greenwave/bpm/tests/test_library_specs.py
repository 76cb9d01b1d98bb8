"""The built-in processes are data (bpm/library/*.toml) read by one builder (`specs`).

The BPMN they make is byte for byte the BPMN of the Python declarations they replaced (issue
#25): `BEFORE` holds its SHA-256 per process. A deliberate change of a process changes its
digest here too, and says so in its commit.
"""

from __future__ import annotations

import hashlib

import pytest

from greenwave.bpm.library import LIBRARY, PROCESSES, library_xml, process_xml, specs
from greenwave.bpm.library.competence import (
    CALL_CHECKLIST,
    CHECKLIST,
    MEETING_CHECKLIST,
    WEAK_BELOW,
)

BEFORE = {
    "contract_approval": "047fb710ec08fc6b692becffe035a832971a7e974e82a5269c5f42a6eab88694",
    "document_approval": "6723d22fd8a6b354f62ea28d9c22b478acbca2faef24d80edc2a2ca67a8a3b43",
    "acknowledgement": "70ecaae67a24c8d0811c0ea49fce9fdb0763df3eeebeb171367498872a8a765d",
    "invoice_payment": "9a6e08a6fb51dcb252d607a3ebeade410e4ba119fdfbc13da649f84573a43305",
    "web_lead": "2bae7c982080ac3c79937da0a82ecd3e338b91bacffc119366597cc9ffb119f8",
    "sick_leave": "3ea858485cfb36700cb90ece22a314a308601bd495f682e0e8000bc05f419c63",
    "business_trip": "86e7c9d9a5426106510cf5e5951b08fd6c1bada78b9ecaf9ad6fdc48021c34ae",
    "time_off": "f69548bd9f2480fac65d2478fa3b91d487107b4b7442f42a7f7cba8f2d5cd121",
    "vacation": "e2781ad9f0e7babfa74a7e811408de6066f4b0908f8ff0ab02aade0a8a8b4ce2",
    "dismissal": "91615c90d1ab4775a23e23b16cf63cd07674eebc503b523f811bf4fada6d3951",
    "hiring": "12319720d7339a44b2d7ed8a4d479503f9f6bac2f900224c15e905c1e1eca05d",
    "competence_assessment": "7e477b8d79e6f64a26999a214514d8ddd9835c16e4420f473723843b775e0235",
    "supplier_order": "dd546c7ae18b5d60598da9b47b6e95b6e675ac2b5215775b1e695ee3053a10d5",
    "shipment": "d8a3c075b01ff19ae7f1ffa76cce063697028c8927bf8cb5876679292e976929",
    "contract_approval_directors": (
        "30b2f7d3b584de8be591f74cad53bb1ea87ecc589eb9390f64a74aeb5c5e9323"
    ),
    "claim_handling": "4b66eb71d5fa3d44638258dbdb7d08fed33807052f77521976535b4b8bac5583",
}


def test_the_specs_build_the_bpmn_of_the_python_declarations_byte_for_byte() -> None:
    built = library_xml()
    assert list(built) == list(BEFORE)  # the same processes, in the same order
    assert {key: hashlib.sha256(xml).hexdigest() for key, xml in built.items()} == BEFORE
    assert process_xml("claim_handling") == built["claim_handling"]


def test_each_process_is_declared_once_with_unique_node_ids() -> None:
    assert len(PROCESSES) == len(LIBRARY)
    for process in LIBRARY:
        ids = [n.id for n in process.nodes]
        assert len(ids) == len(set(ids)), process.key
        assert {f.source for f in process.flows} | {f.target for f in process.flows} <= set(ids)


def test_the_weak_competence_gateway_asks_for_every_checklist_score() -> None:
    assert [f.name for f in CALL_CHECKLIST] == [
        "call_contact",
        "call_needs",
        "call_presentation",
        "call_objections",
        "call_closing",
    ]
    assert len(MEETING_CHECKLIST) == 4
    (weak,) = [f for f in PROCESSES["competence_assessment"].flows if f.target == "plan"]
    assert weak.condition == " or ".join(f"{f.name} < {WEAK_BELOW}" for f in CHECKLIST)


def test_a_spec_with_a_key_the_builder_does_not_know_fails_loudly() -> None:
    with pytest.raises(ValueError, match="unknown"):
        specs.node({"id": "a", "kind": "user", "name": "A", "lane": "L", "assignee": "=x"}, {})
    with pytest.raises(ValueError, match="unknown"):
        specs.flows([{"from": "a", "to": "b", "condition": "x"}])
    with pytest.raises(KeyError):
        specs.node({"id": "a", "kind": "user", "name": "A", "lane": "L", "form": ["nope"]}, {})


def test_node_attributes_keep_their_written_order_and_events_their_xml() -> None:
    node = specs.node(
        {"id": "t", "kind": "user", "name": "T", "lane": "L", "due": "P2D", "to": "=a"}, {}
    )
    assert list(node.attrs) == ["gw:dueIn", "gw:assignee"]
    end = specs.node(
        {"id": "e", "kind": "end", "name": "E", "lane": "L", "outcome": "x", "terminate": True}, {}
    )
    assert end.attrs == {"gw:outcome": "x"}
    assert end.extra_xml == '<bpmn:terminateEventDefinition id="e_terminate"/>'

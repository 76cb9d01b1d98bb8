"""The built-in processes are data (bpm/library/*.toml) read by one builder (`specs`).

The BPMN they make is byte for byte the BPMN of the Python declarations they replaced (issue
#25): `BEFORE` holds its SHA-256 per process. A deliberate change of a process changes its
digest here too, and says so in its commit.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from lxml import etree

from greenwave.bpm.library import LIBRARY, PROCESSES, library_xml, process_xml, specs
from greenwave.bpm.library.competence import (
    CALL_CHECKLIST,
    CHECKLIST,
    MEETING_CHECKLIST,
    WEAK_BELOW,
)

BEFORE = {
    "contract_approval": "d58582d5d93f82922066034811154573f6f53c70320ad2ddc5cfe3eb8d56c050",
    "document_approval": "96104450749f39d635947749b0bf3015550e8d43a09f87b8e95f674b6f611c44",
    "acknowledgement": "70ecaae67a24c8d0811c0ea49fce9fdb0763df3eeebeb171367498872a8a765d",
    "invoice_payment": "0ddf556d0ee82c97c1e669b367b781468824238369d8af5ca1961e215ec04f47",
    "web_lead": "dbf2315744b548dd3ab27bd7c4f6f5cd971736bffb35b66fd48d052a124a2c2e",
    "sick_leave": "2a1b4afbef4ffd55949299765335f00458da12e08c9075b111722694588fbafd",
    "business_trip": "27de1c2a8ecb8b48c1c66b41a81f1d2ff5648ff9dd133ac45ace4fdb8589532b",
    "time_off": "67eedd8abbeb46d2a9d3581b20afa68c1237ab682d7519bcf06b5d787f56cc78",
    "vacation": "9086aa5a142bd3e62fd87c851266da8b6ee3bd3a25e0754b7ce105d34aad30fc",
    "dismissal": "47da169ce8844f40041536370f3643e8a10a60820c167dddae6684afea9236af",
    "hiring": "12319720d7339a44b2d7ed8a4d479503f9f6bac2f900224c15e905c1e1eca05d",
    "competence_assessment": "19974187d165a4e042ec6aef3ca1919e5f75788b099e14227ac4a723985be0cc",
    "supplier_order": "9eeb359cf26421f0313449217d7828f3ca99e89182ba84bd3b48364850d67c22",
    "shipment": "d68eda91d022577f2b72c7af19986b99fe1471f0bec1f048f8a565f965df2812",
    "contract_approval_directors": (
        "887f1285936fd634cac42d90ea190288dbb5d45194824b3e0906ff5dcc3b0aa9"
    ),
    "claim_handling": "677c413bc401292e4ede04a8f0e50c347d0b7070e92aad31a10f1c3e8fb83b7f",
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


DI = {
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
}


def _box(bounds: Any) -> tuple[int, ...]:
    return tuple(int(bounds.get(a)) for a in ("x", "y", "width", "height"))


@pytest.mark.parametrize("key", list(PROCESSES))
def test_the_library_s_labels_overlap_nothing(key: str) -> None:
    """On the contract approval the names of the flows leaving a gateway («На доработку»,
    «Отклонён») were drawn on top of each other: every gateway and named flow carries its own
    label box, and no two boxes overlap, nor a box a shape."""
    tree = etree.fromstring(process_xml(key))
    shapes = [
        _box(s.find("dc:Bounds", DI))
        for s in tree.iterfind(".//bpmndi:BPMNShape", DI)
        if not s.get("bpmnElement").startswith(("Participant_", "Lane_"))
    ]
    labels = [_box(b) for b in tree.iterfind(".//bpmndi:BPMNLabel/dc:Bounds", DI)]
    named = tree.xpath("//*[local-name()='sequenceFlow' and @name]")
    gateways = tree.xpath("//*[local-name()='exclusiveGateway' or local-name()='parallelGateway']")
    assert len(labels) == len(named) + len(gateways)

    def overlap(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
        return (
            a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
        )

    for i, a in enumerate(labels):
        assert not [b for b in labels[i + 1 :] if overlap(a, b)], a
        assert not [s for s in shapes if overlap(a, s)], a

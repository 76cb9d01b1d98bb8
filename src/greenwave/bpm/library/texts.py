"""The built-in processes in the reader's language, at display time.

The library's BPMN is written in Russian and stored byte for byte as deployed; an English
reader sees the English of `english.ENGLISH` instead. Only a text the library itself put at a
process key is translated: a process a user drew or uploaded under another key, or a text they
changed in a library process, is shown as written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from .english import ENGLISH
from .layout import LABEL_CHAR, Process

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"


def process_texts(process: Process) -> Iterator[str]:
    """Every text of a library process a person may read: its name and description, lanes,
    steps, events and gateways, flows, form labels and choices."""
    yield process.name
    yield process.documentation
    yield from process.lanes
    for node in process.nodes:
        yield node.name
        for field in node.form:
            yield field.label
            yield from (label for _value, label in field.choices)
    for flow in process.flows:
        yield flow.name


@cache
def _texts_by_key() -> dict[str, frozenset[str]]:
    from . import LIBRARY

    return {p.key: frozenset(t for t in process_texts(p) if t) for p in LIBRARY}


def _english(language: str | None) -> bool:
    code = language or get_language() or settings.LANGUAGE_CODE
    return code.lower().startswith("en")


def library_text(key: str, text: str, language: str | None = None) -> str:
    """`text` of the process `key` in `language` (default: the active one)."""
    if not text or not _english(language) or text not in _texts_by_key().get(key, ()):
        return text
    return ENGLISH.get(text, text)


def library_form(
    key: str, schema: Sequence[Mapping[str, Any]], language: str | None = None
) -> list[dict[str, Any]]:
    """A task's form with its labels and choice labels in `language` (values stay)."""
    if not _english(language) or key not in _texts_by_key():
        return [dict(spec) for spec in schema]
    out = []
    for spec in schema:
        field = dict(spec)
        if field.get("label"):
            field["label"] = library_text(key, str(field["label"]), language)
        if field.get("choices"):
            field["choices"] = [
                [value, library_text(key, str(label), language)]
                for value, label in field["choices"]
            ]
        out.append(field)
    return out


def library_catalogue(language: str | None = None) -> list[dict[str, str]]:
    """The built-in processes as the «new process» page lists them: key, name, description."""
    from . import LIBRARY

    return [
        {
            "key": p.key,
            "name": library_text(p.key, p.name, language),
            "description": library_text(p.key, p.documentation, language),
        }
        for p in LIBRARY
    ]


def library_display_xml(key: str, xml: bytes, language: str | None = None) -> bytes:
    """A copy of a process's BPMN for the diagram viewer, with a built-in process's names
    (pool, lanes, steps, events, gateways, flows), documentation and form labels in
    `language`. Only for display: the stored and exported XML stays as uploaded. Any other
    process, or a Russian reader, gets the stored bytes."""
    if not _english(language) or key not in _texts_by_key():
        return xml
    from lxml import etree

    from greenwave.bpm.engine import GW_NS, BpmnFileError, parse_xml

    try:
        root = parse_xml(xml)
    except BpmnFileError:
        return xml
    flow_names: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace = etree.QName(element).namespace
        if namespace == BPMN_NS:
            if element.get("name"):
                element.set("name", library_text(key, str(element.get("name")), language))
                if etree.QName(element).localname == "sequenceFlow":
                    flow_names[str(element.get("id"))] = str(element.get("name"))
            if etree.QName(element).localname == "documentation" and element.text:
                element.text = library_text(key, element.text, language)
        elif namespace == GW_NS and element.get("label"):
            element.set("label", library_text(key, str(element.get("label")), language))
    _widen_flow_labels(root, flow_names)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _widen_flow_labels(root: Any, names: Mapping[str, str]) -> None:
    """A flow's label box as wide as its English name: the box was made for the Russian one
    («Опт»), and a narrower box splits a word («Whol|esale») across two lines."""
    for edge in root.iter(f"{{{BPMNDI_NS}}}BPMNEdge"):
        name = names.get(str(edge.get("bpmnElement")))
        bounds = edge.find(f"{{{BPMNDI_NS}}}BPMNLabel/{{{DC_NS}}}Bounds")
        if name and bounds is not None:
            width = LABEL_CHAR * len(name) + 10
            if float(bounds.get("width") or 0) < width:
                bounds.set("width", str(width))

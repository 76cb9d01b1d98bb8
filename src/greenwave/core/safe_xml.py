"""One safe lxml parser for the XML people upload (BPMN, DMN, CommerceML): no entities, no DTD,
no network, no huge trees. `feeldmn` keeps its own (it imports nothing of Greenwave)."""

from __future__ import annotations

from typing import Any

from lxml import etree

SAFE_PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}


def safe_xml_parser(**options: bool) -> Any:
    """An lxml parser with the safe options and the caller's own (e.g. `remove_comments=True`)."""
    return etree.XMLParser(**SAFE_PARSER_OPTIONS, **options)

"""Steps shared by the browser journeys: a screenshot of the page under test-artifacts/, the deal
of pumps at the contract stage, the widths of selects, buttons and tables. (Signing in is in
signing.py.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from greenwave.core.tests.browser.conftest import ARTIFACTS
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, Pipeline


def screenshot(page: Any, name: str) -> None:
    """The whole page as test-artifacts/`name`.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def pumps_at_the_contract(manager: Any, company: Any) -> Deal:
    """«Поставка насосов» for 150 000 of `company`, `manager`'s, at the B2B contract stage."""
    b2b = Pipeline.objects.get(code="b2b")
    return sales_services.deal_create(
        actor=manager,
        title="Поставка насосов",
        pipeline=b2b,
        stage=b2b.stages.get(code="contract"),
        amount=Decimal("150000"),
        expected_close_date=date(2030, 1, 31),
        company=company,
    )


# The room a select's chosen option needs — its text in the select's font plus the select's
# paddings (the right one holds the arrow) — against the width the select has.
_SELECT_ROOM = """(select) => {
  const style = getComputedStyle(select);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = ctx.measureText(select.options[select.selectedIndex].text).width;
  return {needed: text + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight),
          width: select.clientWidth};
}"""

# The lines a button's label takes: one box per line of its text.
_LABEL_LINES = """(button) => {
  const range = document.createRange();
  range.selectNodeContents(button);
  const lines = [...range.getClientRects()].filter((r) => r.width > 0);
  return new Set(lines.map((r) => Math.round(r.top))).size;
}"""


def select_shows_its_value_whole(page: Any, selector: str) -> None:
    """The select at `selector` is wide enough for the option it shows (none cut short)."""
    room = page.locator(selector).evaluate(_SELECT_ROOM)
    assert room["width"] >= room["needed"], (selector, room)


def button_label_lines(page: Any, selector: str) -> int:
    """How many lines the label of the button at `selector` wraps over."""
    return int(page.locator(selector).evaluate(_LABEL_LINES))


# The table's width against the room of the card or wrapper it sits in (its content box).
_TABLE_ROOM = """(table) => {
  let box = table.parentElement;
  while (box.classList.contains("table-responsive")) box = box.parentElement;
  const style = getComputedStyle(box);
  const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {width: table.getBoundingClientRect().width, room: room};
}"""


def table_fits(page: Any, selector: str) -> None:
    """The table at `selector` fits its card whole: no column cut off or scrolled aside."""
    size = page.locator(selector).evaluate(_TABLE_ROOM)
    assert size["width"] <= size["room"] + 0.5, (selector, size)

"""Browser journey of the client base: import a cp1251 file → find the client → fill in a
decision maker's profile → see every change in the card's history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm.requisites import inn_with_checksum

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_imports_finds_client_edits_decision_maker_and_sees_history(
    page: Any, live_server: Any, two_teams: dict[str, Any], tmp_path: Path
) -> None:
    inn = inn_with_checksum("770145123")
    bad_inn = inn_with_checksum("500100732")[:-1] + "0"
    file = tmp_path / "clients.csv"
    file.write_bytes(
        (
            "Название;ИНН;Регион;Контактное лицо;Должность\n"
            f"ООО «Ромашка»;{inn};Москва;Иванов Пётр;Генеральный директор\n"
            f"ООО «Сломанная»;{bad_inn};Тула;;\n"
        ).encode("cp1251")
    )

    sign_in(page, live_server, "head_a")

    page.goto(f"{live_server.url}/clients/import/")
    page.set_input_files("input[name=file]", str(file))
    page.click("[data-testid=upload]")
    page.click("[data-testid=check]")
    assert "Строк с ошибками: 1" in page.inner_text("[data-testid=check-summary]")
    assert bad_inn in page.inner_text("[data-testid=import-errors]")
    page.check("#skip_invalid")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=import-progress] >> text=100%")

    page.goto(f"{live_server.url}/clients/companies/")
    page.fill("#list-q", "ромашк")
    page.wait_for_selector("[data-testid=company-table] >> text=ООО «Ромашка»")
    assert page.locator("[data-testid=company-table] tbody tr").count() == 1
    page.click("text=ООО «Ромашка»")

    page.click("[data-testid=tab-contacts]")
    page.click("[data-testid=add-dm]")
    page.select_option("select[name=contact]", label="Иванов Пётр")
    page.select_option("select[name=influence_level]", "5")
    page.fill("textarea[name=personal_benefits]", "Премия за снижение затрат")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=decision-maker]")

    page.click("[data-testid=edit-dm]")
    page.fill("textarea[name=hobbies]", "Рыбалка")
    page.select_option("select[name=attitude]", "supporter")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=decision-maker] >> text=Рыбалка")

    page.click("[data-testid=tab-history]")
    history = page.inner_text("#tab-history")
    assert "Изменён профиль ЛПР" in history
    assert "Сторонник" in history
    assert "Добавлено ЛПР" in history
    assert "Создана компания" in history

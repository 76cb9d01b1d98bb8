"""The demo company's people: users of every role in two sales teams under one department."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings

from . import services
from .models import RoleCode, Team, User

DEPARTMENT = "Коммерческий департамент"
NORTH = "Отдел продаж «Север»"
SOUTH = "Отдел продаж «Юг»"

# login, first name, last name, position, roles, team
DEMO_USERS: list[tuple[str, str, str, str, list[str], str]] = [
    (
        "director",
        "Ольга",
        "Смирнова",
        "Коммерческий директор",
        [RoleCode.HEAD_OF_SALES],
        DEPARTMENT,
    ),
    (
        "head_north",
        "Андрей",
        "Волков",
        "Руководитель отдела продаж",
        [RoleCode.HEAD_OF_SALES],
        NORTH,
    ),
    ("callcenter", "Мария", "Козлова", "Оператор колл-центра", [RoleCode.CALL_CENTER], NORTH),
    ("hunter", "Дмитрий", "Соколов", "Менеджер по активным продажам", [RoleCode.HUNTER], NORTH),
    ("closer", "Игорь", "Морозов", "Менеджер по сделкам", [RoleCode.CLOSER], NORTH),
    ("farmer", "Елена", "Павлова", "Менеджер клиентского отдела", [RoleCode.FARMER], NORTH),
    ("kam", "Сергей", "Лебедев", "Менеджер по ключевым клиентам", [RoleCode.KAM], NORTH),
    (
        "head_south",
        "Наталья",
        "Новикова",
        "Руководитель отдела продаж",
        [RoleCode.HEAD_OF_SALES],
        SOUTH,
    ),
    ("callcenter2", "Анна", "Кузнецова", "Оператор колл-центра", [RoleCode.CALL_CENTER], SOUTH),
    ("hunter2", "Павел", "Попов", "Менеджер по активным продажам", [RoleCode.HUNTER], SOUTH),
    ("farmer2", "Татьяна", "Васильева", "Менеджер клиентского отдела", [RoleCode.FARMER], SOUTH),
    ("lawyer", "Михаил", "Фёдоров", "Юрист", [RoleCode.LAWYER], NORTH),
    ("lawyer2", "Вера", "Григорьева", "Юрист", [RoleCode.LAWYER], SOUTH),
    ("finance", "Светлана", "Михайлова", "Финансовый менеджер", [RoleCode.FINANCE], NORTH),
    ("accountant", "Юлия", "Алексеева", "Бухгалтер", [RoleCode.ACCOUNTANT], SOUTH),
    ("hr", "Ирина", "Егорова", "HR-менеджер", [RoleCode.HR], SOUTH),
    ("admin", "Алексей", "Романов", "Администратор системы", [RoleCode.ADMIN], DEPARTMENT),
]
TEAM_HEADS = {DEPARTMENT: "director", NORTH: "head_north", SOUTH: "head_south"}


def demo_password() -> str:
    """DEMO_PASSWORD, or one generated on first use and kept in var/ (never in the repo)."""
    from_env = os.environ.get("DEMO_PASSWORD")
    if from_env:
        return from_env
    path = Path(settings.VAR_DIR) / "demo_password"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = f"demo-{secrets.token_hex(4)}"
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def seed_people(context: dict[str, Any]) -> None:
    teams: dict[str, Team] = {}
    for name in (DEPARTMENT, NORTH, SOUTH):
        team = Team.objects.filter(name=name).first()
        if team is None:
            parent = teams.get(DEPARTMENT) if name != DEPARTMENT else None
            team = services.team_create(actor=None, name=name, parent=parent)
        teams[name] = team
    # The logins are printed with this password: a DEMO_PASSWORD other than the one of the first
    # run (or a lost var/demo_password) sets it. One hash check (Argon2 is slow on purpose)
    # tells whether the seeder changed it before, which it only does for all of them at once.
    director = User.objects.filter(username=DEMO_USERS[0][0]).first()
    stale = director is not None and not director.check_password(context["password"])
    for login, first, last, position, roles, team_name in DEMO_USERS:
        user = User.objects.filter(username=login).first()
        if user is None:
            user = services.user_create(
                actor=None,
                username=login,
                password=context["password"],
                roles=roles,
                team=teams[team_name],
                validate=False,
                first_name=first,
                last_name=last,
                position=position,
                email=f"{login}@demo.greenwave.local",
            )
        elif stale:
            services.user_set_password(
                actor=None, user=user, password=context["password"], validate=False
            )
        context.setdefault("users", {})[login] = user
    for team_name, login in TEAM_HEADS.items():
        team = teams[team_name]
        if team.head_id is None:
            services.team_update(
                actor=None,
                team=team,
                name=team.name,
                head=context["users"][login],
                parent=team.parent,
            )
    services.demo_company_mark_seeded()

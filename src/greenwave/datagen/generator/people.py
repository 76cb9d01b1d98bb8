"""The department's people: teams, heads, sellers and the rest of the roles."""

from __future__ import annotations

from typing import Any

from greenwave.datagen import names
from greenwave.datagen.generator.base import (
    _GeneratorBase,
    _Users,
)


class PeopleMixin(_GeneratorBase):
    def _people(self) -> _Users:
        """The users given in the reference, nothing written."""
        users = _Users()
        for person in self.ref.people:
            users.by_role.setdefault(person.role, []).append(person.pk)
            users.team_of[person.pk] = person.team_id
            users.team_name[person.team_id] = person.team_name
            users.username[person.pk] = person.username
            users.full_name[person.pk] = person.full_name
            if person.head:
                users.head_of[person.team_id] = person.pk
            if person.sells > 0:
                users.sellers.append((person.pk, person.sells))
        return users

    def _users(self) -> _Users:
        if self.ref.people:
            return self._people()
        users = _Users()
        teams: list[dict[str, Any]] = []
        self._org_chart(users, teams)
        users.team_name.update((t["id"], t["name"]) for t in teams)
        users.sellers = [(pk, 1.0) for pk in users.by_role["hunter"] + users.by_role.get("kam", [])]
        self._emit("accounts.team", teams)
        self._emit("accounts.user", users.rows)
        links = [
            {
                "id": self._id("accounts.user_roles"),
                "user_id": pk,
                "role_id": self.ref.roles["head_of_sales" if role == "director" else role],
            }
            for role, pks in users.by_role.items()
            for pk in pks
        ]
        self._emit("accounts.user_roles", links)
        return users

    def _org_chart(self, users: _Users, teams: list[dict[str, Any]]) -> None:
        """The department: director, call centre, sales groups, client department and back
        office, sized by the number of deals."""
        managers = min(500, max(8, self.config.deals // 2000))
        sales_teams = max(2, managers // 12)

        def team(name: str, parent: int | None) -> int:
            return self._new_team(teams, name, parent)

        def user(role: str, team_id: int, number: int, *, head: bool = False) -> None:
            self._new_user(users, teams, (role, team_id, number), head=head)

        department = team("Отдел продаж", None)
        user("director", department, 1, head=True)
        call_centre = team("Колл-центр", department)
        user("head_of_sales", call_centre, 1, head=True)
        for n in range(1, max(2, managers // 5) + 1):
            user("call_center", call_centre, n)
        hunters = closers = 0
        for t in range(1, sales_teams + 1):
            group = team(f"Продажи — группа {t}", department)
            user("head_of_sales", group, t + 1, head=True)
            for _ in range(5):
                hunters += 1
                user("hunter", group, hunters)
            for _ in range(3):
                closers += 1
                user("closer", group, closers)
        clients = team("Клиентский отдел", department)
        user("head_of_sales", clients, sales_teams + 2, head=True)
        for n in range(1, max(3, managers // 6) + 1):
            user("farmer", clients, n)
        for n in range(1, max(1, managers // 20) + 1):
            user("kam", clients, n)
        back_office = team("Бэк-офис", department)
        back_office_staff = {"lawyer": 4, "finance": 2, "accountant": 1, "hr": 1, "admin": 1}
        for role, count in back_office_staff.items():
            for n in range(1, count + 1):
                user(role, back_office, n)

    def _new_team(self, teams: list[dict[str, Any]], name: str, parent: int | None) -> int:
        pk = self._id("accounts.team")
        teams.append(
            {
                "id": pk,
                "name": name,
                "parent_id": parent,
                "head_id": None,
                "created_at": self.start,
                "updated_at": self.start,
            }
        )
        return pk

    def _new_user(
        self,
        users: _Users,
        teams: list[dict[str, Any]],
        place: tuple[str, int, int],
        *,
        head: bool = False,
    ) -> int:
        """A generated user of `place` (role, team, number in the role)."""
        rng = self.rng
        role, team_id, number = place
        pk = self._id("accounts.user")
        female = rng.random() < 0.45
        first, last, middle = names.person(rng, female)
        username = f"gen_{role}_{number:02d}"
        users.rows.append(
            {
                "id": pk,
                "username": username,
                "password": "!datagen",
                "first_name": first,
                "last_name": last,
                "middle_name": middle,
                "email": f"{username}@example.ru",
                "position": names.POSITIONS[role],
                "phone": names.mobile(rng),
                "team_id": team_id,
                "is_active": True,
                "date_joined": self.start,
                "time_zone": "Europe/Moscow",
                "language": "ru",
            }
        )
        users.by_role.setdefault(role, []).append(pk)
        users.team_of[pk] = team_id
        users.username[pk] = username
        users.full_name[pk] = f"{first} {last}"
        if head:
            users.head_of[team_id] = pk
            for t in teams:
                if t["id"] == team_id:
                    t["head_id"] = pk
        return pk

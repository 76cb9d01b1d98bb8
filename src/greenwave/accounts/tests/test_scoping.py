"""Record scoping: a user of team A never gets team B's record from a scoped selector."""

import pytest

from greenwave.accounts import services
from greenwave.accounts.models import Role, User
from greenwave.accounts.scoping import scope_records, visible_team_ids
from greenwave.accounts.selectors import user_get, user_list
from greenwave.core.errors import CoreError, DomainError

pytestmark = pytest.mark.django_db


def usernames(actor: User) -> set[str]:
    return set(user_list(actor=actor).values_list("username", flat=True))


def test_team_member_sees_own_team_and_never_the_other_team(two_teams) -> None:
    hunter_a = two_teams["hunter_a"]

    assert usernames(hunter_a) == {"head_a", "hunter_a"}
    with pytest.raises(DomainError) as caught:
        user_get(actor=hunter_a, pk=two_teams["hunter_b"].pk)
    assert caught.value.code == CoreError.NOT_FOUND


def test_head_sees_the_teams_they_head_down_the_reporting_line(two_teams) -> None:
    assert usernames(two_teams["head_a"]) == {"head_a", "hunter_a"}
    assert usernames(two_teams["director"]) == {
        "director",
        "head_a",
        "hunter_a",
        "head_b",
        "hunter_b",
    }


def test_admin_sees_everyone(two_teams) -> None:
    assert visible_team_ids(two_teams["admin"]) is None
    assert len(usernames(two_teams["admin"])) == User.objects.count()


def test_own_access_level_limits_a_role_to_its_own_records(two_teams) -> None:
    Role.objects.filter(code="hunter").update(access_level="own")
    hunter_a = User.objects.get(username="hunter_a")  # fresh instance: no cached level

    assert usernames(hunter_a) == {"hunter_a"}


def test_scope_records_uses_owner_or_team_fields(two_teams) -> None:
    """The helper every later app's selector uses: owner OR a visible team."""
    hunter_a = two_teams["hunter_a"]
    qs = scope_records(User.objects.all(), actor=hunter_a, owner_field="pk", team_field="team")
    assert two_teams["hunter_b"] not in qs
    assert hunter_a in qs


def test_widest_role_wins_when_a_user_holds_several(two_teams) -> None:
    hunter_b = two_teams["hunter_b"]
    services.user_update(actor=None, user=hunter_b, roles=["hunter", "lawyer"])
    hunter_b = User.objects.get(pk=hunter_b.pk)
    assert visible_team_ids(hunter_b) is None


def test_reading_everything_is_not_writing_everything(two_teams, make_user) -> None:
    """«All» record access is read access: the write level is capped per role."""
    from greenwave.accounts.models import AccessLevel
    from greenwave.accounts.scoping import (
        access_level_of,
        can_write_for_user,
        writable_team_ids,
        write_level_of,
    )

    lawyer = make_user("lawyer", roles=["lawyer"])
    assert access_level_of(lawyer) == AccessLevel.ALL
    assert write_level_of(lawyer) == AccessLevel.OWN
    assert writable_team_ids(lawyer) == set()
    assert not can_write_for_user(lawyer, two_teams["hunter_a"])
    assert write_level_of(two_teams["hunter_a"]) == AccessLevel.TEAM
    assert writable_team_ids(two_teams["director"]) == visible_team_ids(two_teams["director"])
    assert writable_team_ids(two_teams["admin"]) is None


def test_an_admin_narrowing_record_access_narrows_writes_too(two_teams) -> None:
    from greenwave.accounts.models import AccessLevel
    from greenwave.accounts.scoping import write_level_of

    Role.objects.filter(code="hunter").update(access_level="own")
    hunter_a = User.objects.get(username="hunter_a")
    assert write_level_of(hunter_a) == AccessLevel.OWN

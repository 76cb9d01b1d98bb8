"""A login name or a team name that an existing row holds is a conflict (409), not bad input."""

import pytest

from greenwave.accounts import services
from greenwave.accounts.models import Team, User
from greenwave.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_a_taken_login_name_is_refused_with_409_and_changes_nothing(two_teams) -> None:
    with pytest.raises(DomainError) as err:
        services.user_create(actor=two_teams["admin"], username="HUNTER_A")
    assert (err.value.code, err.value.status) == ("accounts.username_taken", 409)
    assert User.objects.filter(username__iexact="hunter_a").count() == 1


def test_an_empty_login_name_is_bad_input_not_a_conflict(two_teams) -> None:
    with pytest.raises(DomainError) as err:
        services.user_create(actor=two_teams["admin"], username="  ")
    assert (err.value.code, err.value.status) == ("validation_error", 400)
    assert err.value.details == {"field": "username"}


def test_a_taken_team_name_is_refused_with_409_on_create_and_rename(two_teams) -> None:
    admin, team_a, team_b = two_teams["admin"], two_teams["team_a"], two_teams["team_b"]
    with pytest.raises(DomainError) as err:
        services.team_create(actor=admin, name=team_a.name.upper())
    assert (err.value.code, err.value.status) == ("accounts.team_name_taken", 409)
    with pytest.raises(DomainError) as err:
        services.team_update(
            actor=admin, team=team_b, name=team_a.name, head=team_b.head, parent=team_b.parent
        )
    assert (err.value.code, err.value.status) == ("accounts.team_name_taken", 409)
    assert Team.objects.filter(name__iexact=team_a.name).count() == 1


def test_the_team_form_still_shows_a_taken_name_next_to_the_field(client, two_teams) -> None:
    client.force_login(two_teams["admin"])
    response = client.post("/accounts/admin/teams/new/", {"name": two_teams["team_a"].name})
    assert response.status_code == 200
    assert "уже существует" in response.content.decode()
    assert Team.objects.filter(name=two_teams["team_a"].name).count() == 1

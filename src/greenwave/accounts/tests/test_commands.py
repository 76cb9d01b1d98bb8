from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from greenwave.accounts.models import RoleCode, Team, User
from greenwave.accounts.services import token_authenticate

pytestmark = pytest.mark.django_db


def test_create_user_with_roles_and_a_new_team() -> None:
    out = StringIO()
    call_command(
        "create_user",
        "ivanov",
        "--role",
        "hunter,kam",
        "--team",
        "North",
        "--password",
        "s3cret-pass-123",
        stdout=out,
    )
    user = User.objects.get(username="ivanov")
    assert user.role_codes() == {"hunter", "kam"}
    assert user.team == Team.objects.get(name="North")
    assert user.check_password("s3cret-pass-123")
    assert "created user ivanov" in out.getvalue()


def test_create_user_with_an_unknown_role_fails_clearly_and_creates_nothing() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("create_user", "ghost", "--role", "wizard", "--team", "Nowhere")
    assert "wizard" in str(caught.value)
    assert "hunter" in str(caught.value)  # the known roles are listed
    assert not User.objects.filter(username="ghost").exists()
    assert not Team.objects.filter(name="Nowhere").exists()


def test_issue_token_prints_only_the_token(make_user) -> None:
    user = make_user("cli")
    out = StringIO()
    call_command("issue_token", "cli", stdout=out)
    printed = out.getvalue().strip()
    assert "\n" not in printed
    assert token_authenticate(printed) == user


def test_issue_token_for_unknown_user_fails() -> None:
    with pytest.raises(CommandError):
        call_command("issue_token", "nobody")


def test_seed_demo_creates_every_role_in_two_teams_and_is_idempotent(monkeypatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-test-pass")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())

    users = User.objects.prefetch_related("roles")
    held = {r.code for u in users for r in u.roles.all()}
    assert held == set(RoleCode.values)
    sales_teams = Team.objects.filter(parent__isnull=False)
    assert sales_teams.count() == 2
    assert all(t.head is not None for t in sales_teams)
    assert User.objects.get(username="hunter").check_password("demo-test-pass")
    assert "demo-test-pass" in out.getvalue()
    assert User.objects.count() == len({u.username for u in users})


def test_seed_demo_with_another_demo_password_gives_the_users_the_one_it_prints(
    monkeypatch,
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-first-pass")
    call_command("seed_demo", "--deals", "30", stdout=StringIO())
    monkeypatch.setenv("DEMO_PASSWORD", "demo-second-pass")
    out = StringIO()
    call_command("seed_demo", "--deals", "30", stdout=out)

    assert "demo-second-pass" in out.getvalue()
    for username in ("director", "hunter", "admin"):
        assert User.objects.get(username=username).check_password("demo-second-pass")


def test_run_worker_once_runs_due_jobs_and_exits(monkeypatch) -> None:
    from greenwave.core import jobs

    ran: list[int] = []
    monkeypatch.setattr(jobs, "_JOBS", {})
    jobs.register_periodic("test.once", lambda: ran.append(1) or 1, every_seconds=0)
    out = StringIO()
    call_command("run_worker", "--once", stdout=out)
    assert ran == [1]
    assert "stopped" in out.getvalue()

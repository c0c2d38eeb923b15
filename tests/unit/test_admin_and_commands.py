"""Django admin manages staff; the demo and staff commands are idempotent; messages stay out of admin."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import CounselorProfile, Role, User

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_created_once_and_can_log_in(capsys):
    call_command("demo_accounts", password="demo-pass-123")
    call_command("demo_accounts", password="demo-pass-456")
    assert User.objects.filter(username__in=["counselor1", "supervisor1", "admin1"]).count() == 3
    counselor = User.objects.get(username="counselor1")
    assert counselor.role == Role.COUNSELOR and counselor.check_password("demo-pass-456")
    assert sorted(CounselorProfile.objects.get(user=counselor).topics) == ["aid", "legal", "psych"]
    assert CounselorProfile.objects.get(user=counselor).max_concurrent == 3
    assert "counselor1" in capsys.readouterr().out


def test_admin_lists_and_edits_staff():
    call_command("demo_accounts", password="demo-pass-123")
    client = Client()
    assert client.login(username="admin1", password="demo-pass-123")
    assert client.get("/admin/accounts/staffmember/").status_code == 200
    counselor = User.objects.get(username="counselor1")
    page = client.get(f"/admin/accounts/staffmember/{counselor.pk}/change/")
    assert page.status_code == 200 and b"max_concurrent" in page.content
    # Messages (minors' words) are not browsable in the admin.
    assert client.get("/admin/chat/message/").status_code == 404


def test_the_admin_lists_staff_apart_from_youth_identities_and_edits_topics_as_choices():
    from accounts.models import YouthProfile

    call_command("demo_accounts", password="demo-pass-123")
    youth = User.objects.create(username="youth-abc", role=Role.YOUTH)
    YouthProfile.objects.create(user=youth, channel="web", nickname="小雨", region="杭州")
    client = Client()
    assert client.login(username="admin1", password="demo-pass-123")
    staff = client.get("/admin/accounts/staffmember/").content.decode()
    assert "counselor1" in staff and "youth-abc" not in staff
    youths = client.get("/admin/accounts/youthidentity/").content.decode()
    assert "小雨" in youths and "counselor1" not in youths
    assert client.get("/admin/accounts/youthidentity/add/").status_code == 403
    counselor = User.objects.get(username="counselor1")
    page = client.get(f"/admin/accounts/staffmember/{counselor.pk}/change/").content.decode()
    assert 'type="checkbox" name="counselor_profile-0-topics" value="legal"' in page


def test_counselors_cannot_use_the_admin():
    call_command("demo_accounts", password="demo-pass-123")
    client = Client()
    client.login(username="counselor1", password="demo-pass-123")
    assert client.get("/admin/accounts/staffmember/").status_code == 302


def test_ensure_staff_refuses_an_unknown_role():
    from django.core.management.base import CommandError

    with pytest.raises((CommandError, SystemExit)):
        call_command("ensure_staff", username="x", password="y-pass-1234", role="youth")
    assert not User.objects.filter(username="x").exists()

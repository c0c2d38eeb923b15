"""The staffing planner over the database: inputs from history, the roster (saved, stale, refused),
the API's roles and bodies, the command (staffing/; docs/staffing.md)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from accounts.tokens import issue_access_token
from protocol.errors import Refused
from staffing import inputs as history, services, synthetic
from staffing.models import Roster

pytestmark = pytest.mark.django_db

HTTP = Client(HTTP_HOST="127.0.0.1")
START = datetime(2026, 1, 5, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
NOW = datetime(2026, 1, 19, 9, tzinfo=ZoneInfo("Asia/Shanghai"))  # "today", for the planner: the history is behind it
WORLD = synthetic.World(per_day=300, slowdown=0.2, patience_s=200, crisis_share=0.05)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def history_written():
    roster = synthetic.roster_for(WORLD, answered=0.92)
    synthetic.generate(start=START, days=14, world=WORLD, roster=roster, seed=5)
    return roster


def person(role: str) -> User:
    return User.objects.create(username=f"{role}-staffing", role=role)


def call(method: str, path: str, body: object | None = None, *, user: User | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {issue_access_token(user_id=user.pk, role=user.role)}"} if user else {}
    data = json.dumps(body) if body is not None else ""
    answer = HTTP.generic(method, f"/api/v1/{path}", data, content_type="application/json", headers=headers)
    return answer.status_code, json.loads(answer.content) if answer.content else None


def cells(value: int = 2) -> dict[str, list[int]]:
    return {t: [value] * 168 for t in ("psych", "legal", "aid")}


# ── inputs ──────────────────────────────────────────────────────────────────────────────────
def test_the_inputs_recover_what_the_history_was_made_with(history_written):
    found, _ = history.gather(week_start=date(2026, 1, 19), weeks=2, now=START + timedelta(days=20))
    assert found.weeks == 2
    psych = found.handling["psych"]
    assert psych.capacity == WORLD.capacity
    assert psych.mean_s == pytest.approx(WORLD.mean_handling_s, rel=0.12)
    assert psych.slowdown == pytest.approx(WORLD.slowdown, abs=0.08)
    assert found.patience_s["psych"] == pytest.approx(WORLD.patience_s, rel=0.3)
    assert found.crisis_share["psych"] == pytest.approx(WORLD.crisis_share, abs=0.02)
    # Arrivals per hour of the week: the evening above the small hours, about the world's rate.
    rates = WORLD.rates()["psych"]
    evening, night = 24 * 2 + 21, 24 * 2 + 4
    assert found.rates["psych"][evening] > 3 * found.rates["psych"][night]
    assert sum(found.rates["psych"]) / found.trend == pytest.approx(sum(rates), rel=0.1)
    assert found.year_growth is None  # no history a year before
    assert found.notes == []


def test_without_history_the_defaults_are_said():
    found, _ = history.gather(week_start=date(2026, 1, 19), now=START)
    assert found.conversations == 0
    assert {"patience_default", "handling_default"} <= set(found.notes)
    assert all(sum(r) == 0 for r in found.rates.values())


# ── the roster ──────────────────────────────────────────────────────────────────────────────
def test_a_roster_is_saved_in_versions_and_a_stale_edit_is_refused():
    manager = person(Role.MANAGER)
    assert services.do_save_roster(week="2026-W05", cells=cells(2), based_on_version=0, by_user_id=manager.pk) == 1
    assert services.do_save_roster(week="2026-W05", cells=cells(3), based_on_version=1, by_user_id=manager.pk) == 2
    with pytest.raises(Refused) as refused:
        services.do_save_roster(week="2026-W05", cells=cells(9), based_on_version=1, by_user_id=manager.pk)
    assert refused.value.http_status == 409
    row = Roster.objects.get(week="2026-W05")
    assert row.version == 2 and row.cells["psych"][0] == 3 and row.updated_by == manager


@pytest.mark.parametrize(
    ("week", "bad"),
    [
        ("2026-W05", {"psych": [1] * 167}),
        ("2026-W05", {"psych": [-1] * 168}),
        ("2026-W05", {"psych": [501] * 168}),
        ("2026-W05", {"psych": [True] * 168}),
        ("2026-W05", {"nonsense": [1] * 168}),
        ("2026-W60", {"psych": [1] * 168}),
    ],
)
def test_a_bad_roster_is_refused_and_nothing_is_written(week, bad):
    with pytest.raises(Refused):
        services.do_save_roster(week=week, cells=bad, based_on_version=0, by_user_id=person(Role.MANAGER).pk)
    assert not Roster.objects.exists()


# ── the API ─────────────────────────────────────────────────────────────────────────────────
def test_the_plan_over_http(history_written):
    manager = person(Role.MANAGER)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: NOW)
        status, plan = call("POST", "staffing/plan", {"week": "2026-W04"}, user=manager)
    assert status == 200, plan
    assert len(plan["cells"]) == 3 * 168
    assert plan["roster_version"] == 0
    assert plan["at_needed"]["answered"] >= 0.95
    assert plan["expected"]["arrivals"] > 0 and plan["expected"]["answered"] == 0.0  # nobody scheduled
    busy = max(plan["cells"], key=lambda c: c["arrivals"])
    assert busy["needed"] > 0 and busy["gap"] == -busy["needed"]
    assert plan["additions"] and plan["additions"][0]["answered_more"] > 0
    assert plan["inputs"]["capacity"] == WORLD.capacity


def test_roles_and_the_roster_over_http():
    manager, supervisor, admin, counselor = (
        person(r) for r in (Role.MANAGER, Role.SUPERVISOR, Role.ADMIN, Role.COUNSELOR)
    )
    body = {"week": "2026-W05", "based_on_version": 0, "cells": cells(1)}
    assert call("PUT", "staffing/roster", body, user=counselor)[0] == 403
    assert call("PUT", "staffing/roster", body, user=admin)[0] == 403
    assert call("PUT", "staffing/roster", body, user=None)[0] == 401
    assert call("POST", "staffing/plan", {"week": "2026-W05"}, user=counselor)[0] == 403
    status, saved = call("PUT", "staffing/roster", body, user=manager)
    assert (status, saved) == (200, {"week": "2026-W05", "version": 1})
    assert call("PUT", "staffing/roster", body, user=supervisor)[0] == 409  # made on version 0
    status, read = call("POST", "staffing/roster/read", {"week": "2026-W05"}, user=admin)
    assert status == 200 and read["version"] == 1 and read["cells"]["legal"] == [1] * 168
    assert call("PUT", "staffing/roster", {**body, "cells": {"psych": [1] * 168}}, user=manager)[0] == 400
    assert call("POST", "staffing/plan", {"week": "2026-W99"}, user=manager)[0] == 400
    assert call("POST", "staffing/plan", {"week": "next week"}, user=manager)[0] == 400
    assert Roster.objects.get().version == 1


def test_evaluate_and_export(history_written):
    supervisor = person(Role.SUPERVISOR)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: NOW)
        status, few = call("POST", "staffing/evaluate", {"week": "2026-W04", "cells": cells(1)}, user=supervisor)
        _, many = call("POST", "staffing/evaluate", {"week": "2026-W04", "cells": cells(12)}, user=supervisor)
        status_csv, exported = call("POST", "staffing/export", {"week": "2026-W04"}, user=supervisor)
    assert status == 200
    assert few["expected"]["answered"] < many["expected"]["answered"]
    assert many["expected"]["counselor_hours"] == 12 * 168 * 3
    assert not Roster.objects.exists()  # evaluating saves nothing
    assert status_csv == 200 and exported["filename"] == "staffing-2026-W04.csv"
    rows = list(csv.reader(io.StringIO(exported["csv"])))
    assert rows[0][:4] == ["week", "day", "hour", "topic"] and len(rows) == 1 + 3 * 168


def test_the_command_prints_the_plan_as_json(history_written, capsys):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: NOW)
        call_command("staffing_plan", "--week", "2026-W04", "--target", "0.95", "--json")
    plan = json.loads(capsys.readouterr().out)
    assert plan["week"] == "2026-W04" and plan["at_needed"]["answered"] >= 0.95

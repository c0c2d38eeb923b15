"""The reports API over real HTTP (issue 11): who may read the indicators (managers, admins and
supervisors; not counselors, centre staff or youths), what a bad range answers, the CSV of a
period's report, and a drill-down that holds ids, times and keys but no word anyone wrote."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import unique
from tests.wsclient import http_json

pytestmark = pytest.mark.live

SINCE, UNTIL = "2019-03-04", "2019-03-07"
SEED = """
from datetime import date, timedelta
from tests.domain.test_indicators import generate
from reports.rollups import rebuild
days = [date(2019, 3, 4) + timedelta(days=n) for n in range(4)]
generate(seed={seed}, days=days, per_day=20, queued=False)
# What the stack's overdue sweep does to an alert nobody acknowledged (within seconds here): it is
# overdue. Written before the roll-up, or the sweep would change the figures under the test.
from crisis.models import Alert
Alert.objects.filter(acknowledged_at__isnull=True, created_at__lt=date(2019, 3, 8)).update(overdue=True)
rebuild(since=days[0], until=days[-1])
"""
MARK = "这段话绝不能出现在报表里"


@pytest.fixture(scope="module")
def seeded(live_stack):
    live_stack.manage("shell", "-c", SEED.format(seed=9100))
    # What youths and counselors wrote, and what staff wrote about the cases, is marked.
    live_stack.sql("UPDATE chat_message SET text = %s WHERE conversation_id IN (SELECT id FROM chat_conversation"
                   " WHERE requested_at >= '2019-03-04' AND requested_at < '2019-03-08')", (MARK,))  # fmt: skip
    # Only the seeded days' cases: the session's database holds other tests' cases too.
    live_stack.sql("UPDATE cases_case SET summary = %s WHERE opened_at >= '2019-03-04'"
                   " AND opened_at < '2019-03-08'", (MARK,))  # fmt: skip
    return live_stack


def login(stack, role: str) -> str:
    username = unique(role)
    stack.create_staff(username=username, role=role)
    status, body = http_json(
        "POST", stack.urls[0] + "/api/v1/auth/login", {"username": username, "password": "test-pass-123"}
    )
    assert status == 200, body
    return body["access"]


def test_who_may_read_the_indicators(seeded, make_youth):
    base = seeded.urls[0] + "/api/v1/reports/indicators"
    body = {"since": SINCE, "until": UNTIL}
    for role in ("manager", "admin", "supervisor"):
        status, answer = http_json("POST", base, body, token=login(seeded, role))
        assert status == 200, (role, answer)
        assert answer["indicators"]["connection_rate"]["denominator"] > 0
    for role in ("counselor", "centre"):
        status, answer = http_json("POST", base, body, token=login(seeded, role))
        assert (status, answer["error"]) == (403, "forbidden"), role
    status, _ = http_json("POST", base, body, token=make_youth()["access"])
    assert status == 403
    status, _ = http_json("POST", base, body)
    assert status == 401


def test_figures_rates_and_breakdowns_over_http(seeded):
    token = login(seeded, "manager")
    status, answer = http_json(
        "POST",
        seeded.urls[1] + "/api/v1/reports/indicators",
        {"since": SINCE, "until": UNTIL, "by": "topic"},
        token=token,
    )
    assert status == 200, answer
    c = answer["indicators"]["connection_rate"]
    assert 0 <= c["value"] <= 1 and c["value"] == pytest.approx(c["numerator"] / c["denominator"])
    assert c["target"] == 0.95 and c["met"] is (c["value"] >= 0.95)
    assert answer["indicators"]["wait_p90"]["unit"] == "seconds"
    assert (
        sum(g["indicators"]["daily_volume"]["numerator"] for g in answer["groups"])
        == (answer["indicators"]["daily_volume"]["numerator"])
    )
    # Bad ranges: reversed, too long, not a day; a key that is not of its breakdown.
    for bad in (
        {"since": UNTIL, "until": SINCE},
        {"since": "2010-01-01", "until": "2019-01-01"},
        {"since": "2019-02-30", "until": UNTIL},
    ):
        status, refusal = http_json("POST", seeded.urls[0] + "/api/v1/reports/indicators", bad, token=token)
        assert status == 400 and refusal["error"] in ("invalid", "bad_request"), bad
    status, refusal = http_json(
        "POST",
        seeded.urls[0] + "/api/v1/reports/drilldown",
        {"since": SINCE, "until": UNTIL, "kind": "cases", "subset": "answered"},
        token=token,
    )
    assert (status, refusal["error"]) == (400, "invalid")
    status, refusal = http_json(
        "POST",
        seeded.urls[0] + "/api/v1/reports/drilldown",
        {"since": SINCE, "until": UNTIL, "kind": "conversations", "subset": "answered", "by": "hour", "key": "25"},
        token=token,
    )
    assert (status, refusal["error"]) == (400, "invalid")


def test_the_drilldown_lists_what_is_behind_a_figure_without_any_text(seeded):
    token = login(seeded, "supervisor")
    url = seeded.urls[0] + "/api/v1/reports/drilldown"
    status, figures = http_json(
        "POST", seeded.urls[0] + "/api/v1/reports/indicators", {"since": SINCE, "until": UNTIL}, token=token
    )
    assert status == 200
    for kind, subset, figure, part in (
        ("conversations", "answered", "daily_volume", "numerator"),
        ("conversations", "unanswered_in_hours", None, None),
        ("cases", "opened", "case_closure_rate", "denominator"),
        ("cases", "closed_late", None, None),
        ("alerts", "all", "alerts", "numerator"),
        ("alerts", "overdue", "alerts_overdue", "numerator"),
    ):
        status, answer = http_json(
            "POST", url, {"since": SINCE, "until": UNTIL, "kind": kind, "subset": subset}, token=token
        )
        assert status == 200, answer
        if figure:
            assert answer["total"] == figures["indicators"][figure][part], (kind, subset)
        raw = json.dumps(answer, ensure_ascii=False)
        assert MARK not in raw and "…" not in raw
        rows = answer[kind]
        assert len(rows) == min(answer["total"], answer["limit"])
        for row in rows:
            assert not {"text", "summary", "excerpt", "comment", "note", "contact"} & set(row)
    # One key of a breakdown: a topic's answered conversations, all of that topic.
    status, answer = http_json(
        "POST",
        url,
        {"since": SINCE, "until": UNTIL, "kind": "conversations", "subset": "answered", "by": "topic", "key": "legal"},
        token=token,
    )
    assert status == 200 and answer["conversations"] and {r["topic"] for r in answer["conversations"]} == {"legal"}


@pytest.mark.parametrize("period", ["day", "week", "month", "year"])
def test_the_csv_of_a_period(seeded, period):
    token = login(seeded, "manager")
    status, made = http_json(
        "POST", seeded.urls[0] + "/api/v1/reports/export", {"period": period, "day": "2019-03-05"}, token=token
    )
    assert status == 200, made
    since, until = {
        "day": ("2019-03-05", "2019-03-05"),
        "week": ("2019-03-04", "2019-03-10"),
        "month": ("2019-03-01", "2019-03-31"),
        "year": ("2019-01-01", "2019-12-31"),
    }[period]
    assert made["filename"] == f"youthline-{period}-{since}-{until}.csv"
    rows = list(csv.DictReader(io.StringIO(made["csv"])))
    total = {r["indicator"]: r for r in rows if r["section"] == "total"}
    assert total["connection_rate"]["key"] == f"{since}..{until}"
    assert float(total["connection_rate"]["value"]) == pytest.approx(
        int(total["connection_rate"]["numerator"]) / int(total["connection_rate"]["denominator"]), abs=1e-6
    )
    assert total["connection_rate"]["target"] == "0.95" and total["connection_rate"]["met"] in ("yes", "no")
    sections = {r["section"] for r in rows}
    assert {"topic", "region", "channel", "month" if period == "year" else "day"} <= sections
    # The breakdowns add up to the period's total.
    for section in ("topic", "channel"):
        answered = sum(
            float(r["numerator"]) for r in rows if r["section"] == section and r["indicator"] == "daily_volume"
        )
        assert answered == float(total["daily_volume"]["numerator"]), section
    assert MARK not in made["csv"]

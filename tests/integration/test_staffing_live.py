"""The staffing planner's API over real server processes (issue 13; docs/staffing.md, "API"): a
manager plans a week and saves a roster, a supervisor's save made on the old version is refused
(409) and changes nothing, admins read but do not save, counselors and centres are refused; the
CSV export. The session stack holds no history of its own: the plan falls back to its defaults
and says so."""

from __future__ import annotations

import pytest

from tests.wsclient import http_json

pytestmark = pytest.mark.live

WEEK = "2031-W07"  # a week no other test plans
CELLS = {"psych": [3] * 168, "legal": [1] * 168, "aid": [1] * 168}


def test_plan_roster_and_roles_over_http(live_stack, make_staff):
    base = live_stack.urls[-1] + "/api/v1/staffing/"
    manager, supervisor, admin, counselor, centre = (
        make_staff(role) for role in ("manager", "supervisor", "admin", "counselor", "centre")
    )

    status, plan = http_json("POST", base + "plan", {"week": WEEK}, token=manager["access"])
    assert status == 200, plan
    assert len(plan["cells"]) == 504 and plan["roster_version"] == 0
    assert plan["inputs"]["capacity"] >= 1

    for who in (counselor, centre):
        assert http_json("POST", base + "plan", {"week": WEEK}, token=who["access"])[0] == 403
    save = {"week": WEEK, "based_on_version": 0, "cells": CELLS}
    assert http_json("PUT", base + "roster", save, token=admin["access"])[0] == 403
    assert http_json("PUT", base + "roster", save, token=None)[0] == 401

    status, saved = http_json("PUT", base + "roster", save, token=manager["access"])
    assert (status, saved) == (200, {"week": WEEK, "version": 1})
    stale = {**save, "cells": {**CELLS, "psych": [9] * 168}}
    status, refused = http_json("PUT", base + "roster", stale, token=supervisor["access"])
    assert status == 409 and refused["error"] == "invalid", refused
    status, read = http_json("POST", base + "roster/read", {"week": WEEK}, token=admin["access"])
    assert status == 200 and read["version"] == 1 and read["cells"]["psych"] == [3] * 168

    bad = {**save, "based_on_version": 1, "cells": {**CELLS, "aid": [1] * 100}}
    assert http_json("PUT", base + "roster", bad, token=manager["access"])[0] == 400
    assert http_json("POST", base + "plan", {"week": "2031-W61"}, token=manager["access"])[0] == 400

    status, plan = http_json("POST", base + "plan", {"week": WEEK}, token=supervisor["access"])
    assert status == 200 and plan["roster_version"] == 1
    assert plan["expected"]["counselor_hours"] == 5 * 168
    status, exported = http_json("POST", base + "export", {"week": WEEK}, token=admin["access"])
    assert status == 200 and exported["csv"].startswith("week,day,hour,topic,")
    assert len(exported["csv"].strip().splitlines()) == 1 + 504

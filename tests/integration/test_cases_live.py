"""Cases over real HTTP on the live servers (issue 11): the role matrix of the case API, a case
dispatched province -> city -> county and accepted, the second accept refused, the contact shown
only to the centre working it, a youth's /cases/mine with their own case and nothing of anyone
else (a forged id gets nothing), the public region tree. Every refused call changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live


def _centre(stack, *, name: str, region: str, staff_id: int) -> int:
    ((centre,),) = stack.sql(
        "INSERT INTO cases_servicecentre (name, region_id, phone, active) VALUES (%s, %s, '', true) RETURNING id",
        (name, region),
    )
    stack.sql("INSERT INTO cases_centremembership (user_id, centre_id) VALUES (%s, %s)", (staff_id, centre))
    return centre


def test_the_case_api_role_by_role(live_stack, make_staff):
    base = live_stack.urls[0]
    people = {role: make_staff(role) for role in ("supervisor", "admin", "manager", "counselor")}
    for who in ("province", "guangzhou", "tianhe", "shenzhen"):
        people[who] = make_staff("centre")
    centres = {
        "province": _centre(live_stack, name="省服务台", region="440000", staff_id=people["province"]["user_id"]),
        "guangzhou": _centre(live_stack, name="广州中心", region="440100", staff_id=people["guangzhou"]["user_id"]),
        "tianhe": _centre(live_stack, name="天河站", region="440106", staff_id=people["tianhe"]["user_id"]),
        "shenzhen": _centre(live_stack, name="深圳中心", region="440300", staff_id=people["shenzhen"]["user_id"]),
    }
    for youth in ("youth", "youth_other"):
        status, people[youth] = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web", "region": "440106"})
        assert status == 201
    with WsClient(live_stack.urls[1], people["youth"]["access"]) as socket:
        conversation = socket.request({"type": "consult.request", "topic": "legal"}, "queue.joined")["conversation"]

    def call(path: str, body: dict | None, who: str, method: str = "POST") -> tuple[int, Any]:
        return http_json(method, base + "/api/v1/cases/" + path, body, token=people[who]["access"])

    status, opened = call(
        "open",
        {
            "category": "bullying",
            "priority": 2,
            "summary": "在校多次被推搡",
            "consent_to_contact": True,
            "contact_method": "phone",
            "contact": "13800138000",
            "conversation": conversation,
        },
        "supervisor",
    )
    assert status == 201, opened
    case = opened["case"]["id"]
    assert opened["case"]["region"] == "440106" and opened["holder_region"] == "440000"

    def events() -> int:
        return live_stack.sql("SELECT count(*) FROM cases_caseevent WHERE case_id = %s", (case,))[0][0]

    everyone = list(people)
    seen_by = {"supervisor", "admin", "manager", "province", "guangzhou", "tianhe"}
    for who in everyone:
        status, answer = call("read", {"case": case}, who)
        if who in ("youth", "youth_other"):
            assert status == 403, who
        elif who in seen_by:
            assert status == 200, (who, answer)
            assert answer["contact"] == "〔已隐藏〕", who  # nobody works it yet
            assert "transcript" not in answer
        else:
            assert status == 404, (who, answer)  # Shenzhen, a counselor not in it: not theirs to know of
        # By its reference: the session's database holds other tests' cases, more than a page.
        status, listed = call("list", {"q": opened["case"]["reference"]}, who)
        if who in ("youth", "youth_other"):
            assert status == 403
        else:
            assert status == 200, (who, listed)
            assert (case in {c["id"] for c in listed["cases"]}) == (who in seen_by), who

    # Only the holder (the province), a supervisor or an admin may dispatch it; nothing changes otherwise.
    before = events()
    for who, expected in (("tianhe", 403), ("shenzhen", 404), ("manager", 403), ("counselor", 403), ("youth", 403)):
        status, answer = call("dispatch", {"case": case, "centre": centres["tianhe"]}, who)
        assert status == expected, (who, answer)
    status, answer = call("dispatch", {"case": case, "centre": centres["tianhe"]}, "province")
    assert status == 400 and answer["error"] == "invalid"  # two levels down
    status, answer = call("accept", {"case": case}, "province")
    assert status == 409 and answer["error"] == "invalid_transition"
    status, answer = call("dispatch", {"case": "1; DROP TABLE"}, "province")
    assert status == 400 and answer["error"] == "bad_request"
    assert events() == before

    # The province's own level and the city below it, on the case's path: the session's database
    # holds other tests' centres too, so name what must be there (ours, in order) and what must not.
    status, targets = call("dispatch-targets", {"case": case}, "province")
    assert status == 200, targets
    offered = [c["id"] for c in targets["centres"]]
    assert [c for c in offered if c in centres.values()] == [centres["province"], centres["guangzhou"]]
    assert {c["region"] for c in targets["centres"]} <= {"440000", "440100"}  # no other city, no county
    status, answer = call("dispatch", {"case": case, "centre": centres["guangzhou"]}, "province")
    assert status == 200 and answer["case"]["status"] == "dispatched", answer
    status, answer = call("dispatch", {"case": case, "centre": centres["tianhe"]}, "guangzhou")
    assert status == 200 and answer["allowed"] == []  # Guangzhou holds it, Tianhe must answer
    status, answer = call("accept", {"case": case}, "tianhe")
    assert status == 200 and answer["case"]["status"] == "in_progress"
    assert answer["contact"] == "13800138000" and answer["contact_shown"] is True
    assert {"action", "resolve"} <= set(answer["allowed"])
    status, again = call("accept", {"case": case}, "tianhe")
    assert status == 409 and again["error"] == "invalid_transition"
    status, answer = call("read", {"case": case}, "supervisor")
    assert answer["contact"] == "〔已隐藏〕" and "urge" in answer["allowed"] and "resolve" not in answer["allowed"]
    status, answer = call("read", {"case": case}, "manager")
    assert answer["allowed"] == []

    # The youth: their own case, in plain words; the other youth nothing; no staff note anywhere.
    call("action", {"case": case, "action_kind": "note", "note": "家长很配合"}, "tianhe")
    status, mine = call("mine", None, "youth", method="GET")
    assert status == 200
    assert mine == {
        "cases": [
            {
                "reference": opened["case"]["reference"],
                "received_at": mine["cases"][0]["received_at"],
                "stage": "followed_up",
                "centre_city": "天河区",
                "centre_city_en": "Tianhe District",
                "since": mine["cases"][0]["since"],
            }
        ]
    }
    status, theirs = call("mine", None, "youth_other", method="GET")
    assert status == 200 and theirs == {"cases": []}
    # A forged id: the youth's token reads no case by id; a query string changes nothing.
    status, _ = call("read", {"case": case}, "youth_other")
    assert status == 403
    status, theirs = http_json("GET", base + f"/api/v1/cases/mine?case={case}", token=people["youth_other"]["access"])
    assert theirs == {"cases": []}
    status, _ = call("mine", None, "tianhe", method="GET")
    assert status == 403

    # The region tree is public and read only.
    status, tree = http_json("GET", base + "/api/v1/cases/regions")
    assert status == 200 and len(tree["regions"][0]["children"]) == 21
    status, _ = http_json("POST", base + "/api/v1/cases/regions", {})
    assert status == 405

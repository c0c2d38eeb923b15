"""Roles see only what is theirs (issue 10): every role against the objects of one ended, reviewed
conversation, over HTTP and the socket, on the live servers. A counselor sees their own
conversation, a reviewer their assignment, a supervisor everything with the read logged; a youth
only their own; an admin reads no transcript but the access log. Every refused call changes
nothing and logs no read."""

from __future__ import annotations

import pytest

from tests.quality_rows import assigned_review, rubric_keys
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live

ALLOWED, REFUSED = "allowed", "refused"


def test_every_role_against_every_object_over_http_and_the_socket(live_stack, make_staff):
    base = live_stack.urls[0]
    people = {
        "youth_owner": None,
        "youth_other": None,
        "counselor_owner": make_staff("counselor"),
        "counselor_other": make_staff("counselor"),
        "reviewer": make_staff("supervisor"),
        "supervisor_other": make_staff("supervisor"),
        "admin": make_staff("admin"),
    }
    for youth in ("youth_owner", "youth_other"):
        status, people[youth] = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
        assert status == 201
    review = assigned_review(
        live_stack,
        reviewer_id=people["reviewer"]["user_id"],
        counselor_id=people["counselor_owner"]["user_id"],
        youth_id=people["youth_owner"]["youth_id"],
    )
    ((conversation,),) = live_stack.sql(
        "SELECT s.conversation_id FROM quality_review r JOIN quality_sample s ON s.id = r.sample_id WHERE r.id = %s",
        (review,),
    )

    def reads_logged() -> int:
        return live_stack.sql(
            "SELECT count(*) FROM moderation_transcriptaccess WHERE conversation_id = %s", (conversation,)
        )[0][0]

    def http(path: str, body: dict | None, who: str, method: str = "POST") -> str:
        status, _answer = http_json(method, base + "/api/v1/" + path, body, token=people[who]["access"])
        assert status in (200, 201, 400, 403, 404, 409), (path, who, status)
        return ALLOWED if status in (200, 201) else REFUSED

    def socket_history(who: str) -> str:
        with WsClient(base, people[who]["access"]) as socket:
            socket.send({"type": "history", "conversation": conversation})
            frame = socket.next_frame()
            while frame is not None and frame["type"] not in ("history", "error"):
                frame = socket.next_frame()
            assert frame is not None, who
            if frame["type"] == "error":
                assert frame["code"] in ("forbidden", "not_found"), frame
                return REFUSED
            assert [m["seq"] for m in frame["messages"]] == [1, 2, 3]
            return ALLOWED

    everyone = list(people)
    # What each call is expected to give each role; the rest of `everyone` is refused.
    matrix = {
        "socket history": (
            socket_history,
            {"youth_owner", "counselor_owner", "reviewer", "supervisor_other"},
            {"reviewer", "supervisor_other"},  # whose read is logged
        ),
        "review read": (
            lambda who: http("quality/reviews/read", {"review": review}, who),
            {"reviewer"},
            {"reviewer"},
        ),
        "read outside one's reviews": (
            lambda who: http(
                "quality/transcripts/read", {"conversation": conversation, "reason": "核查投诉，复查过程"}, who
            ),
            {"reviewer", "supervisor_other"},
            {"reviewer", "supervisor_other"},
        ),
        # The desk's notes are the counselor's only while the conversation is theirs (until the
        # wrap-up): this one is wrapped up.
        "staff notes after the wrap-up": (
            lambda who: http("desk/notes/read", {"conversation": conversation}, who),
            {"reviewer", "supervisor_other"},
            {"reviewer", "supervisor_other"},
        ),
        "access log": (
            lambda who: http("quality/access-log", {"conversation": conversation}, who),
            {"reviewer", "supervisor_other", "admin"},
            set(),
        ),
        "figures": (
            lambda who: http("quality/figures", {"since": "2026-01-01", "until": "2026-12-31"}, who),
            {"reviewer", "supervisor_other"},
            set(),
        ),
    }
    found: dict[tuple[str, str], str] = {}
    for name, (call, _allowed, logged) in matrix.items():
        for who in everyone:
            before = reads_logged()
            found[(name, who)] = call(who)
            assert reads_logged() - before == (1 if who in logged else 0), (name, who)
    expected = {
        (name, who): ALLOWED if who in allowed else REFUSED
        for name, (_c, allowed, _l) in matrix.items()
        for who in everyone
    }
    assert {k: v for k, v in found.items() if expected[k] != v} == {}

    # Scoring: only the assigned reviewer, once; nobody else changes the review.
    scores = {"review": review, "scores": [{"item": k, "score": 3} for k in rubric_keys(live_stack)]}
    for who in everyone:
        if who != "reviewer":
            assert http("quality/reviews/submit", scores, who) == REFUSED, who
    assert live_stack.sql("SELECT status FROM quality_review WHERE id = %s", (review,))[0][0] == "assigned"
    assert http("quality/reviews/submit", scores, "reviewer") == ALLOWED
    assert http("quality/reviews/submit", scores, "reviewer") == REFUSED  # final

    # Once submitted, the review is its counselor's to read and answer, once; nobody else's.
    def my_reviews(who: str) -> list[int]:
        status, answer = http_json("GET", base + "/api/v1/quality/my-reviews", token=people[who]["access"])
        return [r["review"] for r in answer["reviews"]] if status == 200 else [-status]

    assert {who: my_reviews(who) for who in everyone} == {
        "youth_owner": [-403],
        "youth_other": [-403],
        "counselor_owner": [review],
        "counselor_other": [],
        "reviewer": [-403],
        "supervisor_other": [-403],
        "admin": [-403],
    }
    reply = {"review": review, "text": "谢谢反馈，下次我会更早询问安全情况。"}
    for who in everyone:
        if who != "counselor_owner":
            assert http("quality/my-reviews/reply", reply, who) == REFUSED, who
    assert http("quality/my-reviews/reply", reply, "counselor_owner") == ALLOWED
    assert http("quality/my-reviews/reply", reply, "counselor_owner") == REFUSED  # once
    # The supervision follow-up list is the supervisors'; the rubric editor the admin's.
    for who in everyone:
        supervises = ALLOWED if who in ("reviewer", "supervisor_other") else REFUSED
        assert http("quality/supervision", None, who, method="GET") == supervises, who
        edits_rubric = ALLOWED if who == "admin" else REFUSED
        assert http("quality/rubric", None, who, method="GET") == edits_rubric, who

"""The served OpenAPI document against the live servers: each operation's documented example, sent as
documented, gets the documented success status and a body its documented schema accepts."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from tests.integration.test_cases_live import _centre
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live
PASSWORD = "test-pass-123"


def check(document: dict, schema: dict, value: object) -> None:
    OAS31Validator({**schema, "components": document["components"]}).validate(value)


def test_every_documented_operation_round_trips_its_example(live_stack, make_staff, tmp_path):
    base = live_stack.urls[0]
    status, document = http_json("GET", base + "/api/v1/openapi.json")
    assert status == 200
    validate(document)
    supervisor = make_staff("supervisor")
    counselor = f"oa-c-{uuid.uuid4().hex[:10]}"
    counselor_id = live_stack.create_staff(username=counselor, role="counselor", name="OpenAPI Counselor")

    def fresh_refresh_token() -> str:
        status, pair = http_json("POST", base + "/api/v1/auth/login", {"username": counselor, "password": PASSWORD})
        assert status == 200, pair
        return pair["refresh"]

    def current_lexicon(example: dict) -> dict:
        status, now = http_json("GET", base + "/api/v1/crisis/lexicon", token=supervisor["access"])
        assert status == 200, now
        return {**example, "document": now["document"], "base_version": now["version"]}

    def registered_model(example: dict) -> dict:
        # A copy of the shipped model (same weights, so detection is unchanged), registered in shadow.
        from tests.integration.test_model_versions import _register_copy_of_shipped_model

        return {**example, "version": _register_copy_of_shipped_model(live_stack, tmp_path)}

    status, youth = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
    assert status == 201, youth

    def left_message(example: dict, *, claim: bool = False) -> dict:
        """A message left by the youth above (written straight to the database), claimed by the
        supervisor when the call needs a claim (release)."""
        (conversation,) = live_stack.sql(
            "INSERT INTO chat_conversation (youth_id, topic, status, priority, risk_level, channel, region,"
            " requested_at, queued_at, within_service_hours, ended_by, end_reason, last_seq, ended_at)"
            " VALUES (%s, 'psych', 'missed', 0, 0, 'web', '', now(), now(), false, 'youth', 'left_message', 0, now())"
            " RETURNING id",
            (youth["youth_id"],),
        )[0]
        (left,) = live_stack.sql(
            "INSERT INTO chat_leftmessage (conversation_id, text, contact, reason, created_at, outcome, handling_note)"
            " VALUES (%s, '今晚睡不着', '', 'outside_hours', now(), '', '') RETURNING id",
            (conversation,),
        )[0]
        if claim:
            status, claimed = http_json(
                "POST", base + "/api/v1/left-messages/claim", {"left_message": left}, token=supervisor["access"]
            )
            assert status == 200, claimed
        return {**example, "left_message": left}

    def own_reply(example: dict) -> dict:
        # The desk edits and deletes only the caller's own replies: one made for the call.
        reply = {"language": "en", "title": "OpenAPI", "text": "A reply to edit or delete"}
        status, made = http_json("POST", base + "/api/v1/desk/replies", reply, token=supervisor["access"])
        assert status == 201, made
        return {**example, "id": made["id"]}

    def a_conversation(example: dict) -> dict:
        # A supervisor may note and read any conversation: a youth's request will do.
        status, asking = http_json("POST", base + "/api/v1/auth/youth", {"channel": "web"})
        assert status == 201, asking
        with WsClient(base, asking["access"]) as socket:
            joined = socket.request({"type": "consult.request", "topic": "aid"}, "queue.joined")
        return {**example, "conversation": joined["conversation"]}

    def quality_review(example: dict, *, scores: bool = False) -> dict:
        """A review assigned to the supervisor (rows written straight to the database); for the
        submit call, every item of the rubric scored."""
        from tests.quality_rows import assigned_review, rubric_keys

        held_by = live_stack.create_staff(username=f"oa-q-{uuid.uuid4().hex[:10]}", role="counselor")
        review = assigned_review(
            live_stack, reviewer_id=supervisor["user_id"], counselor_id=held_by, youth_id=youth["youth_id"]
        )
        if scores:
            return {**example, "review": review, "scores": [{"item": k, "score": 3} for k in rubric_keys(live_stack)]}
        return {**example, "review": review}

    def own_submitted_review(example: dict) -> dict:
        """A submitted review of a conversation the calling counselor held, not replied to yet."""
        from tests.quality_rows import submitted_review

        review = submitted_review(
            live_stack, reviewer_id=supervisor["user_id"], counselor_id=counselor_id, youth_id=youth["youth_id"]
        )
        return {**example, "review": review}

    def open_supervision(example: dict) -> dict:
        """An open supervision session that a failed review required."""
        from tests.quality_rows import submitted_review

        review = submitted_review(
            live_stack,
            reviewer_id=supervisor["user_id"],
            counselor_id=counselor_id,
            youth_id=youth["youth_id"],
            passed=False,
            supervision_due="2026-12-31",  # any day: the row is written directly
        )
        ((session,),) = live_stack.sql("SELECT id FROM quality_supervisionsession WHERE review_id = %s", (review,))
        return {**example, "session": session}

    admin = make_staff("admin")

    def current_rubric(example: dict) -> dict:
        # The version in use, published again unchanged (the session stack's other tests score
        # its items): based on the version read just now.
        status, now = http_json("GET", base + "/api/v1/quality/rubric", token=admin["access"])
        assert status == 200, now
        return {**example, "based_on_version": now["rubric"]["version"], "items": now["rubric"]["items"]}

    def ended_conversation() -> int:
        review = quality_review({})["review"]
        return live_stack.sql(
            "SELECT s.conversation_id FROM quality_review r JOIN quality_sample s"
            " ON s.id = r.sample_id WHERE r.id = %s",
            (review,),
        )[0][0]

    def current_roster(example: dict) -> dict:
        # Saved on the version there is now (0 unless another test saved that week).
        status, now = http_json(
            "POST", base + "/api/v1/staffing/roster/read", {"week": example["week"]}, token=supervisor["access"]
        )
        assert status == 200, now
        return {**example, "based_on_version": now["version"]}

    # Cases: centres of this test's own, the province's intake and a city's centre (a case opened
    # by hand in Tianhe goes province -> Guangzhou), each with a member of staff.
    province_staff, city_staff = make_staff("centre"), make_staff("centre")
    _centre(live_stack, name="OpenAPI 省服务台", region="440000", staff_id=province_staff["user_id"])
    city = _centre(live_stack, name="OpenAPI 广州中心", region="440100", staff_id=city_staff["user_id"])
    stages = ["open", "dispatched", "in_progress", "resolved", "called_back", "closed"]

    def case_call(path: str, body: dict, token: str) -> dict:
        status, answer = http_json("POST", base + "/api/v1/cases/" + path, body, token=token)
        assert status in (200, 201), (path, status, answer)
        return answer

    def a_case(stage: str, *, shareable: bool = False) -> int:
        """A fresh case at `stage`, made through the API: opened by hand by the supervisor (the
        youth agreed to be called back), dispatched to the city's centre, accepted, resolved and
        called back by its staff, closed by the supervisor."""
        opened = case_call(
            "open",
            {
                "category": "bullying",
                "priority": 2,
                "region": "440106",
                "summary": "OpenAPI",
                "consent_to_contact": True,
                "contact_method": "phone",
                "contact": "13800138000",
            },
            supervisor["access"],
        )
        case = opened["case"]["id"]
        steps: list[tuple[str, dict[str, object], dict]] = [
            ("dispatch", {"centre": city}, supervisor),
            ("accept", {}, city_staff),
            ("resolve", {"outcome": "settled"}, city_staff),
            ("callback", {"result": "satisfied"}, city_staff),
            ("close", {"shareable": shareable}, supervisor),
        ]
        for path, body, who in steps[: stages.index(stage)]:
            case_call(path, {"case": case, **body}, who["access"])
        assert case_call("read", {"case": case}, supervisor["access"])["case"]["status"] == stage.replace(
            "called_back", "resolved"
        )
        return case

    def at(stage: str, **fields: object) -> Callable[[dict], dict]:
        return lambda example: {**example, "case": a_case(stage), **fields}

    def own_wrapup(example: dict) -> dict:
        """A conversation the calling counselor ended with a wrap-up asking for a follow-up (rows
        written straight to the database, so no case is open yet: the call opens it)."""
        (conversation,) = live_stack.sql(
            "INSERT INTO chat_conversation (youth_id, counselor_id, topic, status, priority, risk_level, channel,"
            " region, requested_at, queued_at, within_service_hours, ended_by, end_reason, last_seq, ended_at)"
            " VALUES (%s, %s, 'legal', 'ended', 0, 0, 'web', '440106', now(), now(), true, 'counselor', '', 0,"
            " now()) RETURNING id",
            (youth["youth_id"], counselor_id),
        )[0]
        live_stack.sql(
            "INSERT INTO chat_wrapup (conversation_id, counselor_id, category, risk_level, summary, needs_followup,"
            " created_at) VALUES (%s, %s, 'bullying', 2, 'OpenAPI', true, now())",
            (conversation, counselor_id),
        )
        return {**example, "conversation": conversation}

    # What an example can only stand in for (credentials, tokens, the version being edited, the
    # case in the state the call needs) is replaced by a live value; every other field is sent as
    # documented.
    live_values = {
        "accounts.login": lambda example: {**example, "username": counselor, "password": PASSWORD},
        "accounts.refresh": lambda example: {**example, "refresh": fresh_refresh_token()},
        "accounts.logout": lambda example: {**example, "refresh": fresh_refresh_token()},
        "crisis.save_lexicon": current_lexicon,
        "crisis.promote_model": registered_model,
        "desk.edit_reply": own_reply,
        "desk.delete_reply": own_reply,
        "desk.add_note": a_conversation,
        "desk.read_notes": a_conversation,
        "desk.earlier": a_conversation,
        "chat.claim_left_message": left_message,
        "chat.handle_left_message": left_message,
        "chat.release_left_message": lambda example: left_message(example, claim=True),
        "quality.read_review": quality_review,
        "quality.submit_review": lambda example: quality_review(example, scores=True),
        "quality.read_transcript": lambda example: {**example, "conversation": ended_conversation()},
        "quality.reply_to_review": own_submitted_review,
        "quality.publish_rubric": current_rubric,
        "quality.mark_held": open_supervision,
        "staffing.save_roster": current_roster,
        "cases.case_read": at("open"),
        "cases.dispatch_targets": at("open"),
        "cases.dispatch": at("open", centre=city),
        "cases.mark_key": at("open", supervisor=supervisor["user_id"]),
        "cases.accept": at("dispatched"),
        "cases.give_back": at("dispatched"),
        "cases.urge": at("dispatched"),
        "cases.action": at("in_progress"),
        "cases.resolve": at("in_progress"),
        "cases.callback": at("resolved"),
        "cases.close": at("called_back"),
        "cases.reopen": at("closed"),
        "cases.share": lambda example: {**example, "case": a_case("closed", shareable=True)},
        "cases.from_wrapup": own_wrapup,
    }
    # Calls only a youth may make; calls only a counselor may make; calls only an admin may make;
    # calls only the staff of the centre a case is assigned to may make (the city's centre above).
    youth_only = {"chat.my_left_message", "cases.mine"}
    counselor_only = {"chat.colleagues", "quality.my_reviews", "quality.reply_to_review", "cases.from_wrapup"}
    admin_only = {"quality.current_rubric", "quality.rubric_versions", "quality.publish_rubric"}
    centre_only = {"cases.accept", "cases.give_back", "cases.resolve", "cases.callback"}
    _status, counselor_login = http_json(
        "POST", base + "/api/v1/auth/login", {"username": counselor, "password": PASSWORD}
    )
    tried = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = None
            if "requestBody" in operation:
                example = copy.deepcopy(operation["requestBody"]["content"]["application/json"]["example"])
                body = live_values.get(operation["operationId"], lambda e: e)(example)
                assert set(body) == set(example), operation["operationId"]
            token = supervisor["access"] if operation.get("security") else None
            if operation["operationId"] in youth_only:
                token = youth["access"]
            if operation["operationId"] in counselor_only:
                token = counselor_login["access"]
            if operation["operationId"] in admin_only:
                token = admin["access"]
            if operation["operationId"] in centre_only:
                token = city_staff["access"]
            status, answer = http_json(method.upper(), base + path, body, token=token)
            success = next(code for code in operation["responses"] if code.startswith("2"))
            assert status == int(success), (method, path, status, answer)
            content = operation["responses"][success].get("content")
            if content is None:
                assert answer is None, (method, path, answer)
            else:
                check(document, content["application/json"]["schema"], answer)
            if "requestBody" in operation:
                # And a body of the wrong shape gets the documented 400, in the contract's shape.
                status, refusal = http_json(method.upper(), base + path, raw=b"[]", token=token)
                assert status == 400, (method, path, status, refusal)
                check(document, operation["responses"]["400"]["content"]["application/json"]["schema"], refusal)
            tried.append(operation["operationId"])
    assert {
        "accounts.create_youth",
        "accounts.login",
        "chat.service_info",
        "crisis.save_lexicon",
        "crisis.lexicon_versions",
        "protocol.openapi",
        "cases.accept",
        "cases.callback",
        "cases.from_wrapup",
        "cases.mine",
        "cases.share",
        "helpline.youth_content",
        "reports.indicators",
        "staffing.save_roster",
    } <= set(tried)

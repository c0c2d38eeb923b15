"""Model versions for real, on two processes: a new model runs in shadow (counted, never sent), a
supervisor promotes it over HTTP, and every process raises alerts with it without a restart."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from crisis.model.classifier import shipped_model_path
from tests.integration.test_crisis_escalation import RISKY
from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live


def _register_copy_of_shipped_model(stack, tmp_path) -> str:
    document = json.loads(shipped_model_path().read_text())
    document["version"] = f"test-{uuid.uuid4().hex[:6]}"
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    out = stack.manage("crisis_register_model", str(path), "--note", "a copy, for the test")
    assert "in shadow" in out
    return document["version"]


def _wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_shadow_then_promotion_reaches_every_process(start_stack, tmp_path):
    stack = start_stack(processes=2, CRISIS_SHADOW_FLUSH_S="0")
    shipped = json.loads(shipped_model_path().read_text())["version"]
    new_version = _register_copy_of_shipped_model(stack, tmp_path)
    supervisor_id = stack.create_staff(username="sup-models", role="supervisor", name="督导")
    counselor_id = stack.create_staff(username="coun-models", role="counselor", topics=["psych"], name="咨询师")
    assert supervisor_id and counselor_id
    tokens = {}
    for username in ("sup-models", "coun-models"):
        status, body = http_json(
            "POST", stack.urls[0] + "/api/v1/auth/login", {"username": username, "password": "test-pass-123"}
        )
        assert status == 200
        tokens[username] = body["access"]

    def youth_alert(url: str, client_id: str) -> dict:
        _status, youth = http_json("POST", url + "/api/v1/auth/youth", {"channel": "web"})
        with WsClient(url, youth["access"]) as y, WsClient(stack.urls[1], tokens["sup-models"]) as s:
            conversation = y.request({"type": "consult.request", "topic": "legal"}, "queue.joined")["conversation"]
            y.send_message(conversation, client_id, RISKY)
            alert = s.recv("crisis.alert", timeout=5, conversation=conversation)
            y.request({"type": "consult.cancel", "conversation": conversation}, "conversation.ended")
        return alert

    # In shadow: the shipped model raises the alert, the new one is only counted (each process
    # loads the shadow version in the background once it sees it, so keep writing until it scores).
    status, youth = http_json("POST", stack.urls[0] + "/api/v1/auth/youth", {"channel": "web"})
    with WsClient(stack.urls[0], youth["access"]) as y, WsClient(stack.urls[1], tokens["sup-models"]) as s:
        conversation = y.request({"type": "consult.request", "topic": "legal"}, "queue.joined")["conversation"]
        y.send_message(conversation, "a0", RISKY)
        alert = s.recv("crisis.alert", timeout=5, conversation=conversation)
        assert f"model {shipped}" in alert["explanation"]

        def shadow_counts():
            # While a process loads the shadow version its event loop runs late and it may shed
            # message stores (`busy`): the client sends the same message again, as clients do.
            y.send_message(conversation, f"a{time.monotonic()}", RISKY)
            rows = stack.sql(
                "SELECT shadow_scored, shadow_would_alert, shadow_active_alerted FROM crisis_modelversion "
                "WHERE version = %s",
                (new_version,),
            )
            return rows[0] if rows[0][0] else None

        _scored, would_alert, active_alerted = _wait_for(shadow_counts)
        assert would_alert >= 1 and active_alerted >= 1  # a copy of the active model agrees with it
        y.request({"type": "consult.cancel", "conversation": conversation}, "conversation.ended")
    # Its would-be alerts were never sent: the one detector alert is the active model's (beside it,
    # the alert that nobody can take this youth, none being online for legal).
    assert stack.sql("SELECT count(*) FROM crisis_alert WHERE source = 'detector'") == [(1,)]

    # Only supervisors and admins promote; a version that does not exist is not_found.
    auth = {"token": tokens["sup-models"]}
    assert (
        http_json(
            "POST",
            stack.urls[1] + "/api/v1/crisis/models/promote",
            {"version": new_version},
            token=tokens["coun-models"],
        )[0]
        == 403
    )
    assert http_json("POST", stack.urls[1] + "/api/v1/crisis/models/promote", {"version": "nope"}, **auth)[0] == 404
    status, promoted = http_json(
        "POST", stack.urls[1] + "/api/v1/crisis/models/promote", {"version": new_version}, **auth
    )
    assert status == 200 and promoted["status"] == "active"
    assert (
        http_json("POST", stack.urls[1] + "/api/v1/crisis/models/promote", {"version": new_version}, **auth)[1]["error"]
        == "invalid"
    )

    # Both processes pick it up within the refresh interval, no restart.
    for n, url in enumerate(stack.urls):
        alert = _wait_for(
            lambda url=url, n=n: (
                (a := youth_alert(url, f"p{n}-{time.monotonic()}")) and f"model {new_version}" in a["explanation"] and a
            )
        )
        assert alert["level"] == 4
    versions = http_json("GET", stack.urls[0] + "/api/v1/crisis/detector/versions", **auth)[1]["versions"]
    by_version = {(v["kind"], v["version"]): v for v in versions}
    assert by_version[("model", new_version)]["status"] == "active"
    assert by_version[("model", new_version)]["alerts"] >= 2
    assert by_version[("model", shipped)]["alerts"] >= 1 and by_version[("model", shipped)]["status"] == "retired"
    assert stack.sql("SELECT action FROM crisis_supervisoraction WHERE action = 'model.promote'") == [
        ("model.promote",)
    ]

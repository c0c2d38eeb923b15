"""Identity over HTTP and socket authentication, against real servers: forged, expired and misused
tokens, refresh rotation with theft detection, the auth timeout, and browser origins."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import pytest
from django.conf import settings
from jose import jwt
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live

# The servers read the same environment as this process (tests/live.py passes it on).
SERVER_KEY = settings.JWT_SIGNING_KEY
ACCESS_TTL_S = settings.JWT_ACCESS_TTL_S
PASSWORD = "test-pass-123"


def api(stack, path: str) -> str:
    return stack.urls[0] + "/api/v1/auth/" + path


def claims_of(token: str) -> dict:
    return jwt.get_unverified_claims(token)


def forge(
    user_id: int,
    role: str = "youth",
    *,
    key: str = SERVER_KEY,
    algorithm: str = "HS256",
    drop: tuple[str, ...] = (),
    **overrides,
) -> str:
    now = int(time.time())
    payload = {
        "iss": "youthline",
        "aud": "youthline",
        "sub": str(user_id),
        "role": role,
        "typ": "access",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 600,
        **overrides,
    }
    for name in drop:
        payload.pop(name)
    return jwt.encode(payload, key, algorithm=algorithm)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned(user_id: int, role: str = "youth") -> str:
    """An `alg: none` token: valid claims, no signature."""
    now = int(time.time())
    payload = {
        "iss": "youthline",
        "aud": "youthline",
        "sub": str(user_id),
        "role": role,
        "typ": "access",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 600,
    }
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."


def tampered(token: str, **changes) -> str:
    """The same signature over a changed payload."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_b64({**claims, **changes})}.{signature}"


def closed_after(ws: WsClient, timeout: float = 8.0) -> tuple[int | None, list[dict]]:
    """Read until the server closes; the close code and every frame that came first."""
    frames: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            frames.append(json.loads(ws.conn.recv(timeout=remaining)))
    except ConnectionClosed as exc:
        return (exc.rcvd.code if exc.rcvd else None), frames
    except TimeoutError:
        pass
    raise AssertionError(f"socket still open after {timeout}s; got {frames}")


def assert_alive(ws: WsClient) -> None:
    ref = uuid.uuid4().hex[:8]
    assert ws.request({"type": "ping", "ref": ref}, "pong")["ref"] == ref


def live_sockets(stack, user_id: int) -> int:
    return stack.sql("SELECT count(*) FROM accounts_livesocket WHERE user_id = %s", (user_id,))[0][0]


def user_count(stack) -> int:
    return stack.sql("SELECT count(*) FROM accounts_user")[0][0]


# ----- HTTP: youth identities ---------------------------------------------------------------
def test_youth_identity_is_created(live_stack):
    status, body = http_json(
        "POST",
        api(live_stack, "youth"),
        {"channel": "miniprogram", "nickname": "<b>小林</b>\u202e", "region": "广东·深圳"},
    )
    assert status == 201, body
    assert set(body) >= {"access", "refresh", "youth_id"} and isinstance(body["youth_id"], int)
    access, refresh = claims_of(body["access"]), claims_of(body["refresh"])
    assert (access["sub"], access["role"], access["typ"]) == (str(body["youth_id"]), "youth", "access")
    assert (access["iss"], access["aud"]) == ("youthline", "youthline")
    assert access["exp"] - access["iat"] == ACCESS_TTL_S
    assert (refresh["sub"], refresh["typ"]) == (str(body["youth_id"]), "refresh")
    assert jwt.get_unverified_header(body["access"])["alg"] == "HS256"
    # Stored as a youth, the nickname cleaned of markup and bidi controls.
    assert live_stack.sql(
        "SELECT u.role, p.channel, p.nickname, p.region FROM accounts_user u JOIN accounts_youthprofile p"
        " ON p.user_id = u.id WHERE u.id = %s",
        (body["youth_id"],),
    ) == [("youth", "miniprogram", "小林", "广东·深圳")]
    # The token works on a socket.
    with WsClient(live_stack.urls[1], body["access"]) as ws:
        assert (ws.auth_ok["role"], ws.auth_ok["user"]) == ("youth", body["youth_id"])


def test_youth_identity_accepts_a_trailing_slash_and_the_limits(live_stack):
    status, body = http_json("POST", api(live_stack, "youth/"), {"channel": "web"})
    assert status == 201 and body["youth_id"], body
    status, body = http_json(
        "POST", api(live_stack, "youth"), {"channel": "web", "nickname": "名" * 32, "region": "r" * 64}
    )
    assert status == 201, body


@pytest.mark.parametrize(
    "body",
    [
        {"channel": "sms"},
        {"channel": "WEB"},
        {"channel": ""},
        {"channel": None},
        {"channel": 1},
        {"nickname": "小林"},
        {"channel": "web", "nickname": "名" * 33},
        {"channel": "web", "nickname": 12},
        {"channel": "web", "nickname": ["a"]},
        {"channel": "web", "region": "r" * 65},
        {"channel": "web", "region": {"city": "x"}},
    ],
    ids=lambda b: json.dumps(b, ensure_ascii=True)[:40],
)
def test_youth_identity_refuses_bad_fields(live_stack, body):
    before = user_count(live_stack)
    status, answer = http_json("POST", api(live_stack, "youth"), body)
    assert status == 400 and answer["error"] == "bad_request" and answer["detail"], (status, answer)
    assert user_count(live_stack) == before


@pytest.mark.parametrize(
    "raw",
    [b"not json", b'{"channel": "web"', b'["web"]', b'"web"', b"\xff\xfe\x00"],
    ids=["text", "truncated", "array", "string", "binary"],
)
def test_youth_identity_refuses_a_body_that_is_not_a_json_object(live_stack, raw):
    before = user_count(live_stack)
    status, answer = http_json("POST", api(live_stack, "youth"), raw=raw)
    assert status == 400 and answer["error"] == "bad_request", (status, answer)
    assert user_count(live_stack) == before


# ----- HTTP: staff login ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def counselor(live_stack):
    username = f"auth-c-{uuid.uuid4().hex[:10]}"
    user_id = live_stack.create_staff(username=username, role="counselor", name="Auth Counselor")
    return {"username": username, "user_id": user_id}


def login(stack, username: str, password: str = PASSWORD, path: str = "login") -> tuple[int, dict]:
    return http_json("POST", api(stack, path), {"username": username, "password": password})


def test_login_with_good_credentials(live_stack, counselor):
    for path in ("login", "login/"):
        status, body = login(live_stack, counselor["username"], path=path)
        assert status == 200, body
        assert body["role"] == "counselor" and body["access"] and body["refresh"]
        access = claims_of(body["access"])
        assert (access["sub"], access["role"], access["typ"]) == (str(counselor["user_id"]), "counselor", "access")
    with WsClient(live_stack.urls[1], body["access"]) as ws:
        assert (ws.auth_ok["role"], ws.auth_ok["user"]) == ("counselor", counselor["user_id"])


@pytest.mark.parametrize("case", ["wrong_password", "unknown_user", "case_changed_password"])
def test_login_with_wrong_credentials_is_unauthorized(live_stack, counselor, case):
    username, password = counselor["username"], PASSWORD
    if case == "wrong_password":
        password = "not-the-password"
    elif case == "unknown_user":
        username = "nobody-" + uuid.uuid4().hex
    else:
        password = PASSWORD.upper()
    before = live_stack.sql("SELECT count(*) FROM accounts_refreshtoken")[0][0]
    status, body = login(live_stack, username, password)
    assert status == 401 and body["error"] == "unauthorized", (status, body)
    assert "access" not in body and "refresh" not in body
    assert live_stack.sql("SELECT count(*) FROM accounts_refreshtoken")[0][0] == before


@pytest.mark.parametrize(
    "body", [{}, {"username": "x"}, {"password": "x"}, {"username": 1, "password": 2}, {"username": "", "password": ""}]
)
def test_login_with_missing_fields_is_a_bad_request(live_stack, body):
    status, answer = http_json("POST", api(live_stack, "login"), body)
    assert status == 400 and answer["error"] == "bad_request", (status, answer)
    status, answer = http_json("POST", api(live_stack, "login"), raw=b"username=a&password=b")
    assert status == 400 and answer["error"] == "bad_request", (status, answer)


def test_a_youth_identity_cannot_log_in_even_with_a_password(live_stack, counselor, make_youth):
    youth = make_youth()
    username = live_stack.sql("SELECT username FROM accounts_user WHERE id = %s", (youth["youth_id"],))[0][0]
    status, body = login(live_stack, username, "anything-at-all")
    assert status == 401 and body["error"] == "unauthorized", body
    # Even when the youth row somehow holds a known password hash, the role keeps it out.
    live_stack.sql(
        "UPDATE accounts_user SET password = (SELECT password FROM accounts_user WHERE id = %s) WHERE id = %s",
        (counselor["user_id"], youth["youth_id"]),
    )
    status, body = login(live_stack, username, PASSWORD)
    assert status == 401 and body["error"] == "unauthorized", body


# ----- HTTP: refresh rotation and logout ------------------------------------------------------
def refresh(stack, token: object, path: str = "refresh") -> tuple[int, Any]:
    return http_json("POST", api(stack, path), {"refresh": token})


def test_refresh_rotates_the_pair(live_stack, counselor):
    _, first = login(live_stack, counselor["username"])
    status, second = refresh(live_stack, first["refresh"])
    assert status == 200, second
    assert set(second) >= {"access", "refresh"}
    assert second["refresh"] != first["refresh"] and second["access"] != first["access"]
    assert claims_of(second["refresh"])["fam"] == claims_of(first["refresh"])["fam"]
    status, third = refresh(live_stack, second["refresh"], path="refresh/")
    assert status == 200, third
    with WsClient(live_stack.urls[1], third["access"]) as ws:
        assert ws.auth_ok["user"] == counselor["user_id"]


def test_a_used_refresh_token_is_refused_and_revokes_its_family(live_stack, counselor):
    _, first = login(live_stack, counselor["username"])
    _, parallel = login(live_stack, counselor["username"])  # another device: another family
    _, second = refresh(live_stack, first["refresh"])
    status, third = refresh(live_stack, second["refresh"])
    assert status == 200, third
    # The first token again: refused, and treated as theft.
    status, body = refresh(live_stack, first["refresh"])
    assert status == 401 and body["error"] == "unauthorized", (status, body)
    # The newest token of that family, never used, is refused too.
    status, body = refresh(live_stack, third["refresh"])
    assert status == 401 and body["error"] == "unauthorized", (status, body)
    family = claims_of(first["refresh"])["fam"]
    assert (
        live_stack.sql(
            "SELECT count(*) FROM accounts_refreshtoken WHERE family = %s AND revoked_at IS NULL", (family,)
        )[0][0]
        == 0
    )
    # The other login is untouched.
    status, body = refresh(live_stack, parallel["refresh"])
    assert status == 200, body


def test_a_refresh_token_used_twice_in_a_row_is_refused_the_second_time(live_stack, counselor):
    _, first = login(live_stack, counselor["username"])
    assert refresh(live_stack, first["refresh"])[0] == 200
    status, body = refresh(live_stack, first["refresh"])
    assert status == 401 and body["error"] == "unauthorized", (status, body)


@pytest.mark.parametrize("case", ["access_token", "garbage", "other_key", "expired", "missing", "number"])
def test_refresh_refuses_what_is_not_a_live_refresh_token(live_stack, counselor, case):
    _, pair = login(live_stack, counselor["username"])
    refresh_claims = claims_of(pair["refresh"])
    token: object = {
        "access_token": pair["access"],
        "garbage": "definitely.not.a-token",
        "other_key": forge(
            counselor["user_id"],
            "counselor",
            key="another-key-" + "x" * 40,
            typ="refresh",
            fam=refresh_claims["fam"],
            jti=refresh_claims["jti"],
        ),
        "expired": forge(
            counselor["user_id"],
            "counselor",
            typ="refresh",
            fam=refresh_claims["fam"],
            jti=refresh_claims["jti"],
            iat=int(time.time()) - 100,
            exp=int(time.time()) - 10,
        ),
        "missing": None,
        "number": 12345,
    }[case]
    status, body = refresh(live_stack, token)
    expected = 400 if case in ("missing", "number") else 401
    assert status == expected and body["error"] == ("bad_request" if expected == 400 else "unauthorized"), body
    # None of that spent or revoked the real refresh token.
    assert refresh(live_stack, pair["refresh"])[0] == 200


def test_logout_revokes_the_family(live_stack, counselor):
    _, first = login(live_stack, counselor["username"])
    _, second = refresh(live_stack, first["refresh"])
    status, body = http_json("POST", api(live_stack, "logout"), {"refresh": second["refresh"]})
    assert status == 204 and body is None
    status, body = refresh(live_stack, second["refresh"])
    assert status == 401 and body["error"] == "unauthorized", body
    _, other = login(live_stack, counselor["username"])
    status, body = http_json("POST", api(live_stack, "logout/"), {"refresh": other["refresh"]})
    assert status == 204
    assert refresh(live_stack, other["refresh"])[0] == 401


def test_logout_refuses_a_bad_token(live_stack):
    status, body = http_json("POST", api(live_stack, "logout"), {"refresh": "garbage"})
    assert status == 401 and body["error"] == "unauthorized", body
    status, body = http_json("POST", api(live_stack, "logout"), {})
    assert status == 400 and body["error"] == "bad_request", body


# ----- WebSocket: authentication ----------------------------------------------------------------
def test_no_auth_frame_in_time_closes_4401(live_stack):
    ws = WsClient(live_stack.urls[0])
    started = time.monotonic()
    code, frames = closed_after(ws)
    elapsed = time.monotonic() - started
    assert code == 4401, (code, frames)
    assert 1.5 <= elapsed <= 6, elapsed  # WS_AUTH_TIMEOUT_S is 2 on the session stack
    assert not [f for f in frames if f.get("type") == "auth.ok"]


@pytest.mark.parametrize(
    "first",
    [
        {"type": "ping"},
        {"type": "consult.request", "topic": "psych"},
        {"type": "message.send", "conversation": 1, "client_id": "a", "text": "hi"},
        "this is not json",
        {"type": "auth"},
        {"type": "auth", "token": 12345},
        {"type": "auth", "token": None},
        {"type": "auth", "token": ""},
    ],
    ids=["ping", "consult", "message", "not-json", "no-token", "int-token", "null-token", "empty-token"],
)
def test_a_first_frame_that_is_not_a_good_auth_closes_4401(live_stack, first):
    ws = WsClient(live_stack.urls[0])
    ws.send(first)
    code, frames = closed_after(ws, timeout=1.5)  # sooner than the 2 s auth timeout
    assert code == 4401, (code, frames)
    assert not [f for f in frames if f.get("type") in ("auth.ok", "pong", "queue.joined", "message.ack")], frames


FORGED = [
    "garbage",
    "three_dots",
    "other_key",
    "expired",
    "expired_by_a_second",
    "non_numeric_iat",
    "wrong_audience",
    "wrong_issuer",
    "no_audience",
    "no_issuer",
    "no_expiry",
    "none_algorithm",
    "hs512",
    "refresh_as_access",
    "no_typ",
    "unknown_user",
    "role_escalation",
    "tampered_role",
    "bad_subject",
    "huge",
]


def forged_token(case: str, youth: dict) -> str:
    uid = youth["youth_id"]
    now = int(time.time())
    return {
        "garbage": lambda: "garbage",
        "three_dots": lambda: "a.b.c",
        "other_key": lambda: forge(uid, key="some-other-key-0123456789-0123456789-0123456789"),
        "expired": lambda: forge(uid, iat=now - 3600, exp=now - 60),
        "expired_by_a_second": lambda: forge(uid, iat=now - 900, exp=now - 1),
        "non_numeric_iat": lambda: forge(uid, iat="soon"),
        "wrong_audience": lambda: forge(uid, aud="another-service"),
        "wrong_issuer": lambda: forge(uid, iss="evil.example"),
        "no_audience": lambda: forge(uid, drop=("aud",)),
        "no_issuer": lambda: forge(uid, drop=("iss",)),
        "no_expiry": lambda: forge(uid, drop=("exp",)),
        "none_algorithm": lambda: unsigned(uid),
        "hs512": lambda: forge(uid, algorithm="HS512"),
        "refresh_as_access": lambda: youth["refresh"],
        "no_typ": lambda: forge(uid, drop=("typ",)),
        "unknown_user": lambda: forge(10**12),
        "role_escalation": lambda: forge(uid, role="supervisor"),
        "tampered_role": lambda: tampered(youth["access"], role="supervisor"),
        "bad_subject": lambda: forge(uid, sub="admin"),
        "huge": lambda: forge(uid, pad="x" * 6000),
    }[case]()


def test_a_correctly_forged_token_is_accepted(live_stack, make_youth):
    """The forging helper is right: with the server's key and good claims, the server says yes.
    (So each refusal below is about the one thing that case changes.)"""
    youth = make_youth()
    with WsClient(live_stack.urls[0], forge(youth["youth_id"])) as ws:
        assert (ws.auth_ok["role"], ws.auth_ok["user"]) == ("youth", youth["youth_id"])


@pytest.mark.parametrize("case", FORGED)
def test_a_bad_token_closes_4401(live_stack, make_youth, case):
    youth = make_youth()
    token = forged_token(case, youth)
    ws = WsClient(live_stack.urls[0])
    ws.send({"type": "auth", "token": token})
    code, frames = closed_after(ws)
    assert code == 4401, (case, code, frames)
    assert not [f for f in frames if f.get("type") == "auth.ok"], frames
    assert live_sockets(live_stack, youth["youth_id"]) == 0


@pytest.mark.parametrize("case", ["other_key", "expired", "none_algorithm", "refresh_as_access"])
def test_a_bad_token_in_the_handshake_header_closes_4401(live_stack, make_youth, case):
    youth = make_youth()
    ws = WsClient(live_stack.urls[1], headers={"Authorization": f"Bearer {forged_token(case, youth)}"})
    code, frames = closed_after(ws)
    assert code == 4401, (case, code, frames)
    assert not [f for f in frames if f.get("type") == "auth.ok"], frames


def test_a_bearer_header_authenticates_without_an_auth_frame(live_stack, make_youth):
    youth = make_youth()
    with WsClient(live_stack.urls[1], headers={"Authorization": f"Bearer {youth['access']}"}) as ws:
        ok = ws.recv("auth.ok", timeout=5)
        assert (ok["role"], ok["user"], ok["conversations"]) == ("youth", youth["youth_id"], [])
        assert_alive(ws)
        # Authenticated already: an auth frame now is refused, the socket stays.
        error = ws.error({"type": "auth", "token": youth["access"], "ref": "again"})
        assert (error["code"], error.get("ref")) == ("invalid", "again")
        assert_alive(ws)
        # Well past the auth timeout, still open.
        time.sleep(2.5)
        assert_alive(ws)


def test_a_second_auth_frame_is_invalid_and_changes_nothing(live_stack, make_youth):
    youth, other = make_youth(), make_youth()
    with WsClient(live_stack.urls[0], youth["access"]) as ws:
        for token in (youth["access"], other["access"], "garbage"):
            error = ws.error({"type": "auth", "token": token, "ref": 7})
            assert (error["code"], error.get("ref")) == ("invalid", 7), error
            assert_alive(ws)
        # Still the first identity: the other youth's token did not switch it.
        joined = ws.request({"type": "consult.request", "topic": "aid"}, "queue.joined")
        assert live_stack.sql("SELECT youth_id FROM chat_conversation WHERE id = %s", (joined["conversation"],)) == [
            (youth["youth_id"],)
        ]
        assert live_sockets(live_stack, other["youth_id"]) == 0


# ----- WebSocket: origins -----------------------------------------------------------------------
def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://evil.example:{port}",
        "http://127.0.0.1.evil.example:{port}",
        "http://127.0.0.1@evil.example",
        "null",
        "file://",
    ],
)
def test_a_handshake_from_a_foreign_origin_is_refused(live_stack, make_youth, origin):
    youth = make_youth()
    url = live_stack.urls[0]
    origin = origin.format(port=_port(url))
    try:
        ws = WsClient(url, origin=origin, headers={"Authorization": f"Bearer {youth['access']}"})
    except InvalidStatus as exc:
        assert exc.response.status_code == 403, exc.response.status_code
        return
    except (InvalidHandshake, ConnectionClosed, OSError):
        return
    # If the handshake got through, the socket must be closed before it ever authenticates.
    try:
        _code, frames = closed_after(ws, timeout=3)
        assert not [f for f in frames if f.get("type") == "auth.ok"], (origin, frames)
    finally:
        ws.close()
    assert live_sockets(live_stack, youth["youth_id"]) == 0


@pytest.mark.parametrize(
    "origin", [None, "http://127.0.0.1:{port}", "http://localhost:{port}", "http://localhost:3000"]
)
def test_allowed_origins_and_no_origin_are_accepted(live_stack, make_youth, origin):
    youth = make_youth()
    url = live_stack.urls[1]
    with WsClient(url, youth["access"], origin=origin.format(port=_port(url)) if origin else None) as ws:
        assert ws.auth_ok["user"] == youth["youth_id"]
        assert_alive(ws)

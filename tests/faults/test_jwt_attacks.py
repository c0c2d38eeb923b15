"""The JWT attack list, over the socket (4401) and over HTTP (401), against the session's live
processes. tests/integration/test_auth.py already covers, over the socket, garbage, another key,
expiry, wrong and missing audience or issuer, `alg: none`, HS512, refresh-as-access, a tampered
role and an unknown user, and over HTTP refresh rotation and reuse (the family revoked). What it
did not cover is here: key confusion (RS256, and HS256 keyed with a public key), the empty key
and guessed keys (the key once published in the repository among them), a future `iat` beyond
the allowed clock skew, and every attack over HTTP too.

Each refusal has its control: the same forging with the servers' key and true claims is accepted
(socket: auth.ok; HTTP: 200), so each case fails for the one thing it changes."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from jose import jwt
from websockets.exceptions import ConnectionClosed

from tests.wsclient import WsClient, http_json

pytestmark = pytest.mark.live

SERVER_KEY = settings.JWT_SIGNING_KEY  # the servers read this process's environment (tests/live.py)
SKEW_S = settings.JWT_IAT_SKEW_S
_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PRIVATE_PEM = _RSA.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
RSA_PUBLIC_PEM = (
    _RSA.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(user_id: int, role: str, **overrides) -> dict:
    now = int(time.time())
    return {
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


def hs256(payload: dict, key: str | bytes) -> str:
    """HS256 by hand: python-jose refuses some keys (empty, PEM) that an attacker can still use."""
    import hashlib
    import hmac

    key_bytes = key.encode() if isinstance(key, str) else key
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = hmac.new(key_bytes, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def tamper(token: str, **changes) -> str:
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_b64(json.dumps({**decoded, **changes}).encode())}.{signature}"


GUESSED_KEYS = ["secret", "youthline", "changeme", "password", "django-insecure", *sorted(settings.PUBLISHED_KEYS)]
ATTACKS = [
    "none_algorithm",
    "rs256_signed",
    "hs256_keyed_with_public_key",
    "empty_key",
    *[f"guessed_key:{key[:24]}" for key in GUESSED_KEYS],
    "expired",
    "future_iat_beyond_skew",
    "wrong_audience",
    "wrong_issuer",
    "tampered_role",
    "tampered_subject",
    "refresh_as_access",
]


def attack_token(case: str, user: dict, role: str) -> str:
    uid = user["user_id"]
    now = int(time.time())
    if case == "none_algorithm":
        body = _b64(json.dumps(claims(uid, role)).encode())
        return f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{body}."
    if case == "rs256_signed":
        return jwt.encode(claims(uid, role), RSA_PRIVATE_PEM, algorithm="RS256")
    if case == "hs256_keyed_with_public_key":
        return hs256(claims(uid, role), RSA_PUBLIC_PEM)
    if case == "empty_key":
        return hs256(claims(uid, role), b"")
    if case.startswith("guessed_key:"):
        key = next(k for k in GUESSED_KEYS if k.startswith(case.split(":", 1)[1]))
        return hs256(claims(uid, role), key)
    if case == "expired":
        return hs256(claims(uid, role, iat=now - 1200, exp=now - 300), SERVER_KEY)
    if case == "future_iat_beyond_skew":
        return hs256(claims(uid, role, iat=now + SKEW_S + 600, exp=now + SKEW_S + 1200), SERVER_KEY)
    if case == "wrong_audience":
        return hs256(claims(uid, role, aud="another-service"), SERVER_KEY)
    if case == "wrong_issuer":
        return hs256(claims(uid, role, iss="evil.example"), SERVER_KEY)
    if case == "tampered_role":
        return tamper(user["access"], role="supervisor" if role != "supervisor" else "admin")
    if case == "tampered_subject":
        return tamper(user["access"], sub=str(uid + 1))
    if case == "refresh_as_access":
        return user["refresh"]
    raise AssertionError(case)


def socket_answer(url: str, token: str) -> int | str:
    """`auth.ok`, or the close code the auth frame got."""
    ws = WsClient(url)
    try:
        ws.send({"type": "auth", "token": token})
        frame = json.loads(ws.conn.recv(timeout=8))
        return frame["type"]
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else "dropped"
    finally:
        ws.close()


def http_answer(url: str, token: str) -> int:
    status, _body = http_json("GET", url + "/api/v1/crisis/lexicon", token=token)
    return status


@pytest.fixture(scope="module")
def supervisor(live_stack):
    username = f"jwt-s-{uuid.uuid4().hex[:8]}"
    user_id = live_stack.create_staff(username=username, role="supervisor", name="JWT Supervisor")
    status, body = http_json(
        "POST", live_stack.urls[0] + "/api/v1/auth/login", {"username": username, "password": "test-pass-123"}
    )
    assert status == 200, body
    return {**body, "user_id": user_id}


@pytest.fixture(scope="module")
def youth(live_stack):
    status, body = http_json("POST", live_stack.urls[0] + "/api/v1/auth/youth", {"channel": "web"})
    assert status == 201, body
    return {**body, "user_id": body["youth_id"]}


def test_the_forging_is_right_so_each_refusal_is_about_its_attack(live_stack, supervisor, youth):
    """With the servers' key and true claims, by hand as the attacks are: accepted on both paths."""
    assert socket_answer(live_stack.urls[1], hs256(claims(youth["user_id"], "youth"), SERVER_KEY)) == "auth.ok"
    assert http_answer(live_stack.urls[0], hs256(claims(supervisor["user_id"], "supervisor"), SERVER_KEY)) == 200
    # An `iat` ahead by less than the allowed skew (a client clock a little off) is accepted.
    now = int(time.time())
    ahead = hs256(claims(supervisor["user_id"], "supervisor", iat=now + SKEW_S // 2), SERVER_KEY)
    assert http_answer(live_stack.urls[0], ahead) == 200
    assert (
        socket_answer(live_stack.urls[1], hs256(claims(youth["user_id"], "youth", iat=now + SKEW_S // 2), SERVER_KEY))
        == "auth.ok"
    )


@pytest.mark.parametrize("case", ATTACKS)
def test_a_forged_or_misused_token_is_refused_on_the_socket_and_over_http(live_stack, supervisor, youth, case):
    socket_code = socket_answer(live_stack.urls[1], attack_token(case, youth, "youth"))
    http_status = http_answer(live_stack.urls[0], attack_token(case, supervisor, "supervisor"))
    print(f"{case:<36} socket: {socket_code}  http: {http_status}")
    assert (socket_code, http_status) == (4401, 401), (case, socket_code, http_status)

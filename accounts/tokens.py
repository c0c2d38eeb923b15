"""JWT access and refresh tokens, signed with python-jose (HS256 only).

Always decoded with an explicit algorithm list and with exp, aud and iss required: a token
signed with "none", an asymmetric key confusion, another audience or an expired one is refused.
python-jose checks only that `iat` is a number; a token issued further in the future than the
allowed clock skew (JWT_IAT_SKEW_S) is refused here: no server of the deployment made it (a
forged or pre-minted token would otherwise live past its `exp` minus its lifetime).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from jose import JWTError, jwt

ALGORITHM = "HS256"
_DECODE_OPTIONS = {
    "require_exp": True,
    "require_iat": True,
    "require_aud": True,
    "require_iss": True,
    "require_sub": True,
    "require_jti": True,
    "verify_exp": True,
    "verify_aud": True,
    "verify_iss": True,
    "leeway": 0,
}


class TokenError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Claims:
    user_id: int
    role: str
    typ: str
    jti: str
    family: str | None
    expires_at: int


def _encode(*, user_id: int, role: str, typ: str, ttl_s: int, family: str | None = None) -> tuple[str, Claims]:
    now = int(time.time())
    jti = uuid.uuid4().hex
    payload = {
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "sub": str(user_id),
        "role": role,
        "typ": typ,
        "jti": jti,
        "iat": now,
        "exp": now + ttl_s,
    }
    if family:
        payload["fam"] = family
    token = jwt.encode(payload, settings.JWT_SIGNING_KEY, algorithm=ALGORITHM)
    return token, Claims(user_id=user_id, role=role, typ=typ, jti=jti, family=family, expires_at=now + ttl_s)


def issue_access_token(*, user_id: int, role: str) -> str:
    return _encode(user_id=user_id, role=role, typ="access", ttl_s=settings.JWT_ACCESS_TTL_S)[0]


def issue_refresh_token(*, user_id: int, role: str, family: str) -> tuple[str, Claims]:
    return _encode(user_id=user_id, role=role, typ="refresh", ttl_s=settings.JWT_REFRESH_TTL_S, family=family)


def decode_token(token: str, *, expected_typ: str) -> Claims:
    if not isinstance(token, str) or len(token) > 4096:
        raise TokenError("malformed token")
    try:
        payload = jwt.decode(
            token,
            settings.JWT_SIGNING_KEY,
            algorithms=[ALGORITHM],
            audience=settings.JWT_AUDIENCE,
            issuer=settings.JWT_ISSUER,
            options=_DECODE_OPTIONS,
        )
    except JWTError as exc:
        raise TokenError(str(exc)) from None
    if payload["iat"] > time.time() + settings.JWT_IAT_SKEW_S:
        raise TokenError("issued in the future")
    if payload.get("typ") != expected_typ:
        raise TokenError(f"not an {expected_typ} token")
    try:
        user_id = int(payload["sub"])
    except (TypeError, ValueError):
        raise TokenError("bad subject") from None
    role = payload.get("role")
    if not isinstance(role, str):
        raise TokenError("bad role")
    return Claims(
        user_id=user_id,
        role=role,
        typ=payload["typ"],
        jti=str(payload["jti"]),
        family=payload.get("fam"),
        expires_at=int(payload["exp"]),
    )

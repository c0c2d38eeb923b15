"""The identity API (docs/protocol.md, HTTP). Transport only: typed body in, one service call, typed body out.

Decoding, validation, the error shape and the method check are `protocol.http.endpoint`'s; the
bodies are `accounts.schemas`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from channels.db import DatabaseSyncToAsync
from django.http import HttpRequest, HttpResponse

from accounts import schemas, services, throttle
from protocol.http import ApiError, Refusal, client_address, endpoint, recycle_unusable_connections

T = TypeVar("T")


class RateLimited(ApiError):
    """429 with Retry-After: how many seconds until the budget that refused allows again."""

    def __init__(self, refused: throttle.Throttled) -> None:
        super().__init__(429, "rate_limited", refused.detail)
        self.retry_after = refused.retry_after

    def response(self) -> HttpResponse:
        response = super().response()
        response["Retry-After"] = str(self.retry_after)
        return response


def _limit_signup(request: HttpRequest) -> None:
    try:
        throttle.check_signup(address=client_address(request))
    except throttle.Throttled as refused:
        raise RateLimited(refused) from None


def _call(service: Callable[..., T], **kwargs: object) -> T:
    try:
        return service(**kwargs)
    except services.InvalidInput as exc:
        raise ApiError(400, "bad_request", str(exc)) from None
    except services.AuthFailed as exc:
        raise ApiError(401, "unauthorized", str(exc)) from None


REFUSED_TOKEN = Refusal(
    401,
    "unauthorized",
    "the refresh token is not valid, was revoked, or was used before (then every token of its login is revoked)",
)


@endpoint(
    "auth/youth",
    method="POST",
    name="auth-youth",
    status=201,
    request=schemas.YouthSignUp,
    response=schemas.YouthTokens,
    throttle=_limit_signup,
    summary="Create an anonymous youth identity",
    example={"channel": "miniprogram", "nickname": "小林", "region": "广东·深圳"},
)
def create_youth(request: HttpRequest, *, body: schemas.YouthSignUp) -> schemas.YouthTokens:
    pair = _call(services.do_create_youth, channel=body.channel, nickname=body.nickname, region=body.region)
    return schemas.YouthTokens(access=pair.access, refresh=pair.refresh, youth_id=pair.user_id)


def _throttled_login(*, username: str, password: str, address: str) -> services.TokenPair:
    """The throttle first (a locked account is refused before its password is checked), then the
    password, then the outcome counted (accounts/throttle.py)."""
    recycle_unusable_connections()  # this thread's, which the request's own check does not see
    try:
        throttle.check_login(username=username, address=address)
    except throttle.Throttled as refused:
        raise RateLimited(refused) from None
    try:
        pair = _call(services.do_login, username=username, password=password)
    except ApiError as exc:
        if exc.status == 401:
            throttle.record_login(username=username, address=address, succeeded=False)
        raise
    throttle.record_login(username=username, address=address, succeeded=True)
    return pair


# Checking a password is PBKDF2 with a million rounds (about half a second of CPU). In
# Django's one thread for synchronous work it would hold up every other request and socket
# frame of the process, so login runs on a thread of its own, and so does the throttle, which
# may wait on Redis. (Channels' DatabaseSyncToAsync: it also tidies that thread's database connection.)
_check_password_in_own_thread = DatabaseSyncToAsync(_throttled_login, thread_sensitive=False)


@endpoint(
    "auth/login",
    method="POST",
    name="auth-login",
    request=schemas.StaffLogin,
    response=schemas.StaffTokens,
    summary="Staff sign-in (youth identities cannot log in)",
    refusals=[
        Refusal(401, "unauthorized", "wrong username or password"),
        Refusal(
            429,
            "rate_limited",
            "too many attempts from this address, or too many failed sign-ins to this account "
            "from this address (or from many addresses): it is locked for a while, even to the "
            "right password; the Retry-After header says how many seconds to wait",
        ),
    ],
    example={"username": "counselor1", "password": "correct horse battery staple"},
)
async def login(request: HttpRequest, *, body: schemas.StaffLogin) -> schemas.StaffTokens:
    pair: services.TokenPair = await _check_password_in_own_thread(
        username=body.username[:150], password=body.password, address=client_address(request)
    )
    return schemas.StaffTokens(access=pair.access, refresh=pair.refresh, role=pair.role)  # type: ignore[arg-type]


@endpoint(
    "auth/refresh",
    method="POST",
    name="auth-refresh",
    request=schemas.RefreshTokenBody,
    response=schemas.TokenPair,
    refusals=[REFUSED_TOKEN],
    summary="Trade a refresh token for a new pair (the old one stops working)",
    example={"refresh": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"},
)
def refresh(request: HttpRequest, *, body: schemas.RefreshTokenBody) -> schemas.TokenPair:
    pair = _call(services.do_rotate_refresh_token, refresh=body.refresh)
    return schemas.TokenPair(access=pair.access, refresh=pair.refresh)


@endpoint(
    "auth/logout",
    method="POST",
    name="auth-logout",
    status=204,
    request=schemas.RefreshTokenBody,
    refusals=[REFUSED_TOKEN],
    summary="Revoke the refresh token's family (access tokens live on until they expire)",
    example={"refresh": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"},
)
def logout(request: HttpRequest, *, body: schemas.RefreshTokenBody) -> None:
    _call(services.do_logout, refresh=body.refresh)

"""The identity API (docs/protocol.md, HTTP). Transport only: parse, call one service, answer."""
from __future__ import annotations

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import services
from moderation.ratelimit import KeyedLimiter
from protocol.http import ApiError, api_view, client_address, json_body

# Per process; with N processes a client gets N times the budget, still far below brute force.
_auth_limiter = KeyedLimiter(rate=settings.AUTH_RATE_PER_MIN / 60.0, burst=settings.AUTH_RATE_PER_MIN)


def _limit(request: HttpRequest) -> None:
    if not _auth_limiter.allow(client_address(request)):
        raise ApiError(429, "rate_limited", "too many attempts; wait a minute")


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except services.InvalidInput as exc:
        raise ApiError(400, "bad_request", str(exc)) from None
    except services.AuthFailed as exc:
        raise ApiError(401, "unauthorized", str(exc)) from None


@csrf_exempt  # token API: no cookies are read, so there is nothing for CSRF to ride on
@require_POST
@api_view
def create_youth(request: HttpRequest) -> JsonResponse:
    _limit(request)
    body = json_body(request)
    pair = _call(services.do_create_youth, channel=body.get("channel"), nickname=body.get("nickname"),
                 region=body.get("region"))
    return JsonResponse({"access": pair.access, "refresh": pair.refresh, "youth_id": pair.user_id}, status=201)


# Checking a password is PBKDF2 with a million rounds (about half a second of CPU). In
# Django's one thread for synchronous work it would hold up every other request and socket
# frame of the process, so login runs on a thread of its own.
# (Channels' DatabaseSyncToAsync: it also tidies that thread's database connection.)
_check_password_in_own_thread = DatabaseSyncToAsync(lambda **kw: _call(services.do_login, **kw), thread_sensitive=False)


@csrf_exempt
@require_POST
@api_view
async def login(request: HttpRequest) -> JsonResponse:
    _limit(request)
    body = json_body(request)
    pair = await _check_password_in_own_thread(username=body.get("username"), password=body.get("password"))
    return JsonResponse({"access": pair.access, "refresh": pair.refresh, "role": pair.role})


@csrf_exempt
@require_POST
@api_view
def refresh(request: HttpRequest) -> JsonResponse:
    body = json_body(request)
    pair = _call(services.do_rotate_refresh_token, refresh=body.get("refresh"))
    return JsonResponse({"access": pair.access, "refresh": pair.refresh})


@csrf_exempt
@require_POST
@api_view
def logout(request: HttpRequest) -> HttpResponse:
    body = json_body(request)
    _call(services.do_logout, refresh=body.get("refresh"))
    return HttpResponse(status=204)

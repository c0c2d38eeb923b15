"""The HTTP side of the wire protocol: JSON bodies in, errors out in the contract's shape."""
from __future__ import annotations

import functools
import inspect
import json
from typing import Any

from django.http import HttpRequest, JsonResponse

MAX_BODY_BYTES = 256 * 1024


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra

    def response(self) -> JsonResponse:
        return JsonResponse({"error": self.code, "detail": self.detail, **self.extra}, status=self.status)


def json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", "the body is too large")
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_request", "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def api_view(view):
    """Turn ApiError into the contract's error body; views stay transport only."""
    if inspect.iscoroutinefunction(view):

        async def wrapped_async(request: HttpRequest, *args: Any, **kwargs: Any):
            try:
                return await view(request, *args, **kwargs)
            except ApiError as exc:
                return exc.response()

        return functools.wraps(view)(wrapped_async)

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any):
        try:
            return view(request, *args, **kwargs)
        except ApiError as exc:
            return exc.response()

    return functools.wraps(view)(wrapped)

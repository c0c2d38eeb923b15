"""Bearer-token authentication for the JSON endpoints (`protocol.http.endpoint(auth=Bearer(...))`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from accounts.services import AuthFailed, Principal, authenticate_access_token
from protocol.http import ApiError

BEARER_SCHEME: Mapping[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "An access token from /api/v1/auth/login or /api/v1/auth/youth (15 minutes).",
}


def bearer_principal(request: HttpRequest, *, roles: tuple[str, ...]) -> Principal:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "an Authorization: Bearer token is required")
    try:
        principal = authenticate_access_token(token=token.strip())
    except AuthFailed as exc:
        raise ApiError(401, "unauthorized", str(exc)) from None
    if principal.role not in roles:
        raise ApiError(403, "forbidden", "your role cannot do this")
    return principal


@dataclass(frozen=True, slots=True)
class Bearer:
    """An access token whose user has one of `roles`; the view gets the `Principal`."""

    roles: tuple[str, ...]
    scheme_name: str = "bearer"
    scheme: Mapping[str, Any] = field(default_factory=lambda: BEARER_SCHEME)

    def __call__(self, request: HttpRequest) -> Principal:
        return bearer_principal(request, roles=self.roles)

"""Bearer-token authentication for the JSON views."""
from __future__ import annotations

from django.http import HttpRequest

from accounts.services import AuthFailed, Principal, authenticate_access_token
from protocol.http import ApiError


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

"""Refuse WebSocket handshakes from browser origins we do not serve.

A browser always sends Origin, so a page on another site cannot open a socket with a youth's
token. Native clients and the WeChat mini-program may send none: the token alone authorizes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

ASGIReceive = Callable[[], Awaitable[dict[str, Any]]]
ASGISend = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[dict[str, Any], ASGIReceive, ASGISend], Awaitable[None]]


def origin_allowed(origin: str | None, host: str | None) -> bool:
    if origin is None:
        return True
    parts = urlsplit(origin)
    if not parts.scheme or not parts.hostname:
        return False
    # Same origin as the page that served the client: always fine.
    if host and parts.netloc.lower() == host.lower():
        return True
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    # An app runtime's origin (a scheme of its own, no port) is matched as scheme://host: it can
    # be listed in WS_ALLOWED_ORIGINS if a client build sends one (miniprogram/README.md).
    normalized = f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")
    return any(fnmatchcase(normalized, pattern) for pattern in settings.WS_ALLOWED_ORIGINS)


class AllowedOriginValidator:
    def __init__(self, application: ASGIApp) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: ASGIReceive, send: ASGISend) -> None:
        origin = host = None
        for name, value in scope.get("headers", []):
            if name == b"origin":
                origin = value.decode("latin1")
            elif name == b"host":
                host = value.decode("latin1")
        if origin_allowed(origin, host):
            await self.application(scope, receive, send)
        else:
            await WebsocketDenier()(scope, receive, send)

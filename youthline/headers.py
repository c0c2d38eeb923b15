"""Security headers on every response: Content-Security-Policy and Permissions-Policy.

Django's SecurityMiddleware sends the rest: X-Content-Type-Options: nosniff, Referrer-Policy,
Cross-Origin-Opener-Policy and, on requests that came over TLS, Strict-Transport-Security
(settings SECURE_*; docs/deployment.md). This middleware sits right after it, before WhiteNoise,
so static files carry the same headers as pages.

The policy allows only what the pages load: scripts, ES modules, styles and images from this
origin (no inline script or style: the templates have none), the JavaScript catalog at /jsi18n/
(same origin), and sockets to this host. `connect-src 'self'` covers ws: and wss: to the same
host in current browsers; older WebViews (the WeChat mini-program's on old phones) do not read
'self' so, so the socket origins of the request's own host are named too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)


def content_security_policy(host: str | None) -> str:
    sockets = f" ws://{host} wss://{host}" if host else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self'{sockets}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {settings.CSP_FRAME_ANCESTORS}",
        )
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # Per host: a handful of names (ALLOWED_HOSTS), so the strings are built once each.
        self._policies: dict[str | None, str] = {}

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        try:
            host: str | None = request.get_host()  # validated against ALLOWED_HOSTS
        except DisallowedHost:
            host = None  # the 400 answered for it still gets a policy, without socket origins
        policy = self._policies.get(host)
        if policy is None:
            policy = content_security_policy(host)
            if len(self._policies) < 64:  # a wildcard in ALLOWED_HOSTS admits any number of names
                self._policies[host] = policy
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

"""Chinese first: the helpline's language is zh-Hans whatever a browser's own language is.

A visitor who picks English with the language switch gets it (Django's language cookie);
the browser's Accept-Language header is not consulted, because a youth on a phone set to
English in China is still best served in Chinese first.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class IgnoreBrowserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)

"""The Django admin's login, behind the same throttle as the API's (accounts/throttle.py).

youthline/urls.py routes /admin/login/ here before the admin's own URLs, so every way to the
admin's password check (its `admin:login` name resolves to the same path) passes the per-address
budget and the per-account lock-out first. A refused attempt is a plain 429 with Retry-After;
the admin's form never sees it, so a locked account's password is not checked.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import throttle
from protocol.http import client_address


@never_cache
def throttled_admin_login(request: HttpRequest) -> HttpResponseBase:
    if request.method != "POST" or request.user.is_authenticated:
        return admin.site.login(request)
    username = request.POST.get("username", "")[:150]
    try:
        throttle.check_login(username=username, address=client_address(request))
    except throttle.Throttled as refused:
        text = _("Too many sign-in attempts. Please try again in %(seconds)d seconds.") % {
            "seconds": refused.retry_after
        }
        response = HttpResponse(text, status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(refused.retry_after)
        return response
    response = admin.site.login(request)
    # The admin's login view signs the user in (request.user) only when the password was right.
    throttle.record_login(username=username, address=client_address(request), succeeded=request.user.is_authenticated)
    return response

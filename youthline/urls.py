from django.apps import apps
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from accounts.admin_login import throttled_admin_login
from metrics.views import metrics_view
from protocol import openapi
from protocol.http import API_ROOT, urlpatterns_of

# Every app whose AppConfig names an `api_urls` module serves it under /api/v1/: adding an app
# adds its endpoints without an edit here. The OpenAPI document describes all of them.
API_PREFIX = API_ROOT.lstrip("/")
api_urlpatterns = [
    path(API_PREFIX, include(api_urls))
    for config in apps.get_app_configs()
    if (api_urls := getattr(config, "api_urls", None))
] + [path(API_PREFIX, include(urlpatterns_of(openapi)))]

admin.site.site_header = _("12355 Online: administration")
admin.site.site_title = _("12355 Online administration")
admin.site.index_title = _("The helpline's settings and staff")

urlpatterns = [
    # Before the admin's own URLs: its login passes the sign-in throttle (accounts/admin_login.py).
    path("admin/login/", throttled_admin_login, name="admin-login-throttled"),
    path("admin/", admin.site.urls),
    *api_urlpatterns,
    path("metrics", metrics_view, name="metrics"),
    # Pages without an icon link of their own (the admin) ask the browser's default path.
    path("favicon.ico", RedirectView.as_view(url=static("frontend/img/icon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("frontend.urls")),
]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = _("The counselor's desk")
    api_urls = "desk.urls"  # collected under /api/v1/ by youthline/urls.py

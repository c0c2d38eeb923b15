from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("Staffing planner")
    api_urls = "staffing.urls"  # collected under /api/v1/ by youthline/urls.py

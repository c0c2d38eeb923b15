from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Indicators and reports")
    api_urls = "reports.urls"

    def ready(self) -> None:
        from reports import signals

        signals.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "crisis"
    verbose_name = _("Crisis detection and escalation")
    api_urls = "crisis.urls"  # collected under /api/v1/ by youthline/urls.py

    def ready(self) -> None:
        from chat.scanning import install_scanner
        from chat.services.retention import register_purger
        from crisis.live import dashboard_publications
        from crisis.routes import VOCABULARY
        from crisis.services.alerts import purge_expired_words, scan_youth_message
        from protocol.registry import registry
        from realtime.live import TOPICS, register_live_view

        # Every youth message passes through the detector, inside the transaction that stores it.
        install_scanner(scan_youth_message)
        # Alert excerpts and whispers go with the transcript they quote.
        register_purger("crisis", purge_expired_words)
        registry.register(VOCABULARY)
        register_live_view(name="dashboard", topics=TOPICS, compute=dashboard_publications)

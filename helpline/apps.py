from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelplineConfig(AppConfig):
    name = "helpline"
    verbose_name = _("The helpline's own settings")
    api_urls = "helpline.urls"  # collected under /api/v1/ by youthline/urls.py

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and identities")
    api_urls = "accounts.urls"  # collected under /api/v1/ by youthline/urls.py

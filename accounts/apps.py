from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and identities"
    api_urls = "accounts.urls"  # collected under /api/v1/ by youthline/urls.py

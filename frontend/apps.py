from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """The pages people use: the youth chat, the counselor and supervisor consoles."""

    name = "frontend"
    verbose_name = "Youthline pages"

from django.apps import AppConfig


class YouthlineConfig(AppConfig):
    """The project itself, as an app for its deployment checks (youthline/checks.py) and for
    what every HTTP request does first (stale database connections recycled)."""

    name = "youthline"
    verbose_name = "Youthline"

    def ready(self) -> None:
        from django.core.signals import request_started

        from protocol.http import recycle_unusable_connections
        from youthline import checks  # noqa: F401 - registers the checks

        request_started.connect(recycle_unusable_connections, dispatch_uid="youthline.recycle_connections")

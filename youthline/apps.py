from django.apps import AppConfig


class YouthlineConfig(AppConfig):
    """The project itself, as an app only for its deployment checks (youthline/checks.py)."""

    name = "youthline"
    verbose_name = "Youthline"

    def ready(self) -> None:
        from youthline import checks  # noqa: F401 - registers the checks

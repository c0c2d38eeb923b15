import ipaddress
import threading
import time

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

# Shorter than this, a bearer token can be guessed by someone who can reach /metrics.
METRICS_TOKEN_MIN_CHARS = 16


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Prometheus metrics"

    def ready(self) -> None:
        check_settings()
        _count_jobs()
        # Each app's state readers (`<app>/metrics.py`, `@metrics.state`): queue, sockets, alerts.
        autodiscover_modules("metrics")


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETS]


def check_settings() -> None:
    """A mistyped network or a short token stops the process at start-up, not at the first scrape."""
    token = settings.METRICS_TOKEN
    if token and len(token) < METRICS_TOKEN_MIN_CHARS:
        raise ImproperlyConfigured(f"METRICS_TOKEN must be at least {METRICS_TOKEN_MIN_CHARS} characters")
    try:
        allowed_networks()
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETS: {exc}") from exc


def _count_jobs() -> None:
    """Job runs and failures from Huey's signals, in the worker that runs them (a worker process
    reports through the shared multiprocess directory like any other)."""
    from huey import signals
    from huey.contrib.djhuey import HUEY

    from metrics import JOB_DURATION, JOBS

    outcomes = {
        signals.SIGNAL_COMPLETE: "complete",
        signals.SIGNAL_ERROR: "error",
        signals.SIGNAL_TIMEOUT: "timeout",
        signals.SIGNAL_CANCELED: "canceled",
        signals.SIGNAL_INTERRUPTED: "interrupted",
    }
    started: dict[str, float] = {}  # task id -> monotonic start, while it runs
    lock = threading.Lock()  # worker threads run tasks side by side

    @HUEY.signal(signals.SIGNAL_EXECUTING)
    def _executing(signal: str, task: object, *args: object, **kwargs: object) -> None:
        with lock:
            started[task.id] = time.monotonic()  # type: ignore[attr-defined]

    @HUEY.signal(*outcomes)
    def _finished(signal: str, task: object, *args: object, **kwargs: object) -> None:
        name = task.name  # type: ignore[attr-defined]
        JOBS.labels(name, outcomes[signal]).inc()
        with lock:
            began = started.pop(task.id, None)  # type: ignore[attr-defined]
        if began is not None:
            JOB_DURATION.labels(name).observe(time.monotonic() - began)

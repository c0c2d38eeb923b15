"""GET /metrics: the Prometheus text format, for the monitoring network or a bearer token only.

Off (404, as if there were no such page) unless METRICS_TOKEN or METRICS_ALLOWED_NETS is set.
Then a request is answered when it comes from an allowed network or presents
`Authorization: Bearer <METRICS_TOKEN>`; anyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder

import metrics
from metrics.apps import allowed_networks

log = logging.getLogger(__name__)


class _StateCollector:
    """The registered state readers, run at each scrape; a reader that fails leaves the rest of
    the answer intact and says so in `youthline_state_up`. A database error stops the readers
    that are left: they would each wait out the same unreachable server."""

    def collect(self) -> Iterable[Metric]:
        failed = 0
        for reader in metrics.state_readers():
            try:
                yield from list(reader())
            except DatabaseError:
                failed += 1
                log.warning("metrics: the database did not answer; state not read at this scrape", exc_info=True)
                break
            except Exception:  # a scrape answers with what it has; the failure is logged and counted
                failed += 1
                log.warning("metrics state reader %s failed", getattr(reader, "__name__", reader), exc_info=True)
        up = GaugeMetricFamily("youthline_state_up", "1 when every state reader answered at this scrape, else 0")
        up.add_metric([], 0 if failed else 1)
        yield up


class _ThisProcess:
    """This process's own metrics (process_* included), when there is no multiprocess directory."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def _registry() -> CollectorRegistry:
    """What one scrape reports: events and state in one registry, encoded once."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every process's values from the shared directory, added up (prometheus_client's
        # documented multiprocess set-up: a fresh registry per scrape).
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_StateCollector())
    return registry


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode()):
            return True
    if settings.METRICS_ALLOWED_NETS:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in network for network in allowed_networks())
    return False


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN and not settings.METRICS_ALLOWED_NETS:
        raise Http404("no such page")
    if not _allowed(request):
        return HttpResponseForbidden("metrics are for the monitoring network", content_type="text/plain")
    # The text format Prometheus asks for (Accept): 0.0.4 by default, OpenMetrics if preferred.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(_registry()), content_type=content_type)

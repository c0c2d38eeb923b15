"""The chat app's HTTP endpoint (docs/protocol.md, HTTP). Transport only."""

from __future__ import annotations

from django.http import HttpRequest

from chat import schemas, selectors
from protocol.http import endpoint


@endpoint(
    "service",
    method="GET",
    name="service-info",
    response=schemas.ServiceInfo,
    summary="Topics, and whether the line is open now",
)
def service_info(request: HttpRequest) -> schemas.ServiceInfo:
    info = selectors.service_info()
    return schemas.ServiceInfo(
        topics=info.topics, open=info.open, service_hours=info.service_hours, timezone=info.timezone
    )

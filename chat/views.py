"""The chat app's HTTP endpoint (docs/protocol.md, HTTP). Transport only."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.http import Bearer
from accounts.models import Role
from accounts.services import Principal
from chat import schemas, selectors
from protocol.http import endpoint

COUNSELORS = Bearer(roles=(Role.COUNSELOR,))


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
        topics=info.topics,
        open=info.open,
        service_hours=info.service_hours,
        timezone=info.timezone,
        hours=info.hours,
        open_topics=info.open_topics,
    )


@endpoint(
    "chat/colleagues",
    method="GET",
    name="chat-colleagues",
    auth=COUNSELORS,
    response=schemas.Colleagues,
    summary="The other counselors and whether each can take a conversation now (for a transfer)",
)
def colleagues(request: HttpRequest, *, principal: Principal) -> schemas.Colleagues:
    return schemas.Colleagues(
        colleagues=[
            schemas.Colleague(user=c.user, name=c.name, topics=c.topics, state=c.state, load=c.load, max=c.limit)
            for c in selectors.colleagues_of(counselor_id=principal.user_id)
        ]
    )

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from chat.models import Topic
from chat.services.queue import within_service_hours


@require_GET
def service_info(request: HttpRequest) -> JsonResponse:
    return JsonResponse({
        "topics": list(Topic.values),
        "open": within_service_hours(),
        "service_hours": settings.SERVICE_HOURS,
        "timezone": settings.TIME_ZONE,
    })

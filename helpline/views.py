"""The helpline app's HTTP endpoint (docs/protocol.md, HTTP). Transport only."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from helpline import schemas, selectors
from protocol.http import endpoint


@endpoint(
    "helpline/content",
    method="GET",
    name="helpline-content",
    response=schemas.YouthContent,
    summary="The numbers to call, the safety texts and the retention period, in the request's language",
)
def youth_content(request: HttpRequest) -> schemas.YouthContent:
    language = get_language() or settings.LANGUAGE_CODE
    content = selectors.safety_content(language=language)
    main_line = content.main_line
    return schemas.YouthContent(
        language=language,
        hotlines=[schemas.Hotline(number=h.number, label=h.label, urgent=h.urgent) for h in content.hotlines],
        safety_texts=[
            schemas.SafetyText(level=t.level, title=t.title, body=t.body, steps=t.steps) for t in content.texts
        ],
        main_line=main_line.number if main_line else None,
        retention_days=settings.TRANSCRIPT_RETENTION_DAYS,
    )

"""The helpline app's HTTP bodies (docs/protocol.md, HTTP)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta


class Hotline(msgspec.Struct, kw_only=True):
    number: Annotated[str, Meta(examples=["12355"])]
    label: Annotated[str, Meta(examples=["青少年服务台"])]
    urgent: Annotated[bool, Meta(description="police or ambulance: shown first, in red")]


class SafetyText(msgspec.Struct, kw_only=True):
    level: Annotated[int, Meta(ge=3, le=4)]
    title: str
    body: str
    steps: Annotated[list[str], Meta(description="what to do right now, one step each (level 4)")]


class YouthContent(msgspec.Struct, kw_only=True):
    """What a youth's client shows from the start, in the request's language: the numbers to
    call, the safety texts (shown the instant `safety.response` arrives, with nothing more to
    fetch), and how long a chat is kept (the privacy notice)."""

    language: Annotated[str, Meta(examples=["zh-hans"])]
    hotlines: list[Hotline]
    safety_texts: list[SafetyText]
    main_line: Annotated[
        str | None, Meta(description="the number offered when nobody is online (not police or ambulance)")
    ]
    retention_days: Annotated[int, Meta(description="TRANSCRIPT_RETENTION_DAYS", examples=[1095])]

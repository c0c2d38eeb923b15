"""The chat app's HTTP bodies (docs/protocol.md, HTTP)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta


class ServiceInfo(msgspec.Struct, kw_only=True):
    """What the youth page shows before asking for a counselor."""

    topics: Annotated[list[str], Meta(examples=[["psych", "legal", "aid"]])]
    open: Annotated[bool, Meta(description="within service hours right now")]
    service_hours: Annotated[str, Meta(description="HH:MM-HH:MM, local time", examples=["08:00-22:00"])]
    timezone: Annotated[str, Meta(examples=["Asia/Shanghai"])]
    hours: Annotated[
        dict[str, str],
        Meta(description="each topic's hours", examples=[{"psych": "00:00-24:00", "legal": "09:00-17:00"}]),
    ]
    open_topics: Annotated[list[str], Meta(description="the topics answered now", examples=[["psych"]])]


class Colleague(msgspec.Struct, kw_only=True):
    """A counselor as a colleague sees them when handing a conversation on."""

    user: int
    name: str
    topics: list[str]
    state: Annotated[str, Meta(description="free | full | away | offline", examples=["free"])]
    load: int
    max: int


class Colleagues(msgspec.Struct, kw_only=True):
    colleagues: list[Colleague]

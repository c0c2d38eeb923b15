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

"""The yardstick of bench/bench_vs_bare.py: the barest relay Channels can do on the same layer.

One consumer class: a socket joins the group named by its query string (`?room=7`), and every
text frame it sends is `group_send` to that group as is and handed to each member's socket as
is. No authentication, no parsing, no database, no checks: what is left is Daphne, Channels'
dispatch and the channel layer (Redis pub/sub, as Youthline is deployed), the cost any relay on
this stack pays. Run by Daphne as `bench.bare_relay:application` with
DJANGO_SETTINGS_MODULE=bench.bare_relay and REDIS_URL set.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

SECRET_KEY = "bench-bare-relay-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
USE_TZ = True
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")], "prefix": "bare"},
    }
}

if os.environ.get("DJANGO_SETTINGS_MODULE") == __name__:
    import django

    django.setup()

    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.routing import URLRouter
    from django.urls import path

    class BareRelayConsumer(AsyncWebsocketConsumer):
        async def connect(self) -> None:
            query = parse_qs(self.scope.get("query_string", b"").decode())
            self.room = f"room.{int(query.get('room', ['0'])[0])}"
            await self.channel_layer.group_add(self.room, self.channel_name)
            await self.accept()

        async def disconnect(self, code: int) -> None:
            await self.channel_layer.group_discard(self.room, self.channel_name)

        async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
            if text_data is not None:
                await self.channel_layer.group_send(self.room, {"type": "relay", "text": text_data})

        async def relay(self, event: dict[str, Any]) -> None:
            await self.send(text_data=event["text"])

    application = URLRouter([path("bare/", BareRelayConsumer.as_asgi())])

"""The channel layer as deployed: channels_redis's Redis pub/sub layer, publishing concurrently.

channels_redis 4.3's `RedisSingleShardConnection.publish` holds the shard's asyncio lock across
the Redis round trip, so every publish of a process waits for the one before it: one publish
per round trip, whatever the load. Under load the published events queued there, and the
relay's `deliver` stage (published -> taken by the recipient's consumer) grew to hundreds of
milliseconds with the event loop not behind. The lock guards the lazy creation of the client and
the subscription state; a publish needs neither once the client exists, and redis-py's client
takes a pooled connection per command. So publishes here take the lock only to create the client.

Everything else (subscriptions, the receiving task, reconnection, flush) is channels_redis's.
"""

from __future__ import annotations

from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection


class _ConcurrentPublishShard(RedisSingleShardConnection):  # type: ignore[misc]
    async def publish(self, channel: str, message: bytes) -> None:
        client = self._redis
        if client is None:
            async with self._lock:
                self._ensure_redis()
                client = self._redis
        await client.publish(channel, message)


class _LoopLayer(RedisPubSubLoopLayer):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hosts = [shard.host for shard in getattr(self, "_shards")]  # noqa: B009 - untyped upstream attribute
        self._shards = [_ConcurrentPublishShard(host, self) for host in hosts]


class PubSubChannelLayer(RedisPubSubChannelLayer):  # type: ignore[misc]
    """`channels_redis.pubsub.RedisPubSubChannelLayer` with concurrent publishes (see above)."""

    def _get_layer(self) -> RedisPubSubLoopLayer:
        import asyncio

        from channels_redis.utils import _wrap_close

        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer

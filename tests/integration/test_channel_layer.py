"""realtime.layer.PubSubChannelLayer on the real Redis: a process's publishes do not wait for
one another (channels_redis's own layer holds a lock across each publish's round trip), and
what is published still arrives, to every member of the group, after concurrent sends."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from realtime.layer import PubSubChannelLayer

pytestmark = pytest.mark.live
SENDS = 40


def _layer(prefix: str) -> PubSubChannelLayer:
    return PubSubChannelLayer(hosts=[os.environ["REDIS_URL"]], prefix=prefix)


async def _publishes_in_flight_at_most(layer: PubSubChannelLayer) -> int:
    """Sends SENDS group messages at once with each publish slowed by 20 ms on its way to
    Redis; returns how many were on their way at the same time."""
    loop_layer = layer._get_layer()
    shard = loop_layer._shards[0]
    shard._ensure_redis()
    client = shard._redis
    real_publish = client.publish
    in_flight = peak = 0

    async def slow_publish(channel, message):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.02)  # a Redis round trip under load
            return await real_publish(channel, message)
        finally:
            in_flight -= 1

    client.publish = slow_publish
    try:
        await asyncio.gather(*(layer.group_send("g", {"type": "relay", "n": n}) for n in range(SENDS)))
    finally:
        client.publish = real_publish
    return peak


def test_publishes_of_one_process_go_side_by_side_and_all_arrive():
    async def scenario() -> tuple[int, list[int], list[int]]:
        layer = _layer(f"t{uuid.uuid4().hex[:8]}")
        receivers = [await layer.new_channel() for _ in range(2)]
        for channel in receivers:
            await layer.group_add("g", channel)
        await asyncio.sleep(0.2)  # the subscription reaches Redis
        peak = await _publishes_in_flight_at_most(layer)
        got: list[list[int]] = [[], []]
        for index, channel in enumerate(receivers):
            for _ in range(SENDS):
                message = await asyncio.wait_for(layer.receive(channel), 5)
                got[index].append(message["n"])
        await layer.flush()
        return peak, sorted(got[0]), sorted(got[1])

    peak, first, second = asyncio.run(scenario())
    assert peak > 1, "every publish waited for the one before it"
    assert first == second == list(range(SENDS))

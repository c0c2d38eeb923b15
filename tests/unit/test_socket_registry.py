"""The live-socket registry heals itself (issue 7, item 1): a socket whose consumer ended, however
it ended, stops being heart-beaten by its process and is expired though the process lives on;
a stale database connection is replaced only when that cannot apply anything twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import OperationalError, connection
from django.utils import timezone

from accounts.models import LiveSocket, Role, User, YouthProfile
from accounts.services import Principal, do_expire_stale_sockets, do_heartbeat_sockets
from gateway import consumers, heartbeat
from gateway.consumers import GatewayConsumer, with_a_live_connection


async def _never_called(*args: object) -> None:
    raise AssertionError("the patched consumer neither receives nor sends")


@pytest.mark.django_db(transaction=True)
def test_rows_the_process_no_longer_lists_expire_while_the_listed_ones_stay(settings):
    youth = User.objects.create(username="y-registry", role=Role.YOUTH)
    YouthProfile.objects.create(user=youth, channel="web")
    long_ago = timezone.now() - timedelta(seconds=settings.SOCKET_STALE_AFTER_S + 5)
    LiveSocket.objects.create(channel_name="specific.p1!held", user=youth, heartbeat_at=long_ago)
    LiveSocket.objects.create(channel_name="specific.p1!ended", user=youth, heartbeat_at=long_ago)

    do_heartbeat_sockets(channel_names=["specific.p1!held"])  # what the process holds now
    assert do_expire_stale_sockets() == 1
    assert list(LiveSocket.objects.values_list("channel_name", flat=True)) == ["specific.p1!held"]
    assert YouthProfile.objects.get(user=youth).offline_since is None  # still online by the held one


def test_a_consumer_that_ends_without_its_disconnect_leaves_the_list_and_is_cleaned_up(monkeypatch):
    """Daphne cancels an application that does not finish in time after its client left; its
    disconnect step never runs. The process must stop listing the socket and clean it up."""
    released: list[str] = []

    async def cancelled_while_running(self, scope, receive, send):
        self.channel_name = "specific.p1!cancelled"
        self.principal = Principal(user_id=1, role="counselor", name="c")
        heartbeat.local_channel_names.add(self.channel_name)
        raise asyncio.CancelledError

    async def release(self):
        released.append(self.channel_name)

    monkeypatch.setattr(AsyncWebsocketConsumer, "__call__", cancelled_while_running)
    monkeypatch.setattr(GatewayConsumer, "_release", release)

    async def run() -> None:
        with pytest.raises(asyncio.CancelledError):
            await GatewayConsumer()({"type": "websocket"}, _never_called, _never_called)
        assert "specific.p1!cancelled" not in heartbeat.local_channel_names  # at once, before any await
        await asyncio.gather(*consumers._orphan_cleanups)

    asyncio.run(run())
    assert released == ["specific.p1!cancelled"]


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_replaced_and_the_call_run_again_only_if_nothing_reached_the_database(monkeypatch):
    calls: list[str] = []

    def fails_on_its_first_statement():
        calls.append("call")
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0]

    assert with_a_live_connection(fails_on_its_first_statement) == 1
    assert calls == ["call", "call"]

    def fails_after_a_statement():
        calls.append("late")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        raise OperationalError("connection lost during COMMIT")

    calls.clear()
    with pytest.raises(OperationalError):
        with_a_live_connection(fails_after_a_statement)
    assert calls == ["late"]  # something may have been applied: not run twice, the client resends

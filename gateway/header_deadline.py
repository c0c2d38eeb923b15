"""A deadline for a request's headers: a connection that sends them slowly, byte by byte, is
closed (408) after HTTP_HEADER_TIMEOUT_S, however steadily it trickles.

Daphne has no such limit. Its `--http-timeout` starts once a request's headers are all in (the
application's time to answer), and the only clock before that is Twisted's idle timeout
(HTTPChannel.timeOut, 60 s), which every byte received restarts: 500 connections each sending a
header byte every few seconds stayed open for good (issue 7). Behind nginx its
`client_header_timeout` does the same job (docs/deployment.md); this one holds in every process
whatever stands in front, the live test stacks included.

The deadline runs from the connection's opening and again after each answered request (a kept-
alive connection waiting for its next request); the headers all in, it is cancelled. A WebSocket
handshake is a request like any other: once upgraded the socket is no longer an HTTP channel.
Installed once per process from the gateway's AppConfig.ready(); a server other than Daphne is
left alone.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)
REQUEST_TIMEOUT_ANSWER = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

_installed = False


def install(seconds: float) -> bool:
    """Patch Daphne's HTTP channels with the deadline; False where Daphne is absent or seconds <= 0."""
    global _installed
    if _installed:
        return True
    if seconds <= 0:
        return False
    try:
        from daphne.http_protocol import HTTPFactory
        from twisted.web.http import HTTPChannel, _GenericHTTPChannelProtocol
    except ImportError:
        return False

    def expire(channel: Any) -> None:
        channel._youthline_header_deadline = None
        transport = channel.transport
        if transport is None or getattr(channel, "_youthline_closed", False):
            return
        log.info("closing a connection whose request headers took over %.0f s", seconds)
        transport.write(REQUEST_TIMEOUT_ANSWER)
        transport.loseConnection()

    def arm(channel: Any) -> None:
        # Imported here, not at start-up: importing the reactor installs one, and Daphne must
        # install its asyncio reactor first (runserver loads the apps before Daphne's server).
        from twisted.internet import reactor as installed_reactor

        reactor: Any = installed_reactor  # zope's interface stubs misread callLater's arguments
        disarm(channel)
        channel._youthline_header_deadline = reactor.callLater(seconds, expire, channel)

    def disarm(channel: Any) -> None:
        deadline = getattr(channel, "_youthline_header_deadline", None)
        if deadline is not None and deadline.active():
            deadline.cancel()
        channel._youthline_header_deadline = None

    # Twisted's HTTPChannel is only partly typed: subclassed through Any, its untyped methods
    # (requestDone, allHeadersReceived) are overridden without type errors.
    channel_base: Any = HTTPChannel

    class DeadlineChannel(channel_base):  # type: ignore[misc]
        def connectionMade(self) -> None:
            super().connectionMade()
            arm(self)

        def allHeadersReceived(self) -> None:
            disarm(self)
            super().allHeadersReceived()

        def requestDone(self, request: Any) -> None:
            super().requestDone(request)
            if self.transport is not None and not getattr(self, "_youthline_closed", False):
                arm(self)  # the next request on this kept-alive connection has its own deadline

        def connectionLost(self, reason: Any) -> None:
            self._youthline_closed = True
            disarm(self)
            super().connectionLost(reason)

    def channel_with_a_deadline(factory: Any) -> Any:
        # What Twisted's HTTPFactory.protocol builds, around our channel instead of its own.
        return _GenericHTTPChannelProtocol(DeadlineChannel())

    HTTPFactory.protocol = channel_with_a_deadline
    _installed = True
    return True

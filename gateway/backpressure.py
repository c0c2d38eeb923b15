"""A bound on what each socket may have waiting to be written: a client that stops reading is
closed, not buffered forever.

The application never sees the TCP connection: Daphne writes each `websocket.send` into the
Twisted transport, whose buffer grows without limit while the peer does not read (270 MB to
560 MB in 30 s for one such socket, issue 7). So the check lives where the bytes are: Daphne's
WebSocket protocol, in the same process. Before each frame it reads how many bytes the transport
still holds; over WS_SEND_BUFFER_MAX_BYTES it drops the frame and closes the socket with
CLOSE_SLOW_READER. Autobahn drops the TCP connection when the close handshake is not answered
(its closeHandshakeTimeout, 1 s), Daphne then delivers `websocket.disconnect` as for any close,
and the client, once it reads again, reconnects and fills the gap from `history` (nothing is
lost: the database is the record, the fan-out only a notification).

Installed once per process from the gateway's AppConfig.ready(); a server other than Daphne is
left alone.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)
CLOSE_SLOW_READER = 4408

_installed = False


def buffered_bytes(transport: Any) -> int | None:
    """Bytes a Twisted transport holds that the peer has not taken yet (None: unknown kind).

    A TLS transport (TLSMemoryBIOProtocol) wraps the TCP one: what it has not encrypted yet is
    small next to what the TCP transport holds, so the TCP one is read."""
    for _ in range(4):
        if transport is None:
            return None
        if hasattr(transport, "dataBuffer") and hasattr(transport, "_tempDataLen"):
            return int(len(transport.dataBuffer) - getattr(transport, "offset", 0) + transport._tempDataLen)
        transport = getattr(transport, "transport", None)
    return None


def install(max_bytes: int) -> bool:
    """Wrap Daphne's WebSocketProtocol.serverSend with the bound; False where Daphne is absent."""
    global _installed
    if _installed:
        return True
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:
        return False
    original = WebSocketProtocol.serverSend

    def server_send_bounded(self: Any, content: Any, binary: bool = False) -> None:
        if self.state == self.STATE_OPEN:
            waiting = buffered_bytes(self.transport)
            if waiting is not None and waiting > max_bytes:
                log.warning("closing a socket that stopped reading: %d bytes waiting for %s", waiting, self.client_addr)
                self.serverClose(code=CLOSE_SLOW_READER)
                return
        elif self.state != self.STATE_CONNECTING:
            return  # closing or closed: autobahn would drop it anyway
        original(self, content, binary)

    WebSocketProtocol.serverSend = server_send_bounded
    _installed = True
    return True

"""What every WebSocket frame of protocol v1 shares: the envelope, errors, decoding, encoding.

Frames are typed msgspec structs (validated in C, which matters on the per-message path). Each
app declares its own frames in `<app>/frames.py` and registers them (`protocol.registry`); the
decoder is built from every registered client frame. `tests/test_protocol_doc.py` checks that
docs/protocol.md documents every registered `type`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from msgspec import Meta

Id = Annotated[int, Meta(ge=1, le=2**63 - 1)]
# A string a client names something by (a message's client_id, a frame's ref) holds no control
# character (C0, DEL, C1): PostgreSQL refuses NUL in text, and a NUL or newline in an id that is
# logged or echoed is an injection. `\Z`, not `$`: `$` also matches before a final newline.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f-\x9f]*\Z"
RefText = Annotated[str, Meta(max_length=128, pattern=NO_CONTROL_CHARACTERS)]
Ref = RefText | int | None
Level = Annotated[int, Meta(ge=0, le=4)]
ClientId = Annotated[str, Meta(min_length=1, max_length=64, pattern=NO_CONTROL_CHARACTERS)]
# `unavailable`: the database could not be reached for this frame; the client sends it again
# after a backoff (message.send is idempotent by client_id). `busy`: the process is saturated and
# did not admit the frame (nothing was stored); the client sends it again after a backoff.
ERROR_CODES = ("bad_frame", "too_large", "forbidden", "not_found", "rate_limited", "invalid", "unavailable", "busy")
_SAFE_REF = re.compile(NO_CONTROL_CHARACTERS)


class ClientFrame(msgspec.Struct, tag_field="type", kw_only=True):
    ref: Ref = None


class ServerFrame(msgspec.Struct, tag_field="type", kw_only=True, omit_defaults=True):
    pass


# ----- the frames of the connection itself --------------------------------------------------
class Auth(ClientFrame, tag="auth"):
    token: str


class Ping(ClientFrame, tag="ping"):
    pass


class Error(ServerFrame, tag="error"):
    code: str
    detail: str
    ref: Ref = None


class Pong(ServerFrame, tag="pong"):
    ref: Ref = None


# ----- encoding and decoding ----------------------------------------------------------------
_loose_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


class BadFrame(Exception):
    """A client frame that cannot be decoded; `ref` is echoed if it could be read."""

    def __init__(self, detail: str, ref: Ref = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.ref = ref


def decode_client_frame(data: str | bytes) -> Any:
    """Decode into the registered client frame its `type` names (any app's)."""
    from protocol.registry import registry

    try:
        return registry.client_decoder().decode(data)
    except msgspec.DecodeError as exc:
        raise BadFrame(_explain(str(exc)), ref=salvage_ref(data)) from None
    except RecursionError:
        # msgspec raises this, not DecodeError, for nesting deeper than its limit; uncaught it
        # ended the consumer (Daphne's 1011) without its disconnect step.
        raise BadFrame("JSON nested too deeply", ref=None) from None


def salvage_ref(data: str | bytes) -> Ref:
    """The `ref` of a frame that is refused before (or instead of) being decoded, if it has one."""
    try:
        loose = _loose_decoder.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return None
    ref = loose.get("ref") if isinstance(loose, dict) else None
    if isinstance(ref, str):
        return ref if len(ref) <= 128 and _SAFE_REF.match(ref) else None
    return ref if isinstance(ref, int) and not isinstance(ref, bool) and -(2**63) <= ref < 2**63 else None


def _explain(msgspec_error: str) -> str:
    if msgspec_error.startswith("Invalid value") and "`$.type`" in msgspec_error:
        return "unknown frame type"
    if "missing required field `type`" in msgspec_error:
        return "frame has no type"
    if "matching regex" in msgspec_error and NO_CONTROL_CHARACTERS.replace("\\", "\\\\") in msgspec_error:
        return "a control character in an id" + msgspec_error[msgspec_error.rfind(" - at ") :]
    return msgspec_error


def encode(frame: ServerFrame) -> str:
    return _encoder.encode(frame).decode()


def with_ref(frame: ServerFrame, ref: Ref) -> ServerFrame:
    """The reply to a client frame echoes its `ref` (when the reply frame carries one)."""
    if ref is not None and "ref" in frame.__struct_fields__:
        frame.ref = ref  # type: ignore[attr-defined]
    return frame


def client_frame_types() -> list[str]:
    from protocol.registry import registry

    return registry.client_frame_types()


def server_frame_types() -> list[str]:
    from protocol.registry import registry

    return registry.server_frame_types()

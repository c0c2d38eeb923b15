"""The one exception services raise to refuse a request; the gateway turns it into an `error` frame."""

from __future__ import annotations


class Refused(Exception):
    """A request refused with a protocol error code; nothing was changed.

    Over HTTP an endpoint answers it with `http_status` when set (409 for a state that changed
    since the request was sent), else the code's status (protocol/http.py, `status_of`)."""

    http_status: int | None = None

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def bad_frame(detail: str) -> Refused:
    return Refused("bad_frame", detail)


def too_large(detail: str) -> Refused:
    return Refused("too_large", detail)


def forbidden(detail: str = "not yours") -> Refused:
    return Refused("forbidden", detail)


def not_found(detail: str = "no such thing") -> Refused:
    return Refused("not_found", detail)


def invalid(detail: str) -> Refused:
    return Refused("invalid", detail)

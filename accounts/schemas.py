"""The identity API's bodies (docs/protocol.md, HTTP): what a client sends and gets back."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from protocol.http import RequestBody

# A JWT as issued by accounts.tokens (HS256, three base64url parts).
Token = Annotated[str, Meta(description="a signed JWT (HS256)", examples=["eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"])]


class YouthSignUp(RequestBody):
    """A new anonymous youth identity; nickname and region are optional and cleaned of markup."""

    channel: Literal["web", "miniprogram"]
    nickname: Annotated[str, Meta(max_length=32)] | None = None
    region: Annotated[str, Meta(max_length=64)] | None = None


class YouthTokens(msgspec.Struct, kw_only=True):
    """The new youth's token pair (the access token opens /ws/v1/) and user id."""

    access: Token
    refresh: Token
    youth_id: int


class StaffLogin(RequestBody):
    """A staff member's credentials (counselor, supervisor or admin)."""

    username: Annotated[str, Meta(min_length=1)]
    password: Annotated[str, Meta(min_length=1)]


class StaffTokens(msgspec.Struct, kw_only=True):
    """A new login: a token pair of a new family, and the role the consoles open for."""

    access: Token
    refresh: Token
    role: Literal["counselor", "supervisor", "admin"]


class RefreshTokenBody(RequestBody):
    """A refresh token, to rotate (refresh) or to revoke with its whole family (logout)."""

    refresh: Token


class TokenPair(msgspec.Struct, kw_only=True):
    """The rotated pair, of the same family as the refresh token traded in."""

    access: Token
    refresh: Token

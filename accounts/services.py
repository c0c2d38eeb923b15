"""Identity services: check, then write. Views and the gateway call these and nothing lower."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from accounts.models import STAFF_ROLES, Channel, CounselorProfile, LiveSocket, RefreshToken, Role, User, YouthProfile
from accounts.tokens import Claims, TokenError, decode_token, issue_access_token, issue_refresh_token


class AuthFailed(Exception):
    """Credentials or a token were refused; the message is safe to show."""


class InvalidInput(Exception):
    pass


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: str
    refresh: str
    user_id: int
    role: str


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is on the other end of a socket, as established by a verified access token."""

    user_id: int
    role: str
    name: str


def _issue_pair(*, user: User, family: str | None = None) -> TokenPair:
    family = family or uuid.uuid4().hex
    refresh, claims = issue_refresh_token(user_id=user.pk, role=user.role, family=family)
    RefreshToken.objects.create(
        jti=claims.jti,
        family=family,
        user=user,
        expires_at=timezone.now() + timedelta(seconds=settings.JWT_REFRESH_TTL_S),
    )
    return TokenPair(
        access=issue_access_token(user_id=user.pk, role=user.role), refresh=refresh, user_id=user.pk, role=user.role
    )


def check_youth_fields(*, channel: object, nickname: object, region: object) -> tuple[str, str, str]:
    if channel not in Channel.values:
        raise InvalidInput('channel must be "web" or "miniprogram"')
    nickname = "" if nickname is None else nickname
    region = "" if region is None else region
    if not isinstance(nickname, str) or len(nickname) > 32:
        raise InvalidInput("nickname must be a string of at most 32 characters")
    if not isinstance(region, str) or len(region) > 64:
        raise InvalidInput("region must be a string of at most 64 characters")
    from moderation.hygiene import clean_text

    return str(channel), clean_text(nickname), clean_text(region)


@transaction.atomic
def do_create_youth(*, channel: object, nickname: object = None, region: object = None) -> TokenPair:
    channel_value, nickname_value, region_value = check_youth_fields(channel=channel, nickname=nickname, region=region)
    user = User(username=f"youth-{uuid.uuid4().hex}", role=Role.YOUTH)
    user.set_unusable_password()
    user.save()
    YouthProfile.objects.create(user=user, channel=channel_value, nickname=nickname_value, region=region_value)
    return _issue_pair(user=user)


@transaction.atomic
def do_login(*, username: object, password: object) -> TokenPair:
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise InvalidInput("username and password are required strings")
    user = authenticate(username=username[:150], password=password[:256])
    if user is None or not user.is_active or user.role not in STAFF_ROLES:
        raise AuthFailed("wrong username or password")
    return _issue_pair(user=user)


def check_refresh_token(refresh: object) -> Claims:
    if not isinstance(refresh, str):
        raise InvalidInput("refresh must be a string")
    try:
        return decode_token(refresh, expected_typ="refresh")
    except TokenError as exc:
        raise AuthFailed(f"refresh token refused: {exc}") from None


def do_rotate_refresh_token(*, refresh: object) -> TokenPair:
    """Trade a refresh token for a new pair; a used token presented again revokes its family."""
    claims = check_refresh_token(refresh)
    reused = False
    with transaction.atomic():
        stored = RefreshToken.objects.select_for_update().select_related("user").filter(jti=claims.jti).first()
        if stored is None or stored.family != claims.family or stored.user_id != claims.user_id:
            raise AuthFailed("refresh token refused")
        if stored.revoked_at is not None:
            raise AuthFailed("refresh token revoked")
        now = timezone.now()
        if stored.used_at is not None:
            # Someone holds a copy of a rotated token: revoke the whole login. The revocation
            # must commit, so the refusal is raised after the atomic block.
            RefreshToken.objects.filter(family=stored.family, revoked_at__isnull=True).update(revoked_at=now)
            reused = True
        elif not stored.user.is_active:
            raise AuthFailed("account disabled")
        else:
            stored.used_at = now
            stored.save(update_fields=["used_at"])
            return _issue_pair(user=stored.user, family=stored.family)
    assert reused  # noqa: S101 - an invariant of the loop above; the refusal follows either way
    raise AuthFailed("refresh token reused; every token of this login is revoked")


def do_logout(*, refresh: object) -> None:
    claims = check_refresh_token(refresh)
    RefreshToken.objects.filter(family=claims.family, revoked_at__isnull=True).update(revoked_at=timezone.now())


def authenticate_access_token(*, token: object) -> Principal:
    """Verify an access token and that its user still exists, is active and has that role."""
    if not isinstance(token, str):
        raise AuthFailed("token must be a string")
    try:
        claims: Claims = decode_token(token, expected_typ="access")
    except TokenError as exc:
        raise AuthFailed(str(exc)) from None
    user = User.objects.filter(pk=claims.user_id, is_active=True).only("id", "role", "username", "display_name").first()
    if user is None or user.role != claims.role:
        raise AuthFailed("unknown user")
    return Principal(user_id=user.pk, role=user.role, name=user.shown_name)


# ----- sockets ------------------------------------------------------------------------------
def do_register_socket(*, user_id: int, channel_name: str) -> None:
    now = timezone.now()
    LiveSocket.objects.update_or_create(channel_name=channel_name, defaults={"user_id": user_id, "heartbeat_at": now})
    for profile_model in (CounselorProfile, YouthProfile):
        profile_model.objects.filter(user_id=user_id, offline_since__isnull=False).update(offline_since=None)


def do_unregister_socket(*, user_id: int, channel_name: str) -> None:
    LiveSocket.objects.filter(channel_name=channel_name).delete()
    if not LiveSocket.objects.filter(user_id=user_id).exists():
        for profile_model in (CounselorProfile, YouthProfile):
            profile_model.objects.filter(user_id=user_id, offline_since__isnull=True).update(
                offline_since=timezone.now()
            )


def count_live_sockets(*, user_id: int) -> int:
    """Open sockets of one identity, on every process (the cap: WS_MAX_SOCKETS_PER_USER)."""
    return LiveSocket.objects.filter(user_id=user_id).count()


def do_heartbeat_sockets(*, channel_names: list[str]) -> None:
    """Refresh the rows of the sockets a process holds now, and only those.

    The process lists what its consumers hold at this moment (gateway/heartbeat.py): a socket
    whose consumer ended is no longer listed, even if its clean-up never ran, so its row stops
    being refreshed and do_expire_stale_sockets removes it while the process lives on."""
    if channel_names:
        LiveSocket.objects.filter(channel_name__in=channel_names).update(heartbeat_at=timezone.now())


def do_expire_stale_sockets() -> int:
    """Sockets of a process that died never said goodbye; age them out and mark their users offline."""
    cutoff = timezone.now() - timedelta(seconds=settings.SOCKET_STALE_AFTER_S)
    stale_users = list(LiveSocket.objects.filter(heartbeat_at__lt=cutoff).values_list("user_id", flat=True).distinct())
    if not stale_users:
        return 0
    deleted, _ = LiveSocket.objects.filter(heartbeat_at__lt=cutoff).delete()
    online = set(LiveSocket.objects.filter(user_id__in=stale_users).values_list("user_id", flat=True))
    for profile_model in (CounselorProfile, YouthProfile):
        profile_model.objects.filter(user_id__in=set(stale_users) - online, offline_since__isnull=True).update(
            offline_since=timezone.now()
        )
    return deleted


# ----- staff management -----------------------------------------------------------------------
def do_ensure_staff(
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    topics: list[str] | None = None,
    max_concurrent: int | None = None,
) -> User:
    """Create or update a staff account (idempotent): used by demo_accounts and tests."""
    if role not in STAFF_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(STAFF_ROLES)}")
    with transaction.atomic():
        user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
        user.role = role
        user.display_name = display_name or user.display_name
        user.is_staff = role in (Role.SUPERVISOR, Role.ADMIN)
        user.is_superuser = role == Role.ADMIN
        user.set_password(password)
        user.save()
        if role == Role.COUNSELOR:
            profile, _ = CounselorProfile.objects.get_or_create(user=user)
            if topics is not None:
                profile.topics = list(topics)
            if max_concurrent is not None:
                profile.max_concurrent = max_concurrent
            profile.save()
    return user

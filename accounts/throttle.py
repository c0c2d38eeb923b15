"""Password guessing and sign-up floods, slowed down for every process at once.

Counters live in Django's cache: Redis when REDIS_URL is set (every process of a deployment
sees the same counts), process memory in the embedded default (one web process). Three budgets:

- sign-in attempts per client address (AUTH_RATE_PER_MIN in a minute), whatever the account;
- failed sign-ins per account and address: LOGIN_LOCKOUT_FAILURES within LOGIN_LOCKOUT_WINDOW_S
  lock that address out of that account for LOGIN_LOCKOUT_WINDOW_S. While locked, an attempt is
  refused before the password is checked, so the right password is refused too and a guesser
  learns nothing. Per address, so that a guesser cannot lock a counselor out of the console
  from elsewhere (a helpline whose night shift cannot sign in answers nobody);
- failed sign-ins per account from every address: LOGIN_ACCOUNT_LOCKOUT_FAILURES within the
  window lock the account for everyone, against guessing spread over many addresses;
- youth sign-ups per client address (SIGNUP_RATE_PER_MIN in a minute), a budget of its own: a
  school's youths behind one address do not use up the staff's sign-in attempts, nor the reverse.

The API's login (accounts.views) and the Django admin's login (accounts.admin_login) both go
through `check_login` and `record_login`. A window starts with its first attempt and lasts its
length (not the wall-clock minute), so Retry-After is exact.

When the cache cannot be reached (a Redis restart) the counting goes on in this process's memory
rather than failing every sign-in or letting guesses through unbounded.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

log = logging.getLogger(__name__)
_fallback = LocMemCache("youthline-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
KEY_PREFIX = "throttle"
T = TypeVar("T")


class Throttled(Exception):
    """A refusal: how many seconds until the budget allows again, and what to tell the caller."""

    def __init__(self, retry_after: int, detail: str) -> None:
        super().__init__(detail)
        self.retry_after = retry_after  # seconds
        self.detail = detail


def _cache() -> BaseCache:
    return caches["default"]


def _key(kind: str, value: str) -> str:
    # Hashed: the store never holds a username or an address in clear, and any text is a valid key.
    return f"{KEY_PREFIX}:{kind}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


def _with_cache(operation: Callable[[BaseCache], T]) -> T:
    try:
        return operation(_cache())
    except Exception:  # any failure of the shared store (logged): count in this process instead
        log.warning("throttle: the shared cache failed; counting in this process", exc_info=True)
        return operation(_fallback)


def _count(cache: BaseCache, key: str, window_s: int) -> tuple[int, float]:
    """Add one to the window at `key` (started by its first hit); the count and when it ends."""
    now = time.time()
    cache.add(f"{key}:start", now, timeout=window_s)
    cache.add(key, 0, timeout=window_s)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this hit starts the next window
        cache.set(f"{key}:start", now, timeout=window_s)
        cache.set(key, 1, timeout=window_s)
        count = 1
    started = cache.get(f"{key}:start") or now
    return count, started + window_s


def _retry_after(until: float) -> int:
    return max(1, math.ceil(until - time.time()))


def _per_address(kind: str, address: str, limit: int, detail: str) -> None:
    count, until = _with_cache(lambda cache: _count(cache, _key(kind, address), 60))
    if count > limit:
        raise Throttled(_retry_after(until), detail)


def check_signup(*, address: str) -> None:
    """A youth sign-up from `address`; raises Throttled past SIGNUP_RATE_PER_MIN in a minute."""
    _per_address(
        "signup", address, settings.SIGNUP_RATE_PER_MIN, "too many new identities from this address; wait a minute"
    )


def _pair(username: str, address: str) -> str:
    return f"{username}\x00{address}"  # NUL: in neither a username nor an address


def check_login(*, username: str, address: str) -> None:
    """Before a password is checked: raises Throttled while this address is locked out of the
    account, the account is locked for everyone, or the address is past its budget. Every call
    counts against the address."""
    _per_address(
        "login", address, settings.AUTH_RATE_PER_MIN, "too many sign-in attempts from this address; wait a minute"
    )
    keys = [_key("login-lock", _pair(username, address)), _key("login-lock-all", username)]
    found = _with_cache(lambda cache: cache.get_many(keys))
    locked_until = max((value for value in found.values() if value), default=0)
    if locked_until > time.time():
        raise Throttled(_retry_after(locked_until), "too many failed sign-ins for this account; try again later")


def record_login(*, username: str, address: str, succeeded: bool) -> None:
    """After a password was checked: a failure counts toward both lock-outs; a success clears
    this address's count (not the account's: a guesser elsewhere keeps what it has spent)."""
    pair_key = _key("login-failures", _pair(username, address))
    if succeeded:
        _with_cache(lambda cache: cache.delete_many([pair_key, f"{pair_key}:start"]))
        return
    window_s = settings.LOGIN_LOCKOUT_WINDOW_S
    account_key = _key("login-failures-all", username)

    def fail(cache: BaseCache) -> None:
        count, _ = _count(cache, pair_key, window_s)
        if count >= settings.LOGIN_LOCKOUT_FAILURES:
            cache.set(_key("login-lock", _pair(username, address)), time.time() + window_s, timeout=window_s)
            cache.delete_many([pair_key, f"{pair_key}:start"])
            log.warning("throttle: an address is locked out of an account for %d s after %d failures", window_s, count)
        total, _ = _count(cache, account_key, window_s)
        if total >= settings.LOGIN_ACCOUNT_LOCKOUT_FAILURES:
            cache.set(_key("login-lock-all", username), time.time() + window_s, timeout=window_s)
            cache.delete_many([account_key, f"{account_key}:start"])
            log.warning("throttle: an account is locked for %d s after %d failures from any address", window_s, total)

    _with_cache(fail)

"""The sign-in throttle's counting (accounts/throttle.py), in this process: windows, the lock-out,
and what happens when the shared cache cannot be reached. Across real processes:
tests/integration/test_login_throttle.py."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.test import override_settings

from accounts import throttle


class UnreachableCache(LocMemCache):
    """A cache whose server is down: every call fails as redis-py's would."""

    def __getattribute__(self, name: str) -> object:
        if name in {"add", "get", "set", "incr", "delete_many"}:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return super().__getattribute__(name)


@pytest.fixture
def fresh_cache(monkeypatch):
    cache = LocMemCache(f"throttle-test-{uuid.uuid4().hex}", {})
    monkeypatch.setattr(throttle, "_cache", lambda: cache)
    return cache


@override_settings(
    LOGIN_LOCKOUT_FAILURES=3, LOGIN_ACCOUNT_LOCKOUT_FAILURES=100, LOGIN_LOCKOUT_WINDOW_S=900, AUTH_RATE_PER_MIN=1000
)
def test_failures_lock_the_address_out_of_the_account_and_a_success_before_clears_them(fresh_cache):
    name = f"user-{uuid.uuid4().hex}"
    for _ in range(2):
        throttle.check_login(username=name, address="10.0.0.1")
        throttle.record_login(username=name, address="10.0.0.1", succeeded=False)
    throttle.record_login(username=name, address="10.0.0.1", succeeded=True)  # the count starts again
    for _ in range(2):
        throttle.record_login(username=name, address="10.0.0.1", succeeded=False)
    throttle.check_login(username=name, address="10.0.0.1")  # two failures since: not locked
    throttle.record_login(username=name, address="10.0.0.1", succeeded=False)
    with pytest.raises(throttle.Throttled) as refused:
        throttle.check_login(username=name, address="10.0.0.1")
    assert 890 < refused.value.retry_after <= 900
    # The guesser's address is locked out; the counselor at another address still signs in,
    # and another account from the guesser's address is not locked.
    throttle.check_login(username=name, address="10.0.0.2")
    throttle.check_login(username=f"other-{name}", address="10.0.0.1")


@override_settings(
    LOGIN_LOCKOUT_FAILURES=3, LOGIN_ACCOUNT_LOCKOUT_FAILURES=5, LOGIN_LOCKOUT_WINDOW_S=900, AUTH_RATE_PER_MIN=1000
)
def test_failures_spread_over_many_addresses_lock_the_account_for_everyone(fresh_cache):
    name = f"user-{uuid.uuid4().hex}"
    for address in ("10.1.0.1", "10.1.0.2"):
        for _ in range(2):  # under the per-address lock each
            throttle.record_login(username=name, address=address, succeeded=False)
    throttle.record_login(username=name, address="10.1.0.4", succeeded=True)  # does not clear the others'
    throttle.check_login(username=name, address="10.1.0.9")  # four in all: not yet
    throttle.record_login(username=name, address="10.1.0.3", succeeded=False)  # the fifth
    with pytest.raises(throttle.Throttled):
        throttle.check_login(username=name, address="10.1.0.9")
    throttle.check_login(username=f"other-{name}", address="10.1.0.9")


@override_settings(AUTH_RATE_PER_MIN=5, SIGNUP_RATE_PER_MIN=2)
def test_address_budgets_are_apart_and_tell_when_to_retry(fresh_cache):
    for index in range(5):
        throttle.check_login(username=f"user{index}", address="10.0.0.3")
    with pytest.raises(throttle.Throttled) as refused:
        throttle.check_login(username="user9", address="10.0.0.3")
    assert 0 < refused.value.retry_after <= 60
    throttle.check_login(username="user9", address="10.0.0.4")  # another address
    throttle.check_signup(address="10.0.0.3")  # sign-up has its own budget
    throttle.check_signup(address="10.0.0.3")
    with pytest.raises(throttle.Throttled):
        throttle.check_signup(address="10.0.0.3")


@override_settings(LOGIN_LOCKOUT_FAILURES=3, AUTH_RATE_PER_MIN=1000)
def test_an_unreachable_cache_still_locks_the_account_in_this_process(monkeypatch):
    broken = UnreachableCache(f"throttle-broken-{uuid.uuid4().hex}", {})
    monkeypatch.setattr(throttle, "_cache", lambda: broken)
    name = f"user-{uuid.uuid4().hex}"
    for _ in range(3):
        throttle.check_login(username=name, address="10.0.0.5")
        throttle.record_login(username=name, address="10.0.0.5", succeeded=False)
    with pytest.raises(throttle.Throttled):
        throttle.check_login(username=name, address="10.0.0.5")

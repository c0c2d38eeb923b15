"""Password guessing against real processes sharing one Redis: the sign-in throttle counts for
all of them (accounts/throttle.py), the API's login and the Django admin's alike.

Each test starts its own two-process stack with the production budgets it examines (the session
stack lifts them so other tests may sign in freely).
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import unique

pytestmark = pytest.mark.live

PASSWORD = "right-pass-123"
WRONG = "wrong-pass-456"


def login(url: str, username: str, password: str) -> tuple[int, dict, dict[str, str]]:
    """POST /api/v1/auth/login; the status, the body and the response headers."""
    request = urllib.request.Request(
        url + "/api/v1/auth/login",
        method="POST",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), dict(exc.headers)


def sign_up(url: str) -> int:
    request = urllib.request.Request(
        url + "/api/v1/auth/youth",
        method="POST",
        data=b'{"channel": "web"}',
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_fifty_wrong_passwords_across_two_processes_lock_the_account(start_stack):
    stack = start_stack(processes=2, workers=0, AUTH_RATE_PER_MIN="1000")
    username = unique("guessed")
    stack.create_staff(username=username, password=PASSWORD, role="counselor")
    statuses = []
    started = time.monotonic()
    for attempt in range(50):
        status, body, headers = login(stack.urls[attempt % 2], username, f"{WRONG}{attempt}")
        statuses.append(status)
        if status == 429:
            assert body["error"] == "rate_limited", body
            assert 0 < int(headers["Retry-After"]) <= 15 * 60, headers
    elapsed = time.monotonic() - started
    # Ten failures are checked (and answered 401), on both processes; every later one is refused unchecked.
    assert statuses[:10] == [401] * 10, statuses
    assert statuses[10:] == [429] * 40, statuses
    # Refused without a password check (PBKDF2, ~0.5 s of CPU each): 40 refusals cost little time.
    assert elapsed < 10 * 2 + 40 * 0.25, elapsed
    # The right password during the lock-out is refused too, on either process.
    for url in stack.urls:
        status, body, headers = login(url, username, PASSWORD)
        assert (status, body["error"]) == (429, "rate_limited"), body
        assert int(headers["Retry-After"]) > 60 * 14, headers


def test_another_account_from_the_same_address_is_served_up_to_the_address_limit(start_stack):
    stack = start_stack(processes=2, workers=0, AUTH_RATE_PER_MIN="20")
    locked, other = unique("locked"), unique("other")
    for username in (locked, other):
        stack.create_staff(username=username, password=PASSWORD, role="counselor")
    for attempt in range(10):  # ten failures: the first account is locked, ten of the address's twenty used
        assert login(stack.urls[attempt % 2], locked, WRONG)[0] == 401
    assert login(stack.urls[0], locked, PASSWORD)[0] == 429
    # The other account signs in from the same address until the address's budget (every attempt
    # counts, the refused one too) is used up.
    served = [login(stack.urls[attempt % 2], other, PASSWORD)[0] for attempt in range(9)]
    assert served == [200] * 9, served
    status, body, headers = login(stack.urls[1], other, PASSWORD)
    assert (status, body["error"]) == (429, "rate_limited"), body
    assert 0 < int(headers["Retry-After"]) <= 60


def test_youth_sign_up_has_its_own_budget(start_stack):
    """Youth sign-ups do not use up the address's sign-in attempts, nor the reverse."""
    stack = start_stack(processes=2, workers=0, AUTH_RATE_PER_MIN="5", SIGNUP_RATE_PER_MIN="6")
    username = unique("staff")
    stack.create_staff(username=username, password=PASSWORD, role="counselor")
    assert [sign_up(stack.urls[i % 2]) for i in range(6)] == [201] * 6
    assert sign_up(stack.urls[0]) == 429
    assert [login(stack.urls[i % 2], username, PASSWORD)[0] for i in range(5)] == [200] * 5
    assert login(stack.urls[1], username, PASSWORD)[0] == 429


class AdminBrowser:
    """A person at the Django admin's login form: cookies, the CSRF token, form posts."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def login(self, username: str, password: str) -> tuple[int, str, dict[str, str]]:
        with self.opener.open(self.base + "/admin/login/", timeout=15) as page:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        assert token, "no CSRF token on the admin login page"
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password, "next": "/admin/"}
        ).encode()
        request = urllib.request.Request(
            self.base + "/admin/login/?next=/admin/", data=form, headers={"Referer": self.base + "/admin/login/"}
        )
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.geturl(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), dict(exc.headers)


def test_admin_login_is_throttled_the_same_way(start_stack):
    stack = start_stack(processes=2, workers=0, AUTH_RATE_PER_MIN="1000")
    username = unique("superuser")
    stack.create_staff(username=username, password=PASSWORD, role="admin")
    outcomes = []
    for attempt in range(50):
        status, url, headers = AdminBrowser(stack.urls[attempt % 2]).login(username, f"{WRONG}{attempt}")
        outcomes.append(status)
        if status == 429:
            assert 0 < int(headers["Retry-After"]) <= 15 * 60
    # A wrong password re-shows the form (200); from the eleventh attempt the admin refuses unchecked.
    assert outcomes[:10] == [200] * 10 and outcomes[10:] == [429] * 40, outcomes
    for base in stack.urls:
        status, url, _ = AdminBrowser(base).login(username, PASSWORD)
        assert status == 429, (status, url)
    # The API and the admin share the account's lock.
    assert login(stack.urls[0], username, PASSWORD)[0] == 429


def test_the_admin_still_signs_in_with_the_right_password(start_stack):
    stack = start_stack(processes=1, workers=0)
    username = unique("superuser")
    stack.create_staff(username=username, password=PASSWORD, role="admin")
    status, url, _ = AdminBrowser(stack.urls[0]).login(username, PASSWORD)
    assert status == 200 and urllib.parse.urlsplit(url).path == "/admin/", (status, url)

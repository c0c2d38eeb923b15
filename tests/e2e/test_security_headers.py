"""Security headers and HTTP inputs, against the live stack: what every response carries, what
TLS adds, what static files leave out, that the pages work under their own Content-Security-Policy
in Chromium, and that text a database cannot store is a 400, not a 500.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.conftest import unique
from tests.e2e.test_pages import PASSWORD, sign_in, youth_starts
from tests.wsclient import http_json

pytestmark = pytest.mark.live

PAGES = [
    "/",
    "/console/login/",
    "/console/",
    "/supervisor/",
    "/admin/login/",
    "/jsi18n/",
    "/static/frontend/css/base.css",
    "/static/frontend/js/api.js",
    "/api/v1/openapi.json",
    "/no-such-page/",
]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(live_stack, path):
    base = live_stack.urls[0]
    host = urlsplit(base).netloc
    status, headers, _ = fetch(base + path)
    assert status in (200, 302, 404), (path, status)
    policy = directives(headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"] and "microphone=()" in headers["permissions-policy"]
    assert "strict-transport-security" not in headers, "HSTS over plain HTTP"
    assert "access-control-allow-origin" not in headers, (path, headers.get("access-control-allow-origin"))


def test_over_tls_hsts_is_sent_and_plain_http_is_redirected(start_stack):
    """Behind the TLS proxy of docs/deployment.md (it sets X-Forwarded-Proto)."""
    stack = start_stack(processes=1, workers=0, YOUTHLINE_BEHIND_PROXY="1", YOUTHLINE_HTTPS="1")
    base = stack.urls[0]
    status, headers, _ = fetch(base + "/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["strict-transport-security"] == "max-age=31536000"
    status, headers, _ = fetch(base + "/console/login/")
    assert status == 301 and headers["location"].startswith("https://"), (status, headers)
    # The monitoring scrapes the process itself over plain HTTP: /metrics is not redirected.
    status, _, _ = fetch(base + "/metrics")
    assert status != 301, status


# ----- text that cannot be stored ----------------------------------------------------------------
UNSTORABLE = {
    "nul-escape": rb'"a\u0000b"',
    "lone-high-surrogate": rb'"\ud800"',
    "lone-low-surrogate": rb'"x\udc00"',
    "surrogate-as-utf8": b'"\xed\xa0\x80"',
    "not-utf8": b'"\xff\xfe"',
}
BODIES = {
    "auth/youth": b'{"channel": "web", "nickname": %s}',
    "auth/login": b'{"username": %s, "password": "whatever-it-is"}',
    "auth/refresh": b'{"refresh": %s}',
    "auth/logout": b'{"refresh": %s}',
}


@pytest.mark.parametrize("endpoint", list(BODIES))
@pytest.mark.parametrize("case", list(UNSTORABLE))
def test_nul_and_lone_surrogates_in_json_fields_are_400(live_stack, endpoint, case):
    raw = BODIES[endpoint] % UNSTORABLE[case]
    for url in live_stack.urls:
        status, body = http_json("POST", f"{url}/api/v1/{endpoint}", raw=raw)
        assert (status, body["error"]) == (400, "bad_request"), (endpoint, case, status, body)


# ----- the pages under their policy, in Chromium ---------------------------------------------------
def watch_policy(page: Page) -> list[str]:
    """Every CSP violation the page reports, from the console and from the DOM event."""
    reported: list[str] = []
    page.on(
        "console",
        lambda message: (
            reported.append(message.text)
            if "Content Security Policy" in message.text or "CSP violation" in message.text
            else None
        ),
    )
    page.add_init_script("""document.addEventListener("securitypolicyviolation", (event) =>
        console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));""")
    return reported


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.mark.browser
def test_the_youth_page_runs_under_its_policy(live_stack, context):
    page = context.new_page()
    violations = watch_policy(page)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    youth_starts(page, live_stack.urls[0], topic="psych", nickname="小安")
    for _ in range(75):  # the page's modules ran: it authenticated its socket and joined the queue
        if any('"queue.joined"' in frame for frame in frames):
            break
        page.wait_for_timeout(200)
    assert any('"queue.joined"' in frame for frame in frames), frames[:5]
    assert not violations, violations
    # The watch itself sees a violation: an inline script, which the policy refuses.
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.x = 1";
                             document.body.append(s); }""")
    page.wait_for_timeout(300)
    assert violations and page.evaluate("() => window.x") is None, violations


@pytest.mark.browser
@pytest.mark.parametrize(
    ("role", "landing", "ready"),
    [
        ("counselor", "/console/", "#presence-toggle"),
        ("supervisor", "/supervisor/", "#tab-lexicon"),
    ],
)
def test_the_staff_consoles_run_under_their_policy(live_stack, context, role, landing, ready):
    username = unique(role)
    live_stack.create_staff(username=username, password=PASSWORD, role=role, name=f"{role[:3]}-csp")
    page = context.new_page()
    violations = watch_policy(page)
    sign_in(page, live_stack.urls[1], username, landing)
    page.wait_for_selector(ready, state="visible")
    page.wait_for_timeout(500)  # the socket opens and the first frames arrive
    assert not violations, violations


@pytest.mark.browser
def test_the_admin_runs_under_the_policy(live_stack, context):
    username = unique("admin")
    live_stack.create_staff(username=username, password=PASSWORD, role="admin")
    page = context.new_page()
    violations = watch_policy(page)
    page.goto(live_stack.urls[0] + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(live_stack.urls[0] + "/admin/accounts/staffmember/")
    page.wait_for_selector("#result_list")
    assert not violations, violations

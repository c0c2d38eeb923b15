"""The browser for the page tests: one headless Chromium for the tests of this folder.

Package scope, not session: Playwright's sync API keeps an event loop running in the main
thread while it is open, and the in-process tests that run after these (async views, asyncio)
must not find one there.
"""

from __future__ import annotations

import pytest

from tests.conftest import CHROMIUM_ARGS


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()
    playwright.stop()

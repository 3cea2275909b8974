"""Browser fixtures: headless Debian chromium driven by Playwright, pages of Markdown rendered the way GitHub does.

Skips with the reason when Playwright, cmarkgfm, the system chromium or github-markdown-css (npm ci) is missing.
"""

from __future__ import annotations

import importlib.util

import pytest

from .gfm import CHROMIUM, LAUNCH_ARGS, STYLESHEET


def missing() -> str:
    """Return why the browser tests cannot run here, or an empty string."""
    for module in ("playwright", "cmarkgfm"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it)"
    if not STYLESHEET.exists():
        return f"{STYLESHEET} is missing (run npm ci at the repository root)"
    return ""


@pytest.fixture(scope="session")
def chromium():
    """One headless chromium for the whole session: Playwright allows one sync driver a thread, so every suite shares it."""
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def browser(chromium):
    """The session's chromium, for pages of Markdown rendered with GitHub's parser and stylesheet."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    return chromium


@pytest.fixture
def page(browser):
    """A fresh page (880 px wide until a test resizes it), closed after the test."""
    context = browser.new_context(viewport={"width": 880, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()

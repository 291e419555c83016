"""Debian's headless Chromium, driven by Playwright (the pip package's driver; no browser download),
for the tests that need a real browser: the skip marks and a module-scoped browser fixture."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

NEEDS_CHROMIUM = [
    pytest.mark.skipif(os.name != "posix", reason="drives Debian's chromium, a Linux program (Windows' own "
                       "python under Wine would see it on the Z: drive but cannot start it)"),
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                       reason="Debian's chromium is not installed (apt-get install chromium fonts-wqy-microhei)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()

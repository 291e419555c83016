"""Fixtures of the serve tests: a real browser for the page tests."""

import pytest

from tests.serve.browser import browser  # noqa: F401 - a pytest fixture, found by name


@pytest.fixture(scope="module")
def ca():
    """The test CA (trustme), one per module. Imported here, not at the top: under Wine cryptography
    does not load, and the modules that ask for a CA skip themselves there (tests/serve/tls_setup.py)."""
    import trustme

    return trustme.CA()

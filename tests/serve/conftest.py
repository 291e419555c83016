"""Fixtures of the serve tests: a real browser for the page tests."""

from tests.serve.browser import browser  # noqa: F401 - a pytest fixture, found by name

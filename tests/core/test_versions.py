"""parse_version: numbers of a version, None for anything that is not one — also absurdly long text,
which Python could not even convert (its int-string limit is about 4,300 digits)."""

import pytest

from readiness.core.versions import compare_versions, parse_version


@pytest.mark.parametrize("text,parts", [
    ("2.4.4.24", (2, 4, 4, 24)), ("v1.2.1-0", (1, 2, 1, 0)), ("  17.5.1 ", (17, 5, 1)),
    ("10.0.19045.3803", (10, 0, 19045, 3803)), ("999999999.1", (999999999, 1)),  # 9 digits: still a version
    ("1." * 31 + "1", (1,) * 32),  # 63 characters
    (" " * 100 + "1.2" + " " * 100, (1, 2)),  # padding is not length
])
def test_versions(text, parts):
    assert parse_version(text) == parts


@pytest.mark.parametrize("text", [
    "1234567890.1",  # a component of 10 digits
    "1." + "9" * 10,
    "1." * 32 + "1",  # 65 characters
    "9" * 4301,  # over Python's int-string limit: raised ValueError before
    "1." + "9" * 5000,
    "1.2" * 10_000,
    "",
    None,
])
def test_absurd_text_is_no_version(text):
    assert parse_version(text) is None


def test_a_long_one_still_compares_as_not_newer():
    assert compare_versions(parse_version("2.4.4.24") or (), parse_version("2.4.3") or ()) == 1

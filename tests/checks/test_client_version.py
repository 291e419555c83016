import pytest

from readiness.core.model import Status
from readiness.core.versions import compare_versions, parse_version
from tests.checks.judge import judge_one
from tests.helpers import with_facts

CASES = [
    ({"client.version": "1.2.1-0"}, Status.PASS),
    ({"client.version": "1.2.1.0"}, Status.PASS),
    ({"client.version": "v1.2.1-0"}, Status.PASS),
    ({"client.version": "1.2.1"}, Status.PASS),
    ({"client.version": "1.2.2-0"}, Status.PASS),
    ({"client.version": "1.10.0-0"}, Status.PASS),
    ({"client.version": "2.0"}, Status.PASS),
    ({"client.version": "1.2.0-9"}, Status.FAIL),
    ({"client.version": "1.1.9-0"}, Status.FAIL),
    ({"client.version": "1.2"}, Status.FAIL),
    ({"client.install_dir": None, "client.version": None}, Status.FAIL),
    ({"client.version": None, "errors": {"client.version": "ExamClient.exe: has no version resource"}}, Status.ERROR),
    ({"client.version": "beta"}, Status.ERROR),
    ({"client.version": 121}, Status.ERROR),
    ({"client": None, "errors": {"client": "OSError: boom"}}, Status.ERROR),
]


@pytest.mark.parametrize("changes,status", CASES)
def test_client_version_rule(loaded, profile, changes, status):
    assert judge_one(loaded, "client-version", with_facts(changes), profile).status is status


def test_not_installed_names_where_it_looked(loaded, profile):
    facts = with_facts({"client.install_dir": None, "client.searched": ["C:\\Program Files\\ExamClient"]})
    result = judge_one(loaded, "client-version", facts, profile)
    assert "C:\\Program Files\\ExamClient" in result.message.en
    assert "1.2.1-0" in result.remedy.zh


def test_unreadable_version_reason_is_shown(loaded, profile):
    facts = with_facts({"client.version": None, "errors": {"client.version": "not a Windows program (PE)"}})
    assert "not a Windows program" in judge_one(loaded, "client-version", facts, profile).message.en


@pytest.mark.parametrize("a,b,cmp", [
    ("1.2.1-0", "1.2.1.0", 0), ("1.10.0-0", "1.2.1-0", 1), ("v1.2.1-0", "1.2.1-0", 0),
    ("1.2.1", "1.2.1-0", 0), ("1.2.0-9", "1.2.1-0", -1), ("V 1.2.1 - 0", "1.2.1.0", 0),
])
def test_compare_versions(a, b, cmp):
    assert compare_versions(parse_version(a), parse_version(b)) == cmp


@pytest.mark.parametrize("text", ["", "beta", "1.2.1-beta", "1..2", "-1.2", "1.2.x"])
def test_not_a_version(text):
    assert parse_version(text) is None

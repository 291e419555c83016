import pytest

from readiness.checks.os_version import windows_name
from readiness.core.model import Status
from tests.checks.judge import judge_one
from tests.helpers import with_facts

CASES = [
    # (facts changes, accepted families, expected status, words in the English message)
    ({}, ["10"], Status.PASS, "Windows 10"),
    ({"os.build": 10240}, ["10"], Status.PASS, "Windows 10"),
    ({"os.build": 21999}, ["10"], Status.PASS, "Windows 10"),
    ({"os.build": 22000}, ["10"], Status.WARN, "Windows 11"),
    ({"os.build": 22631, "os.product_name": "Windows 10 Pro"}, ["10"], Status.WARN, "Windows 11"),
    ({"os.build": 22631}, ["10", "11"], Status.PASS, "Windows 11"),
    ({"os.build": 19045}, ["11"], Status.FAIL, "not among"),
    ({"os.build": 10239}, ["10"], Status.FAIL, "older"),
    ({"os.build": 9600}, ["10"], Status.FAIL, "Windows 8.1"),
    ({"os.build": 7601}, ["10"], Status.FAIL, "Windows 7"),
    ({"os.build": 17763, "os.product_type": "server", "os.edition": "ServerStandard"}, ["10"], Status.FAIL, "Server"),
    ({"os.product_type": None, "os.edition": "ServerDatacenter"}, ["10"], Status.FAIL, "Server"),
    ({"os.product_type": None, "os.edition": "Professional"}, ["10"], Status.ERROR, "server"),
    ({"os.product_type": None, "os.edition": None}, ["10"], Status.ERROR, "server"),
    ({"os.system": "Linux", "os.build": None}, ["10"], Status.FAIL, "Not Windows"),
    ({"os.system": "Darwin"}, ["10"], Status.FAIL, "Not Windows"),
    ({"os.build": None, "errors": {"os.build": "registry unreadable"}}, ["10"], Status.ERROR, "registry unreadable"),
    ({"os.build": "19045"}, ["10"], Status.ERROR, "expected an integer"),
    ({"os.build": True}, ["10"], Status.ERROR, "expected an integer"),
    ({"os": None, "errors": {"os": "OSError: access denied"}}, ["10"], Status.ERROR, "access denied"),
]


@pytest.mark.parametrize("changes,families,status,words", CASES)
def test_os_rule(loaded, make_profile, changes, families, status, words):
    result = judge_one(loaded, "os", with_facts(changes), make_profile(os__families=families))
    assert result.status is status, result.message.en
    assert words.lower() in (result.message.en + result.observed.en).lower()
    if status in (Status.FAIL, Status.WARN):
        assert result.remedy is not None and result.remedy.zh


@pytest.mark.parametrize("build,name", [(19045, "Windows 10"), (22000, "Windows 11"), (9200, "Windows 8"),
                                        (7600, "Windows 7"), (6002, "Windows (older than 7)")])
def test_windows_name(build, name):
    assert windows_name(build) == name

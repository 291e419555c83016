"""A check that came later skips older facts, decided once in the core (readiness.core.judging):
each check declares the version it came in; a fact missing from a snapshot of an older readiness
(or of none) is a skip worded with both versions, the same gap in a current snapshot stays an error,
and a fact that is there is judged as usual whatever version wrote it."""

from __future__ import annotations

import pytest

from readiness.core.facts import Facts
from readiness.core.judging import judge_check
from readiness.core.model import Finding, Status
from readiness.core.plugin import check, spec_of
from readiness.core.i18n import Text
from readiness.core.versions import predates, tool_version
from tests.helpers import with_facts


@check("usb-ports", title=Text("USB ports", "USB 端口"), since="0.10.0")
def usb_ports(facts, profile):
    ports = facts.require("usb.ports", int)
    return Finding(Status.PASS if ports else Status.FAIL, Text(str(ports), str(ports)), Text("1", "1"),
                   Text("ok", "好"))


@check("old-one", title=Text("Old", "旧"), since="0.1.0")
def old_one(facts, profile):
    return Finding(Status.PASS, Text(str(facts.require("usb.ports", int)), "-"), Text("-", "-"), Text("-", "-"))


@check("plugin", title=Text("Plugin", "插件"))
def plugin(facts, profile):
    return Finding(Status.PASS, Text(str(facts.require("usb.ports", int)), "-"), Text("-", "-"), Text("-", "-"))


def _judge(func, facts, profile):
    return judge_check(spec_of(func), Facts(facts), profile)


@pytest.mark.parametrize("version", ["0.9.0", "0.9.99", "0.2.0", "0.1.0", "0.09", None])
def test_missing_fact_from_an_older_collector_skips_with_both_versions(profile, version):
    facts = with_facts({"tool.version": version})
    result = _judge(usb_ports, facts, profile)
    assert result.status is Status.SKIP, result.message.en
    shown = version if version is not None else "readiness (the facts carry no version"
    assert f"this check came in 0.10.0" in result.message.en and "0.10.0" in result.message.zh
    assert shown in result.message.en and "check this PC again with the current version" in result.message.en
    assert "请用当前版本重新检查本机" in result.message.zh
    assert result.details == {"collected_by": version, "since": "0.10.0"}


@pytest.mark.parametrize("version", ["0.10.0", "0.10", "0.10.1", "1.0", "v0.10.0"])
def test_missing_fact_from_a_collector_that_has_the_check_stays_an_error(profile, version):
    result = _judge(usb_ports, with_facts({"tool.version": version}), profile)
    assert result.status is Status.ERROR and "usb.ports" in result.observed.en


@pytest.mark.parametrize("version", ["garbage", "0.1.0; drop table", "9" * 5000, "1." * 40, 3, 0.2, float("nan"),
                                     ["0.2.0"], {"v": 1}, True, ""])
def test_a_version_that_is_no_version_counts_as_none(profile, version):
    facts = with_facts({"tool.version": version})
    assert tool_version(facts) is None
    result = _judge(usb_ports, facts, profile)
    assert result.status is Status.SKIP and "no version" in result.message.en
    assert "9999999999" not in result.message.en  # a hostile string is never repeated


def test_no_tool_at_all_counts_as_no_version(profile):
    facts = with_facts({})
    del facts["tool"]
    assert _judge(usb_ports, facts, profile).status is Status.SKIP
    assert _judge(usb_ports, with_facts({"tool": "exam-readiness 9.9"}), profile).status is Status.SKIP


def test_a_fact_that_is_there_is_judged_whatever_version_wrote_it(profile):
    """Commits between 0.1.0 and 0.2.0 wrote "0.1.0" and collected restore and clock facts."""
    for version in ("0.1.0", None, "garbage"):
        facts = with_facts({"tool.version": version, "usb": {"ports": 0}})
        assert _judge(usb_ports, facts, profile).status is Status.FAIL


def test_a_null_with_its_reason_is_an_error_not_age(profile):
    facts = with_facts({"tool.version": "0.1.0", "usb": None, "errors": {"usb": "cannot read"}})
    result = _judge(usb_ports, facts, profile)
    assert result.status is Status.ERROR and "cannot read" in result.message.en


def test_a_wrong_type_is_an_error_not_age(profile):
    result = _judge(usb_ports, with_facts({"tool.version": "0.1.0", "usb": {"ports": "four"}}), profile)
    assert result.status is Status.ERROR


def test_a_check_of_the_first_release_or_without_a_version_never_skips(profile):
    """Nothing came before the first release: a snapshot without memory, of any version or none, is
    damaged; a plugin that declares no version keeps the plain rule."""
    for version in ("0.0.1", None, "garbage"):
        facts = with_facts({"tool.version": version})
        assert _judge(old_one, facts, profile).status is Status.ERROR
        assert _judge(plugin, facts, profile).status is Status.ERROR


def test_versions_compare_as_numbers():
    assert predates("0.9.0", "0.10.0") and not predates("0.10.0", "0.9.0")
    assert not predates("0.10.0", "0.10.0") and predates(None, "0.2.0") and not predates(None, "0.1.0")
    assert not predates("0.2", "0.2.0") and predates("0.1.9", "0.2")


def test_since_must_be_a_version():
    with pytest.raises(ValueError, match="not a version"):
        check("x", title=Text("x", "x"), since="soon")
    with pytest.raises(ValueError):
        check("x", title=Text("x", "x"), since="1" * 100)


def test_built_in_checks_declare_their_version(loaded):
    """Every built-in check says when it came; restore and clock came after the first release."""
    since = {c.id: c.since for c in loaded.checks}
    assert all(since.values()), since
    assert since["restore"] == since["clock"] == "0.2.0" and since["memory"] == "0.1.0"


from readiness.facts import Facts
from readiness.i18n import Text, same
from readiness.model import Finding, Status
from readiness.plugin import assemble, check, load_checks
from readiness.judging import judge_checks
from readiness.settings import CORE_SETTINGS, Setting


@check("extra", title=Text("Extra", "额外"), settings=(Setting("extra.limit", 3, Text("l", "l"), "int"),))
def extra_check(facts: Facts, profile) -> Finding:
    return Finding(Status.PASS, same("ok"), same("ok"), same("ok"))


@check("boom", title=Text("Boom", "崩溃"))
def boom_check(facts, profile):
    raise ZeroDivisionError("division by zero")


@check("liar", title=Text("Liar", "错误"))
def liar_check(facts, profile):
    return "pass"


def not_a_check(facts, profile):
    return None


def broken_import():
    raise ImportError("No module named 'missing_dependency'")


def test_builtin_checks_load_through_entry_points():
    loaded = load_checks(reserved_keys=[s.key for s in CORE_SETTINGS])
    assert [c.id for c in loaded.checks] == ["os", "restore", "memory", "disk", "client-version", "font-msyh",
                                          "opengl-level", "bandwidth", "public-ip", "exam-server", "clock"]
    assert loaded.failures == ()


def test_each_load_is_isolated():
    loaded = assemble([("broken", broken_import), ("plain", lambda: not_a_check), ("extra", lambda: extra_check),
                       ("again", lambda: extra_check)])
    assert [c.id for c in loaded.checks] == ["extra"]
    reasons = {f.name: f.reason for f in loaded.failures}
    assert "missing_dependency" in reasons["broken"]
    assert "@check" in reasons["plain"]
    assert "already used" in reasons["again"]


def test_a_plugin_may_not_take_a_core_setting():
    @check("thief", title=same("thief"), settings=(Setting("site.seats", 1, same("x"), "int"),))
    def thief(facts, profile):
        raise AssertionError

    loaded = assemble([("thief", lambda: thief)], reserved_keys=[s.key for s in CORE_SETTINGS])
    assert loaded.checks == () and "site.seats" in loaded.failures[0].reason


def test_broken_checks_become_error_results_and_the_rest_still_run(profile):
    loaded = assemble([("broken", broken_import), ("boom", lambda: boom_check), ("liar", lambda: liar_check),
                       ("extra", lambda: extra_check)])
    results = {r.id: r for r in judge_checks({}, profile, loaded)}
    assert results["extra"].status is Status.PASS
    assert results["boom"].status is Status.ERROR and "ZeroDivisionError" in results["boom"].message.en
    assert results["liar"].status is Status.ERROR and "not a Finding" in results["liar"].message.en
    assert results["broken"].status is Status.ERROR and "could not be loaded" in results["broken"].message.en


def test_checks_are_still_plain_functions():
    assert extra_check(Facts({}), None).status is Status.PASS

import pytest

from readiness.core.model import Status
from tests.checks.judge import judge_one
from tests.helpers import with_facts


def font(scope="system", family="Microsoft YaHei", error=None, path=None, registered=None, families=None, **more):
    return {"path": path or ("C:\\Windows\\Fonts\\msyh.ttc" if scope == "system" else
                             "C:\\Users\\u\\AppData\\Local\\Microsoft\\Windows\\Fonts\\msyh.ttc"),
            "scope": scope, "family": family, "families": families or ([family] if family else []),
            "error": error, "registered": registered, **more}


CASES = [
    ([font()], Status.PASS),
    ([font(family="Microsoft YaHei UI")], Status.PASS),
    ([font(family="microsoft yahei")], Status.PASS),
    ([font(family="微软雅黑", families=["微软雅黑", "Microsoft YaHei"])], Status.PASS),
    ([font(registered=True)], Status.PASS),
    ([font(registered=False)], Status.WARN),
    ([font(scope="user")], Status.WARN),
    ([font(scope="user"), font()], Status.PASS),
    ([font(family="SimSun")], Status.FAIL),
    ([font(family=None, error="not a font file (bad sfntVersion)")], Status.FAIL),
    ([font(family="SimSun"), font(scope="user")], Status.WARN),
    ([font(style="Regular")], Status.PASS),
    ([font(style="Bold")], Status.FAIL),  # msyhbd.ttc copied as msyh.ttc: name ID 1 says YaHei, ID 2 Bold
    ([font(style="Light", families=["Microsoft YaHei Light", "Microsoft YaHei"])], Status.FAIL),  # msyhl.ttc (ID 16/17)
    ([font(style="Bold", registered=True), font(scope="user", style="Regular")], Status.WARN),
    # fix --font left the unregistered old file and registered msyh_1.ttc: the registered one is what counts
    ([font(registered=False), font(registered=True, path="C:\\Windows\\Fonts\\msyh_1.ttc")], Status.PASS),
    ([font(registered=False, family=None, error="not a font file"),
      font(registered=True, path="C:\\Windows\\Fonts\\msyh_1.ttc")], Status.PASS),
    ([], Status.FAIL),
    (None, Status.ERROR),
    ([{"scope": "system"}], Status.ERROR),
]


@pytest.mark.parametrize("entries,status", CASES)
def test_font_rule(loaded, profile, entries, status):
    result = judge_one(loaded, "font-msyh", with_facts({"fonts.msyh": entries}), profile)
    assert result.status is status, result.message.en
    if status in (Status.FAIL, Status.WARN):
        assert "C:\\Windows\\Fonts" in result.remedy.en and "C:\\Windows\\Fonts" in result.remedy.zh


def test_not_a_font_says_why(loaded, profile):
    facts = with_facts({"fonts.msyh": [font(family=None, error="not a font file")]})
    assert "not a font file" in judge_one(loaded, "font-msyh", facts, profile).observed.en


def test_another_style_of_yahei_is_named(loaded, profile):
    facts = with_facts({"fonts.msyh": [font(style="Bold", registered=True)]})
    result = judge_one(loaded, "font-msyh", facts, profile)
    assert result.status is Status.FAIL
    assert "Bold, not Regular" in result.observed.en and "Bold" in result.observed.zh
